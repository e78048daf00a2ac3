"""GitLab's Code Quality report (`artifacts:reports:codequality`): findings that know their
file and line, shown on the merge request's diff and in its Code Quality widget. Every
report that has such findings (validate's, the config diff's option problems) goes through
this one writer.

The format is the Code Climate issue subset GitLab reads: a JSON array of
{description, check_name, fingerprint, severity, location: {path, lines: {begin}}}.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

# GitLab's severities, and what sitectl's map to.
SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


@dataclass(frozen=True)
class Issue:
    check: str  # e.g. "validate/var-undefined", "config-diff/unknown-option"
    description: str
    path: str  # relative to the repository
    line: int | None
    severity: str  # error | warning | info


def document(issues: Sequence[Issue]) -> str:
    """The report's text; each issue's fingerprint depends on what and where, so the same
    finding on the next push is recognised as the same issue."""
    entries = [
        {
            "description": issue.description,
            "check_name": issue.check,
            "fingerprint": _fingerprint(issue),
            "severity": SEVERITIES.get(issue.severity, "minor"),
            "location": {"path": issue.path, "lines": {"begin": issue.line or 1}},
        }
        for issue in issues
    ]
    return json.dumps(entries, indent=2) + "\n"


def location(where: str | None) -> tuple[str, int | None] | None:
    """(path, line) from "path:line" or "path"; None when there is no file to point at."""
    if not where:
        return None
    path, _, line = where.rpartition(":")
    if path and line.isdigit():
        return path, int(line)
    return where, None


def _fingerprint(issue: Issue) -> str:
    text = "\0".join((issue.check, issue.description, issue.path, str(issue.line)))
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
