"""Check a render's service config files against the services' option schemas.

Which namespaces make which file comes from the services' generator files (generators.py); a
rendered file whose name none of them produces (policy, paste, uwsgi, JSON, YAML...) is skipped
and counted. Identical files are checked once, and a file's findings are kept by a digest of
its name, namespaces and text beside the schema virtualenv, so a diff's base and head, or a
second check, check only what changed. The checking itself runs in the schema virtualenv
(checker.py); unknown options the previous release had become `removed` (removed.py). A finding
whose option the site's kolla config overrides set is the site's, with the file and line
(sources.py); the others come from kolla-ansible's own templates and are reported apart.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sitectl import render_layout as layout
from sitectl.files import write_atomically
from sitectl.progress import step
from sitectl.schema import checker_process, removed, venv
from sitectl.schema.generators import generator_map
from sitectl.schema.sources import SiteSources

__all__ = ["Problem", "Result", "check", "generator_map", "lines", "skipped_summary"]


@dataclass(frozen=True)
class Problem:
    """One finding, with every rendered file (host/container/file) it was found in."""

    file: str  # the config file's name (nova.conf)
    section: str
    option: str
    severity: str  # error | warning
    kind: str
    message: str
    rendered: tuple[str, ...]
    source: tuple[str, int] | None = None  # the site file and line that set it

    @property
    def key(self) -> str:
        return f"[{self.section}] {self.option}" if self.option else f"[{self.section}]"


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # file name: how many
    missing_namespaces: list[str] = field(default_factory=list)

    def site(self, severity: str) -> list[Problem]:
        return [p for p in self.problems if p.source and p.severity == severity]

    def kolla(self) -> list[Problem]:
        return [p for p in self.problems if not p.source]


@dataclass
class Distinct:
    """One distinct rendered file (name and text) and where it was rendered."""

    name: str
    text: str
    namespaces: list[str]
    rendered: list[str] = field(default_factory=list)

    @property
    def digest(self) -> str:
        data = json.dumps([self.name, self.namespaces, self.text])
        return hashlib.sha256(data.encode()).hexdigest()[:32]


def check(repo: Path, render_dir: Path, env: str | None) -> Result:
    python, sdists = venv.ensure()
    files = generator_map(sdists)
    result = Result()
    distinct = _distinct(render_dir, files, result)
    # Kept findings hold for this pin set (the virtualenv's directory) and this checker.
    checker = hashlib.sha256(checker_process.CHECKER.read_bytes()).hexdigest()[:16]
    findings, missing = _findings(python, sdists.parent / "results" / checker, distinct)
    result.missing_namespaces = missing
    sources = SiteSources(repo, env)
    merged: dict[tuple[str, str, str, str], Problem] = {}
    namespaces = {digest: entry.namespaces for digest, entry in distinct.items()}
    for item in removed.mark(findings, namespaces):
        entry = distinct[item["path"]]
        key = (entry.name, item["section"], item["option"], item["message"])
        if key in merged:
            merged[key] = replace(
                merged[key], rendered=merged[key].rendered + tuple(entry.rendered)
            )
            continue
        merged[key] = Problem(
            file=entry.name,
            section=item["section"],
            option=item["option"],
            severity=item["severity"],
            kind=item["kind"],
            message=item["message"],
            rendered=tuple(entry.rendered),
            source=sources.find(entry.name, item["section"], item["option"]),
        )
    result.problems = sorted(merged.values(), key=lambda p: (p.file, p.section, p.option))
    return result


def _distinct(
    render_dir: Path, files: Mapping[str, list[str]], result: Result
) -> dict[str, Distinct]:
    """{digest: Distinct} of the render's oslo.config files; the others counted as skipped."""
    distinct: dict[str, Distinct] = {}
    configs = render_dir / layout.CONFIG
    for path in sorted(configs.rglob("*")):
        if not path.is_file():
            continue
        if path.name not in files:
            result.skipped[path.name] = result.skipped.get(path.name, 0) + 1
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        entry = Distinct(path.name, text, files[path.name])
        entry = distinct.setdefault(entry.digest, entry)
        entry.rendered.append(path.relative_to(configs).as_posix())
        result.checked += 1
    return distinct


def _findings(
    python: Path, store: Path, distinct: Mapping[str, Distinct]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every distinct file's findings (their `path` is the file's digest) and the namespaces
    that did not load: kept ones from the store, the rest from the checker."""
    findings: list[dict[str, Any]] = []
    missing: set[str] = set()
    fresh = []
    for digest in distinct:
        kept = store / f"{digest}.json"
        if kept.exists():
            answer = json.loads(kept.read_text(encoding="utf-8"))
            findings += [{**f, "path": digest} for f in answer["findings"]]
            missing.update(answer["missing_namespaces"])
        else:
            fresh.append(digest)
    if fresh:
        request = [
            {"path": d, "text": distinct[d].text, "namespaces": distinct[d].namespaces}
            for d in fresh
        ]
        with step("schema", f"{len(fresh)} distinct config files against the services' options"):
            answer = checker_process.ask(python, {"files": request})
        gone = set(answer["missing_namespaces"])
        missing |= gone
        by_file: dict[str, list[dict[str, Any]]] = {}
        for found in answer["findings"]:
            by_file.setdefault(found["path"], []).append(found)
        for digest in fresh:
            own = by_file.get(digest, [])
            findings += own
            record = {
                "findings": [{k: v for k, v in f.items() if k != "path"} for f in own],
                "missing_namespaces": sorted(gone & set(distinct[digest].namespaces)),
            }
            write_atomically(store / f"{digest}.json", json.dumps(record))
    return findings, sorted(missing)


def skipped_summary(skipped: Mapping[str, int]) -> str:
    total = sum(skipped.values())
    names = ", ".join(sorted(skipped)[:8]) + (", ..." if len(skipped) > 8 else "")
    return f"{total} rendered files are not oslo.config INI files and were skipped ({names})"


def lines(problems: Iterable[Problem]) -> list[str]:
    out = []
    for p in problems:
        where = f"{p.source[0]}:{p.source[1]}" if p.source else "kolla-ansible's own template"
        shown = ", ".join(p.rendered[:3]) + (
            f" and {len(p.rendered) - 3} more" if len(p.rendered) > 3 else ""
        )
        out.append(f"{p.file} {p.key}: {p.message} (set at {where}; rendered in {shown})")
    return out
