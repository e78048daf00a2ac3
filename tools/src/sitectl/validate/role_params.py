"""Variables the site's playbooks pass to a role (`roles:` entries, include_role/import_role
with `vars:`) that the role never reads: a misspelt role parameter is as silent as a misspelt
variable, and only the role's own files can read it."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitectl import readers
from sitectl.readers import Index, Source
from sitectl.validate.files import Loader, relative

# Keywords of a `roles:` entry or a task, not parameters of the role.
KEYWORDS = frozenset(
    {
        "role",
        "name",
        "tags",
        "when",
        "vars",
        "become",
        "become_user",
        "become_method",
        "delegate_to",
        "environment",
        "ignore_errors",
        "any_errors_fatal",
        "check_mode",
        "no_log",
        "run_once",
        "collections",
    }
)
INCLUDES = frozenset(
    {
        "include_role",
        "import_role",
        "ansible.builtin.include_role",
        "ansible.builtin.import_role",
    }
)


@dataclass(frozen=True)
class Passed:
    """One variable a playbook passes to a role."""

    role: str
    name: str
    file: str  # relative to the repository
    line: int


@dataclass(frozen=True)
class Ignored:
    passed: Passed
    suggestions: tuple[str, ...]


def check(roots: list[Path], repo: Path, kayobe_roles: Path | None) -> Iterator[Ignored]:
    """What the layers' playbooks (ansible/*.yml) pass to roles that the roles do not read.
    Roles are looked up in the layers' ansible/roles, then kayobe's; a role found nowhere is
    not judged."""
    indexes: dict[str, Index | None] = {}
    for passed in _passed(roots, repo):
        if passed.role not in indexes:
            indexes[passed.role] = _role_index(passed.role, roots, repo, kayobe_roles)
        index = indexes[passed.role]
        if index is None or index.reads(passed.name):
            continue
        close = difflib.get_close_matches(passed.name, sorted(index.defined), n=3, cutoff=0.8)
        yield Ignored(passed, tuple(close))


def _role_index(role: str, roots: list[Path], repo: Path, kayobe: Path | None) -> Index | None:
    for base in [*(root / "ansible" / "roles" for root in roots), kayobe]:
        if base is not None and (base / role).is_dir():
            return readers.build([Source(f"role {role}", base / role, boundary=repo)])
    return None


def _passed(roots: list[Path], repo: Path) -> Iterator[Passed]:
    seen: set[Path] = set()
    for root in roots:
        for path in sorted((root / "ansible").glob("*.yml")):
            if path.resolve() in seen:
                continue
            seen.add(path.resolve())
            try:
                document = yaml.compose(path.read_text(encoding="utf-8"), Loader=Loader)
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                continue  # yaml-syntax reports it
            yield from _walk(document, relative(repo.resolve(), path.resolve()))


def _walk(node: Any, path: str) -> Iterator[Passed]:
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, path)
    elif isinstance(node, yaml.MappingNode):
        entries = {
            key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)
        }
        if "roles" in entries and isinstance(entries["roles"], yaml.SequenceNode):
            for entry in entries["roles"].value:
                yield from _role_entry(entry, path)
        for include in INCLUDES & set(entries):
            role = _scalar(_mapping(entries[include]).get("name"))
            if role:
                yield from _vars(role, entries.get("vars"), path)
        for key, value in node.value:
            if getattr(key, "value", None) != "roles":
                yield from _walk(value, path)


def _role_entry(entry: Any, path: str) -> Iterator[Passed]:
    fields = _mapping(entry)
    role = _scalar(fields.get("role") or fields.get("name"))
    if not role:
        return
    for key, _ in entry.value:
        if key.value not in KEYWORDS:
            yield Passed(role, str(key.value), path, key.start_mark.line + 1)
    yield from _vars(role, fields.get("vars"), path)


def _vars(role: str, node: Any, path: str) -> Iterator[Passed]:
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield Passed(role, str(key.value), path, key.start_mark.line + 1)


def _mapping(node: Any) -> dict[str, Any]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _scalar(node: Any) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.value and "{{" not in node.value:
        return str(node.value).split(".")[-1]  # a collection's role: its short name
    return None
