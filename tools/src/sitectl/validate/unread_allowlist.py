"""The site's list of variables read outside Ansible (a CI script, a dashboard, sitectl):
etc/sitectl/unread-variables.yml, one reviewed entry per variable.

    variables:
      - name: site_dashboard_url
        reason: read by the dashboard's provisioning script (ci/dashboards/provision.py)
        expires: 2027-06-30          # optional: the entry stops applying then

An entry needs a name and a reason; an entry past its date no longer applies and is itself a
finding, so that it is reviewed again or removed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitectl.validate.files import Loader

PATH = Path("etc", "sitectl", "unread-variables.yml")


@dataclass(frozen=True)
class Entry:
    name: str
    reason: str
    expires: datetime.date | None
    line: int


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


@dataclass
class Allowlist:
    path: Path
    entries: list[Entry]
    problems: list[Problem]

    def in_force(self, today: datetime.date) -> dict[str, Entry]:
        return {e.name: e for e in self.entries if e.expires is None or e.expires >= today}

    def expired(self, today: datetime.date) -> list[Entry]:
        return [e for e in self.entries if e.expires is not None and e.expires < today]


def load(repo: Path) -> Allowlist:
    """The repository's allowlist (empty when it has none). What is malformed is a problem
    to report, never an exception."""
    path = repo / PATH
    found = Allowlist(path, [], [])
    if not path.is_file():
        return found
    try:
        document = yaml.compose(path.read_text(encoding="utf-8"), Loader=Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        found.problems.append(Problem(1, f"cannot be read as YAML: {e}"))
        return found
    items = _entries_node(document)
    if items is None:
        found.problems.append(Problem(1, "must be a mapping whose `variables` is a list"))
        return found
    for node in items:
        entry = _entry(node)
        if isinstance(entry, Entry):
            found.entries.append(entry)
        else:
            found.problems.append(entry)
    return found


def _entries_node(document: Any) -> list[Any] | None:
    if document is None:
        return []
    if not isinstance(document, yaml.MappingNode):
        return None
    for key, value in document.value:
        if getattr(key, "value", None) == "variables":
            if isinstance(value, yaml.SequenceNode):
                return list(value.value)
            if isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null", "[]"):
                return []
            return None
    return []


def _entry(node: Any) -> Entry | Problem:
    line = node.start_mark.line + 1
    data = yaml.load(yaml.serialize(node), Loader=Loader) if node is not None else None
    if not isinstance(data, dict):
        return Problem(line, "an entry must be a mapping (name, reason, optional expires)")
    name, reason, expires = data.get("name"), data.get("reason"), data.get("expires")
    if not isinstance(name, str) or not name:
        return Problem(line, "an entry lacks its variable's `name`")
    if not isinstance(reason, str) or not reason.strip():
        return Problem(line, f"the entry for {name} lacks a `reason`: say what reads it")
    if isinstance(expires, str):
        try:
            expires = datetime.date.fromisoformat(expires)
        except ValueError:
            expires = "bad"
    if expires is not None and not isinstance(expires, datetime.date):
        return Problem(line, f"the entry for {name} has `expires` that is not a date (YYYY-MM-DD)")
    return Entry(name, reason.strip(), expires, line)
