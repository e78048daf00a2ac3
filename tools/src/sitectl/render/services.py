"""Which services a render can be limited to: kolla-ansible's tags.

`--services nova,neutron` becomes kolla-ansible's `--tags nova,neutron` (through kayobe's
`-t`, which kayobe also applies to its own playbooks, whose configuration plays run
regardless). The valid names are the tags of the installed kolla-ansible's site.yml and the
playbooks it imports, so a typo is an error instead of an empty render.
"""

import sys
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from sitectl.errors import SiteError

NOT_SERVICES = frozenset({"always", "never"})
# What a selected render needs in every host's output directory: kolla's per-service roles
# register themselves there, in directories that the (unselected) haproxy and proxysql roles
# would otherwise create.
SHARED_DIRECTORIES = ("haproxy/services.d", "proxysql/users", "proxysql/rules")


def playbooks_dir() -> Path:
    return Path(sys.prefix, "share", "kolla-ansible", "ansible")


@cache
def known_services() -> frozenset[str]:
    site = playbooks_dir() / "site.yml"
    try:
        return frozenset(_tags_of(site, set()) - NOT_SERVICES)
    except (OSError, yaml.YAMLError) as e:
        raise SiteError(f"cannot read kolla-ansible's playbooks ({site}): {e}") from None


def selection(services: Sequence[str] | None) -> list[str] | None:
    """The sorted, checked selection (None: every service)."""
    if services is None:
        return None
    names = sorted({name.strip() for name in services if name.strip()})
    if not names:
        raise SiteError("--services is empty; name at least one service, or leave it out.")
    unknown = [name for name in names if name not in known_services()]
    if unknown:
        raise SiteError(
            f"unknown service{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: a service "
            "is one of kolla-ansible's tags: " + ", ".join(sorted(known_services())) + "."
        )
    return names


def _tags_of(playbook: Path, seen: set[Path]) -> set[str]:
    if playbook in seen or not playbook.is_file():
        return set()
    seen.add(playbook)
    found: set[str] = set()
    for node in _walk(yaml.safe_load(playbook.read_text(encoding="utf-8"))):
        tags = node.get("tags")
        if isinstance(tags, str):
            found.add(tags)
        elif isinstance(tags, list):
            found.update(tag for tag in tags if isinstance(tag, str))
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
