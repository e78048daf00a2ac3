"""kolla-ansible's own playbooks, read from the toolchain: its tags, which roles each tag
selects, and which kolla/config overrides each role reads.

One failure policy for every reader: kolla-ansible's playbooks must be there (they are part
of the pinned toolchain). When they are missing or unreadable, that is a SiteError naming the
path and the fix, never an empty answer that would make a render or a diff plan silently
select nothing.
"""

import functools
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from sitectl.errors import SiteError

SITE = "site.yml"
_CUSTOM_CONFIG = re.compile(r"node_custom_config\s*\}\}/([A-Za-z0-9_.-]+)")


def playbooks_dir() -> Path:
    """kolla-ansible's playbooks in the toolchain's virtualenv."""
    path = Path(sys.prefix, "share", "kolla-ansible", "ansible")
    if not (path / SITE).is_file():
        raise SiteError(
            f"kolla-ansible's playbooks are not in the toolchain ({path / SITE} is missing); "
            "sitectl needs them to know kolla's services: run `tools/sitectl setup`."
        )
    return path


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise SiteError(f"cannot read kolla-ansible's playbook {path}: {e}") from None


@functools.cache
def tags(playbooks: Path | None = None) -> frozenset[str]:
    """Every tag of site.yml and the playbooks it imports (plays, roles, tasks)."""
    return frozenset(_tags_of((playbooks or playbooks_dir()) / SITE, set()))


def _tags_of(playbook: Path, seen: set[Path]) -> set[str]:
    if playbook in seen or not playbook.is_file():
        return set()
    seen.add(playbook)
    found: set[str] = set()
    for node in _walk(_load(playbook)):
        found.update(_tags(node.get("tags")))
        imported = node.get("import_playbook")
        if isinstance(imported, str) and "{{" not in imported:
            found |= _tags_of(playbook.parent / imported, seen)
    return found


def _walk(obj: Any) -> Iterator[dict[str, Any]]:
    if isinstance(obj, dict):
        yield obj
        for value in obj.values():
            yield from _walk(value)
    elif isinstance(obj, list):
        for item in obj:
            yield from _walk(item)


@functools.cache
def role_tags(playbooks: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Each role site.yml applies (as a role, or imported whole) -> the tags selecting it."""
    found: dict[str, list[str]] = {}
    _read_playbook(playbooks or playbooks_dir(), SITE, found, set())
    return {role: tuple(dict.fromkeys(names)) for role, names in found.items()}


def _read_playbook(base: Path, name: str, found: dict[str, list[str]], seen: set[str]) -> None:
    if name in seen or "{{" in name:
        return
    seen.add(name)
    plays = _load(base / name) or []
    for play in plays if isinstance(plays, list) else []:
        if not isinstance(play, dict):
            continue
        if isinstance(play.get("import_playbook"), str):
            _read_playbook(base, play["import_playbook"], found, seen)
            continue
        play_tags = _tags(play.get("tags"))
        for entry in play.get("roles") or []:
            role = entry if isinstance(entry, str) else (entry or {}).get("role")
            if not isinstance(role, str):
                continue
            own = [] if isinstance(entry, str) else _tags(entry.get("tags"))
            found.setdefault(role, []).extend(t for t in own + play_tags if t != "always")
        for task in play.get("tasks") or []:  # `import_role: name: mariadb` (whole roles only)
            for action in ("import_role", "include_role"):
                spec = task.get(action) or task.get(f"ansible.builtin.{action}")
                whole = isinstance(spec, dict) and "tasks_from" not in spec
                if whole and isinstance(spec.get("name"), str):
                    names = _tags(task.get("tags")) + play_tags
                    found.setdefault(spec["name"], []).extend(t for t in names if t != "always")


@functools.cache
def override_readers(playbooks: Path | None = None) -> dict[str, frozenset[str]]:
    """kolla/config/NAME (the file's stem, or a directory) -> the roles whose tasks read it."""
    base = playbooks or playbooks_dir()
    readers: dict[str, set[str]] = {}
    for role in sorted(role_tags(base)):
        for task_file in sorted((base / "roles" / role).glob("**/*.yml")):
            text = task_file.read_text(encoding="utf-8", errors="replace")
            for name in _CUSTOM_CONFIG.findall(text):
                stem = name.removesuffix(".j2")
                stem = stem.rsplit(".", 1)[0] if "." in stem else stem
                readers.setdefault(stem, set()).add(role)
    return {name: frozenset(roles) for name, roles in readers.items()}


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, dict):
        return [t for t in value if isinstance(t, str)]
    return []
