"""kolla-ansible's inventory (Ansible INI) as data: which hosts are in which groups.

Membership is effective membership: a host in `controllers` is also in every group that has
`controllers` among its children, as Ansible sees it.
"""

import shlex
from dataclasses import dataclass, field

IMPLICIT = ("all", "ungrouped")


@dataclass
class Inventory:
    hosts: dict[str, dict[str, str]] = field(default_factory=dict)  # host -> inline variables
    direct: dict[str, set[str]] = field(default_factory=dict)  # group -> hosts listed in it
    children: dict[str, list[str]] = field(default_factory=dict)  # group -> child groups
    group_vars: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def groups(self) -> list[str]:
        return sorted(set(self.direct) | set(self.children) | set(self.group_vars))

    def members(self, group: str) -> set[str]:
        """Every host of `group`, through its children (cycles are tolerated)."""
        seen: set[str] = set()
        pending = [group]
        hosts: set[str] = set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            hosts |= self.direct.get(name, set())
            pending += self.children.get(name, [])
        return hosts

    def membership(self) -> dict[str, set[str]]:
        """host -> every group it is in (effective)."""
        result: dict[str, set[str]] = {host: set() for host in self.hosts}
        for group in self.groups:
            for host in self.members(group):
                result.setdefault(host, set()).add(group)
        return result


def parse(text: str) -> Inventory:
    inventory = Inventory()
    group, kind = "ungrouped", "hosts"
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            name = line[1:-1].strip()
            group, _, kind = name.partition(":")
            kind = kind or "hosts"
            if kind == "hosts":
                inventory.direct.setdefault(group, set())
            elif kind == "children":
                inventory.children.setdefault(group, [])
            else:
                inventory.group_vars.setdefault(group, {})
            continue
        if kind == "children":
            inventory.children.setdefault(group, []).append(line.split()[0])
        elif kind == "vars":
            key, _, value = line.partition("=")
            inventory.group_vars.setdefault(group, {})[key.strip()] = value.strip()
        else:
            try:
                words = shlex.split(line, comments=True)
            except ValueError:
                words = line.split()
            if not words:
                continue
            host, variables = words[0], dict(w.partition("=")[::2] for w in words[1:])
            inventory.hosts.setdefault(host, {}).update(variables)
            inventory.direct.setdefault(group, set()).add(host)
    return inventory
