"""Naming a set of hosts the way an operator would: "3 controllers", "compute-sriov (2 hosts)".

A set of hosts that is exactly an inventory group is named after the group (kayobe's groups
first: they are the site's vocabulary; kolla's derived groups after them), else listed.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Groups that name no kind of host (every host is in them, or kayobe adds them by itself).
IGNORED = frozenset({"all", "ungrouped", "overcloud", "container-engine", "ntp", "docker"})
PREFERRED = ("controllers", "compute", "storage", "monitoring", "network", "seed")
LISTED = 6  # more hosts than this: the first few and a count
_PLURAL = re.compile(r"^[a-z]+s$")


def natural_key(name: str) -> list[object]:
    """cmp2 before cmp10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def sort_hosts(hosts: Iterable[str]) -> list[str]:
    return sorted(hosts, key=natural_key)


@dataclass
class HostNamer:
    all_hosts: frozenset[str] = frozenset()
    groups: dict[str, frozenset[str]] = field(default_factory=dict)  # in preference order

    @classmethod
    def build(
        cls,
        all_hosts: Iterable[str],
        site_groups: Mapping[str, Iterable[str]],
        derived_groups: Mapping[str, Iterable[str]] | None = None,
    ) -> "HostNamer":
        """`site_groups`: kayobe's groups (group -> hosts); `derived_groups`: kolla's."""
        ordered: dict[str, frozenset[str]] = {}
        site = {g: frozenset(h) for g, h in site_groups.items() if g not in IGNORED and h}
        for name in [*(g for g in PREFERRED if g in site), *sorted(site)]:
            ordered.setdefault(name, site[name])
        derived_groups = derived_groups or {}
        for name in sorted(derived_groups):
            if name not in IGNORED and name not in ordered and derived_groups[name]:
                ordered[name] = frozenset(derived_groups[name])
        return cls(frozenset(all_hosts), ordered)

    def group_of(self, hosts: Iterable[str]) -> str | None:
        """The preferred group whose hosts are exactly `hosts`."""
        wanted = frozenset(hosts)
        return next((name for name, members in self.groups.items() if members == wanted), None)

    def label(self, hosts: Iterable[str], universe: Iterable[str] | None = None) -> str:
        """`universe`: the hosts the change could have been on (e.g. those on both sides)."""
        hosts = sort_hosts(set(hosts))
        count = len(hosts)
        if count == 0:
            return "no host"
        if count == 1:
            return hosts[0]
        if self.all_hosts and set(hosts) == self.all_hosts:
            return f"all {count} hosts"
        if universe is not None and set(hosts) == set(universe):
            return f"all {count} existing hosts"
        group = self.group_of(hosts)
        if group is not None:
            return f"{count} {group}" if _PLURAL.match(group) else f"{group} ({count} hosts)"
        if count <= LISTED:
            return ", ".join(hosts)
        return f"{', '.join(hosts[: LISTED - 1])} and {count - LISTED + 1} more hosts"
