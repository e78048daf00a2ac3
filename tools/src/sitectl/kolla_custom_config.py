"""Which of the site's kolla/config overrides kolla-ansible's roles read, from the roles' own
files in the toolchain.

- A role reads kolla/config/NAME when one of its files names `{{ node_custom_config }}/NAME`
  (NAME: the first path component without its extension, so nova.conf and nova/ are `nova`).
- A role that uses node_custom_config any other way (`{{ node_custom_config }}/{{ item }}.conf`,
  or the directory itself) may read any override: what it reads is unknown.
- A role also reads whatever the roles it includes, imports or depends on read; a role it
  names by a template, or one that is not in kolla-ansible's roles, makes that unknown too.
"""

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from sitectl import kolla_playbooks
from sitectl.errors import SiteError

_LITERAL = re.compile(r"node_custom_config\s*\}\}/([A-Za-z0-9_.-]+)")
_ANY = re.compile(r"node_custom_config\b")
_USES_ROLE = re.compile(r"^(\s*)(?:- )?(?:ansible\.builtin\.)?(?:include|import)_role:\s*$")
_NAME = re.compile(r"^(\s*)(?:name|role):\s*[\"']?([^\"'\s]+)[\"']?\s*$")
_SCANNED = ("*.yml", "*.yaml", "*.j2")


def override_name(component: str) -> str:
    """kolla/config/COMPONENT's name: nova.conf -> nova, nova -> nova, backup.my.cnf ->
    backup.my."""
    stem = component.removesuffix(".j2")
    return stem.rsplit(".", 1)[0] if "." in stem else stem


@dataclass(frozen=True)
class RoleReads:
    names: frozenset[str]  # overrides its own files name
    computed: bool  # it reaches node_custom_config by a name it computes
    uses: frozenset[str]  # roles it includes, imports or depends on ("{{" in a name: computed)


@functools.cache
def role_reads(playbooks: Path | None = None) -> dict[str, RoleReads]:
    """Every role of the installed kolla-ansible -> what its own files read."""
    roles = (playbooks or kolla_playbooks.playbooks_dir()) / "roles"
    if not roles.is_dir():
        raise SiteError(f"kolla-ansible's roles are not at {roles}: run `tools/sitectl setup`.")
    found = {}
    for role in sorted(p for p in roles.iterdir() if p.is_dir()):
        names: set[str] = set()
        computed = False
        uses: set[str] = set(_dependencies(role / "meta" / "main.yml"))
        for pattern in _SCANNED:
            for path in sorted(role.rglob(pattern)):
                text = path.read_text(encoding="utf-8", errors="replace")
                literal = _LITERAL.findall(text)
                names.update(override_name(component) for component in literal)
                computed = computed or len(_ANY.findall(text)) > len(literal)
                uses.update(_used_roles(text))
        found[role.name] = RoleReads(frozenset(names), computed, frozenset(uses))
    return found


def _dependencies(meta: Path) -> list[str]:
    try:
        loaded = yaml.safe_load(meta.read_text(encoding="utf-8")) if meta.is_file() else None
    except (OSError, yaml.YAMLError):
        return ["{{ unreadable meta/main.yml }}"]
    entries = loaded.get("dependencies") if isinstance(loaded, dict) else None
    named = [e if isinstance(e, str) else (e or {}).get("role") for e in entries or []]
    return [name if isinstance(name, str) else "{{ unnamed }}" for name in named]


def _used_roles(text: str) -> Iterable[str]:
    """The roles `include_role:` / `import_role:` blocks name (their `name:` or `role:`)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        block = _USES_ROLE.match(line)
        if not block:
            continue
        indent = len(block.group(1)) + (2 if line.lstrip().startswith("- ") else 0)
        for following in lines[index + 1 : index + 8]:
            name = _NAME.match(following)
            if name and len(name.group(1)) > indent:
                yield name.group(2)
                break
        else:
            yield "{{ a role this block does not name plainly }}"


def read_by(roles: Iterable[str], playbooks: Path | None = None) -> frozenset[str] | None:
    """Every override `roles` read, with the roles they use; None when that is unknown."""
    known = role_reads(playbooks)
    names: set[str] = set()
    pending, seen = list(roles), set()
    while pending:
        role = pending.pop()
        if role in seen:
            continue
        seen.add(role)
        reads = known.get(role)
        if reads is None or reads.computed or any("{{" in used for used in reads.uses):
            return None
        names |= reads.names
        pending += reads.uses
    return frozenset(names)


@functools.cache
def override_readers(playbooks: Path | None = None) -> dict[str, frozenset[str]]:
    """kolla/config/NAME -> the roles of site.yml whose own files name it."""
    known = role_reads(playbooks)
    readers: dict[str, set[str]] = {}
    for role in sorted(kolla_playbooks.role_tags(playbooks)):
        for name in known[role].names if role in known else ():
            readers.setdefault(name, set()).add(role)
    return {name: frozenset(roles) for name, roles in readers.items()}


def every_name(playbooks: Path | None = None) -> frozenset[str]:
    """Every override some role of kolla-ansible names."""
    return frozenset(name for reads in role_reads(playbooks).values() for name in reads.names)
