"""Problems a change introduces: option-schema findings (sitectl.schema) of the head render
that the base render did not have, on the same services."""

from __future__ import annotations

from pathlib import Path

from sitectl.diff.model import Problem
from sitectl.schema import Problem as SchemaProblem
from sitectl.schema import check_render


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
