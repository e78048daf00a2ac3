"""Which kolla-ansible service a file belongs to, read from kolla-ansible's own playbooks.

- A rendered container directory (`nova-api`, `neutron-openvswitch-agent`) belongs to the
  service named by its shortest prefix that is a kolla-ansible tag (`nova`, `neutron`).
- An override under kolla/config/ (`nova.conf`, `neutron/ml2_conf.ini`) is read by the roles
  whose tasks name it (`{{ node_custom_config }}/nova.conf`); rendering their tags is enough.

Both come from the installed kolla-ansible (site.yml and the playbooks it imports, and the
roles' tasks, read by sitectl.kolla_playbooks), so they follow its version; without them
sitectl stops with an error rather than plan from nothing.
"""

import functools
from dataclasses import dataclass, field
from pathlib import Path

from sitectl import kolla_custom_config, kolla_playbooks


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

    def read_by_any(self, name: str, roles: frozenset[str]) -> bool:
        """Whether any of `roles` reads kolla/config/NAME."""
        return bool(self.readers.get(name, frozenset()) & roles)

    def container_service(self, container: str) -> str:
        """nova-api -> nova; kolla-toolbox -> kolla_toolbox; unknown -> the container name."""
        known = {tag.replace("_", "-"): tag for tag in self.tags}
        words = container.split("-")
        for end in range(1, len(words) + 1):
            prefix = "-".join(words[:end])
            if prefix in known:
                return known[prefix].replace("_", "-")
        return container


@functools.cache
def load(playbooks: Path | None = None) -> KollaServices:
    """From the installed kolla-ansible (SiteError when its playbooks are missing)."""
    return KollaServices(
        role_tags=kolla_playbooks.role_tags(playbooks),
        readers=kolla_custom_config.override_readers(playbooks),
    )
