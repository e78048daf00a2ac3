"""Removed, not unknown: an option or section the release does not register (or registers only
in other sections) but the previous release registered there
(tools/schema-previous-requirements.txt). The previous release's virtualenv is installed only
when a render has such a finding; what each set of namespaces registered there is listed once
and kept beside that virtualenv, so later checks ask no process at all."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sitectl.files import write_atomically
from sitectl.progress import step
from sitectl.schema import checker_process, venv

UNKNOWN = ("unknown-option", "unknown-section", "wrong-section")
Registered = dict[str, list[str]]  # group: option names


def mark(
    findings: list[dict[str, Any]], namespaces: Mapping[str, list[str]]
) -> list[dict[str, Any]]:
    """The findings, with unknown options and sections the previous release had as `removed`;
    `namespaces` gives each finding's file's namespaces by the finding's `path`."""
    unknown = [f for f in findings if f["kind"] in UNKNOWN]
    if not unknown:
        return findings
    registered = _registered([namespaces[f["path"]] for f in unknown])
    gone = set()
    for f in unknown:
        groups = registered[tuple(namespaces[f["path"]])]
        group = groups.get(f["group"])  # the section as oslo.config matches it
        if group is not None and (not f["option"] or f["option"] in group):
            gone.add(id(f))
    before, now = venv.PREVIOUS.release(), venv.CURRENT.release()
    return [_as_removed(f, before, now) if id(f) in gone else f for f in findings]


def _registered(wanted: list[list[str]]) -> dict[tuple[str, ...], Registered]:
    python, _ = venv.ensure(venv.PREVIOUS)
    store = python.parents[2] / "registered"
    found: dict[tuple[str, ...], Registered] = {}
    missing: list[list[str]] = []
    for namespaces in {tuple(n): list(n) for n in wanted}.values():
        path = store / f"{_digest(namespaces)}.json"
        if path.exists():
            found[tuple(namespaces)] = json.loads(path.read_text(encoding="utf-8"))
        else:
            missing.append(namespaces)
    if missing:
        release = venv.PREVIOUS.release()
        with step("schema", f"listing {release}'s options ({len(missing)} sets of namespaces)"):
            answer = checker_process.ask(python, {"registered": missing})["registered"]
        for namespaces, groups in zip(missing, answer, strict=True):
            write_atomically(store / f"{_digest(namespaces)}.json", json.dumps(groups))
            found[tuple(namespaces)] = groups
    return found


def _digest(namespaces: list[str]) -> str:
    """The namespaces, and the checker that lists them."""
    checker = hashlib.sha256(checker_process.CHECKER.read_bytes()).hexdigest()
    return hashlib.sha256("\n".join([*namespaces, checker]).encode()).hexdigest()[:20]


def _as_removed(finding: dict[str, Any], before: str, now: str) -> dict[str, Any]:
    what = f"[{finding['section']}] {finding['option']}".strip()
    ignored = "its options are ignored" if not finding["option"] else "the service ignores it"
    return {
        **finding,
        "severity": "error",
        "kind": "removed",
        "message": f"{what} was removed: {before} registered it, {now} does not ({ignored})",
    }
