"""Which kolla-ansible service a file belongs to, read from kolla-ansible's own playbooks.

- A rendered container directory (`nova-api`, `neutron-openvswitch-agent`) belongs to the
  service named by its shortest prefix that is a kolla-ansible tag (`nova`, `neutron`).
- An override under kolla/config/ (`nova.conf`, `neutron/ml2_conf.ini`) is read by the roles
  whose tasks name it (`{{ node_custom_config }}/nova.conf`); rendering their tags is enough.

Both come from the installed kolla-ansible (site.yml and the playbooks it imports, and the
roles' tasks), so they follow its version. Without it, nothing is known: callers fall back to
rendering everything.
"""

import functools
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_CUSTOM_CONFIG = re.compile(r"node_custom_config\s*\}\}/([A-Za-z0-9_.-]+)")


@dataclass(frozen=True)
class KollaServices:
    role_tags: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role -> its tags
    readers: dict[str, frozenset[str]] = field(default_factory=dict)  # override -> roles

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(t for tags in self.role_tags.values() for t in tags)

    def service_tag(self, role: str) -> str | None:
        """The tag that selects `role`: its own name when it is a tag, else its first."""
        tags = self.role_tags.get(role, ())
        return role if role in tags else (tags[0] if tags else None)

    def tags_for_override(self, name: str) -> frozenset[str] | None:
        """Tags to render after a change to kolla/config/NAME (NAME = file stem or directory);
        None when no role is known to read it."""
        roles = self.readers.get(name)
        if not roles:
            return None
        tags = {self.service_tag(role) for role in roles}
        return None if None in tags else frozenset(t for t in tags if t)

    def container_service(self, container: str) -> str:
        """nova-api -> nova; kolla-toolbox -> kolla_toolbox; unknown -> the container name."""
        known = {tag.replace("_", "-"): tag for tag in self.tags}
        words = container.split("-")
        for end in range(1, len(words) + 1):
            prefix = "-".join(words[:end])
            if prefix in known:
                return known[prefix].replace("_", "-")
        return container


def kolla_ansible_dir() -> Path | None:
    """kolla-ansible's playbooks in the toolchain's virtualenv."""
    path = Path(sys.prefix, "share", "kolla-ansible", "ansible")
    return path if (path / "site.yml").is_file() else None


@functools.cache
def load(playbooks: Path | None = None) -> KollaServices:
    playbooks = playbooks or kolla_ansible_dir()
    if playbooks is None:
        return KollaServices()
    role_tags: dict[str, list[str]] = {}
    _read_playbook(playbooks, "site.yml", role_tags, set())
    readers: dict[str, set[str]] = {}
    roles_dir = playbooks / "roles"
    for role in sorted(role_tags):
        for task_file in sorted((roles_dir / role).glob("**/*.yml")):
            text = task_file.read_text(encoding="utf-8", errors="replace")
            for name in _CUSTOM_CONFIG.findall(text):
                stem = name.removesuffix(".j2")
                stem = stem.rsplit(".", 1)[0] if "." in stem else stem
                readers.setdefault(stem, set()).add(role)
    return KollaServices(
        role_tags={role: tuple(dict.fromkeys(tags)) for role, tags in role_tags.items()},
        readers={name: frozenset(roles) for name, roles in readers.items()},
    )


def _read_playbook(base: Path, name: str, role_tags: dict[str, list[str]], seen: set[str]) -> None:
    if name in seen or "{{" in name:
        return
    seen.add(name)
    try:
        plays = yaml.safe_load((base / name).read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError):
        return
    for play in plays if isinstance(plays, list) else []:
        if not isinstance(play, dict):
            continue
        if isinstance(play.get("import_playbook"), str):
            _read_playbook(base, play["import_playbook"], role_tags, seen)
            continue
        play_tags = _tags(play.get("tags"))
        for entry in play.get("roles") or []:
            role = entry if isinstance(entry, str) else (entry or {}).get("role")
            if not isinstance(role, str):
                continue
            own = [] if isinstance(entry, str) else _tags(entry.get("tags"))
            role_tags.setdefault(role, []).extend(t for t in own + play_tags if t != "always")
        for task in play.get("tasks") or []:  # `import_role: name: mariadb` (whole roles only)
            for action in ("import_role", "include_role"):
                spec = task.get(action) or task.get(f"ansible.builtin.{action}")
                whole = isinstance(spec, dict) and "tasks_from" not in spec
                if whole and isinstance(spec.get("name"), str):
                    tags = _tags(task.get("tags")) + play_tags
                    role_tags.setdefault(spec["name"], []).extend(t for t in tags if t != "always")


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [t for t in value if isinstance(t, str)]
    return []
