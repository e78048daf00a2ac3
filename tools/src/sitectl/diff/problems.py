"""Problems a change introduces: option-schema findings (sitectl.schema) of the head render
that the base render did not have, on the same services; and variables that nothing reads
(sitectl.validate's variable-unread) in head's configuration and not in base's."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml

from sitectl import render_layout as layout
from sitectl.diff.model import Problem
from sitectl.render import configuration_at
from sitectl.schema import Problem as SchemaProblem
from sitectl.schema import check_render
from sitectl.validate import unread_variables

UNREAD = "variable-unread"


def _identity(problem: SchemaProblem) -> tuple[str, str, str, str, str]:
    return (problem.file, problem.section, problem.option, problem.kind, problem.message)


def introduced(repo: Path, env: str | None, base: Path | None, head: Path) -> list[Problem]:
    """Head's problems that base (None: the environment is new) has not."""
    before = {_identity(p) for p in check_render(repo, base, env).problems} if base else set()
    return [
        Problem(
            severity=p.severity,
            kind=p.kind,
            file=p.file,
            key=p.key,
            message=p.message,
            source=f"{p.source[0]}:{p.source[1]}" if p.source else None,
            rendered=list(p.rendered),
        )
        for p in check_render(repo, head, env).problems
        if _identity(p) not in before
    ]


def unread_introduced(
    repo: Path, env: str | None, sides: dict[str, tuple[str, Path | None]]
) -> list[Problem]:
    """Variables nothing reads in head ({side: (commit, render)}) that base did not have
    (base absent: every one is new). Identified by variable, file and message, not line."""
    today = datetime.date.today()
    found: dict[str, list[tuple[str, int, str, str, str]]] = {}
    for side, (commit, rendered) in sides.items():
        if rendered is None:
            continue
        with configuration_at(repo, commit) as config:
            found[side] = unread_variables(config, env, hostvars(rendered), today)
    before = {(file, name, message) for file, _, name, message, _ in found.get("base", [])}
    return [
        Problem(
            severity="warning",
            kind=UNREAD,
            file=file,
            key=name or "(allowlist)",
            message=f"{message}. {hint}",
            source=f"{file}:{line}",
            rendered=[],
        )
        for file, line, name, message, hint in found.get("head", [])
        if (file, name, message) not in before
    ]


def hostvars(rendered: Path) -> dict[str, Any]:
    """A render's resolved variables per host (kayobe/HOST.yml; secrets are redacted, which
    the network names read here are not)."""
    hosts = {}
    for path in layout.host_variable_files(rendered):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        hosts[path.stem] = data if isinstance(data, dict) else {}
    return hosts
