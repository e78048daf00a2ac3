"""kolla-ansible's own playbooks, read from the toolchain: its tags, which roles each tag
selects, its plays, and which variable sets each image's tag (kolla_custom_config.py reads
which kolla/config overrides each role reads).

One failure policy for every reader: kolla-ansible's playbooks must be there (they are part
of the pinned toolchain). When they are missing or unreadable, that is a SiteError naming the
path and the fix, never an empty answer that would make a render or a diff plan silently
select nothing.
"""

import functools
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitectl.errors import SiteError

SITE = "site.yml"


def playbooks_dir(prefix: Path | None = None) -> Path:
    """kolla-ansible's playbooks in the toolchain's virtualenv (`prefix`; None: the running
    one)."""
    path = Path(prefix or sys.prefix, "share", "kolla-ansible", "ansible")
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


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, dict):
        return [t for t in value if isinstance(t, str)]
    return []


# --- image tag variables -------------------------------------------------------------

_FULL = re.compile(
    r'^(\w+)_image_full:\s*"\{\{\s*(\w+)_image\s*\}\}:\{\{\s*(\w+_tag)\s*\}\}"', re.M
)
_IMAGE = re.compile(r'^(\w+)_image:\s*"(.*)"\s*$', re.M)
_DIRECT = re.compile(r"^\{\{\s*docker_image_url\s*\}\}([a-z0-9][a-z0-9._-]*)$")
_ALIAS = re.compile(r"^\{\{\s*(\w+)_image\s*\}\}$")


@dataclass(frozen=True)
class TagVariable:
    variable: str  # e.g. keystone_api_tag
    image: str  # the Kolla image it tags, e.g. keystone-api
    role: str  # the kolla-ansible role whose defaults define it


@functools.cache
def image_tag_variables(playbooks: Path | None = None) -> list[TagVariable]:
    """Every image tag variable of the installed kolla-ansible, sorted by variable: from each
    role's defaults, `X_image_full: "{{ X_image }}:{{ Y_tag }}"` ties the image variable to
    its tag variable, and `X_image` names the image (directly, or through another image
    variable)."""
    roles = (playbooks or playbooks_dir()) / "roles"
    images: dict[str, str] = {}  # image variable prefix -> its value
    fulls: list[tuple[str, str, str]] = []  # (role, image prefix, tag variable)
    for defaults in sorted(roles.glob("*/defaults/main.yml")):
        text = defaults.read_text(encoding="utf-8")
        role = defaults.parents[1].name
        images.update({name: value.strip() for name, value in _IMAGE.findall(text)})
        fulls += [(role, image, tag) for _, image, tag in _FULL.findall(text)]
    found: dict[str, TagVariable] = {}
    for role, prefix, tag in fulls:
        image = _resolve(prefix, images, set())
        if image is not None:
            found.setdefault(tag, TagVariable(tag, image, role))
    if not found:
        raise SiteError(f"found no image tag variables in kolla-ansible's roles ({roles}).")
    return [found[name] for name in sorted(found)]


def _resolve(prefix: str, images: dict[str, str], seen: set[str]) -> str | None:
    value = images.get(prefix)
    if value is None or prefix in seen:
        return None
    seen.add(prefix)
    if direct := _DIRECT.match(value):
        return direct.group(1)
    if alias := _ALIAS.match(value):
        return _resolve(alias.group(1), images, seen)
    return None


def by_image(variables: list[TagVariable]) -> dict[str, list[TagVariable]]:
    grouped: dict[str, list[TagVariable]] = {}
    for variable in variables:
        grouped.setdefault(variable.image, []).append(variable)
    return grouped


@functools.cache
def container_names(playbooks: Path | None = None) -> dict[str, str]:
    """{config directory: container name} from kolla-ansible's role defaults: every
    `*_services` entry with a container_name (nova-api: nova_api; openvswitch-db-server:
    openvswitch_db). A service's config directory on a host is named after its key."""
    base = playbooks or playbooks_dir()
    names: dict[str, str] = {}
    for defaults in sorted(base.glob("roles/*/defaults/main.yml")):
        loaded = _load(defaults)
        if not isinstance(loaded, dict):
            continue
        for variable, services in loaded.items():
            if not str(variable).endswith("_services") or not isinstance(services, dict):
                continue
            for key, service in services.items():
                name = service.get("container_name") if isinstance(service, dict) else None
                if isinstance(name, str) and "{{" not in name:
                    names.setdefault(str(key), name)
    return names


@dataclass(frozen=True)
class Play:
    """One play of site.yml (or a playbook it imports): the tags that select it (its own and
    its roles'), and the tags of its tasks that include part of another role
    (`include_role: tasks_from:`), which select those tasks on their own."""

    name: str
    tags: frozenset[str]
    crossing: frozenset[str]
    hosts: tuple[str, ...] = ()  # its host patterns, as written

    @property
    def role(self) -> str:
        """The role named by "Apply role X" (how kolla-ansible names its plays), or the name."""
        return self.name.removeprefix("Apply role ")

    @property
    def switch(self) -> str | None:
        """X of the play's `&enable_X_True` pattern: the service switch it runs under."""
        found = (_SWITCH.fullmatch(pattern) for pattern in self.hosts)
        return next((match.group(1) for match in found if match), None)

    @property
    def groups(self) -> tuple[str, ...]:
        """The inventory groups the play runs on (its plain patterns)."""
        return tuple(p for p in self.hosts if _GROUP.fullmatch(p) and p != "all")


_SWITCH = re.compile(r"&enable_(\w+)_True")
_GROUP = re.compile(r"[A-Za-z0-9_-]+")


@functools.cache
def plays(playbooks: Path | None = None) -> tuple[Play, ...]:
    """Every play site.yml runs, in order."""
    found: list[Play] = []
    _collect_plays(playbooks or playbooks_dir(), SITE, found, set())
    return tuple(found)


def _collect_plays(base: Path, name: str, found: list[Play], seen: set[str]) -> None:
    if name in seen or "{{" in name:
        return
    seen.add(name)
    loaded = _load(base / name) or []
    for play in loaded if isinstance(loaded, list) else []:
        if not isinstance(play, dict):
            continue
        if isinstance(play.get("import_playbook"), str):
            _collect_plays(base, play["import_playbook"], found, seen)
            continue
        selecting = set(_tags(play.get("tags")))
        for entry in play.get("roles") or []:
            if isinstance(entry, dict):
                selecting.update(_tags(entry.get("tags")))
        crossing: set[str] = set()
        for task in _walk(play.get("tasks") or []):
            spec = task.get("include_role") or task.get("ansible.builtin.include_role")
            own = set(_tags(task.get("tags")))
            if isinstance(spec, dict) and "tasks_from" in spec:
                crossing |= own
            else:
                selecting |= own
        name = play.get("name") if isinstance(play.get("name"), str) else ""
        hosts = play.get("hosts")
        patterns = [hosts] if isinstance(hosts, str) else hosts if isinstance(hosts, list) else []
        found.append(
            Play(
                name,
                frozenset(selecting - {"always"}),
                frozenset(crossing - {"always"}),
                tuple(str(pattern) for pattern in patterns),
            )
        )
