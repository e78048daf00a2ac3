"""The inventory's news: hosts added and removed, hosts moved between groups (the site's and
kolla-ansible's), hosts whose kolla-ansible host variables changed, and group variables;
hosts that changed the same way are reported together."""

from collections import defaultdict
from dataclasses import dataclass

from sitectl.diff.hosts import IGNORED, HostNamer, natural_key, sort_hosts
from sitectl.diff.model import HostChange
from sitectl.diff.side import Render
from sitectl.diff.value_diff import SameChange, value_changes

ORDER = {"added": 0, "removed": 1, "moved": 2, "changed": 3, "group variables": 4}


@dataclass(frozen=True)
class _Move:
    """What happened to a host; hosts with equal moves are one HostChange."""

    kind: str  # added, removed, moved, changed
    groups_added: tuple[str, ...] = ()
    groups_removed: tuple[str, ...] = ()
    kolla_groups_added: tuple[str, ...] = ()
    kolla_groups_removed: tuple[str, ...] = ()
    variables: tuple[SameChange, ...] = ()


def site_groups(render: Render, host: str) -> set[str]:
    names = (render.kayobe.get(host) or {}).get("group_names") or []
    return {g for g in names if isinstance(g, str) and g not in IGNORED}


def compare_inventory(base: Render, head: Render, namer: HostNamer) -> list[HostChange]:
    grouped: dict[_Move, set[str]] = defaultdict(set)
    for host, move in _moves(base, head):
        grouped[move].add(host)
    changes = [_host_change(move, hosts, namer) for move, hosts in grouped.items()]
    changes += _group_variables(base, head)
    changes.sort(key=lambda c: (ORDER[c.kind], natural_key(c.hosts[0] if c.hosts else "")))
    return changes


def _moves(base: Render, head: Render) -> list[tuple[str, _Move]]:
    base_kolla, head_kolla = base.inventory.membership(), head.inventory.membership()

    def kolla(membership: dict[str, set[str]], host: str) -> set[str]:
        return membership.get(host, set()) - set(IGNORED)

    moves = []
    for host in head.hosts - base.hosts:
        groups = tuple(sorted(site_groups(head, host)))
        added = tuple(sorted(kolla(head_kolla, host)))
        moves.append((host, _Move("added", groups, kolla_groups_added=added)))
    for host in base.hosts - head.hosts:
        groups = tuple(sorted(site_groups(base, host)))
        removed = tuple(sorted(kolla(base_kolla, host)))
        moves.append((host, _Move("removed", groups_removed=groups, kolla_groups_removed=removed)))
    for host in base.hosts & head.hosts:
        old, new = site_groups(base, host), site_groups(head, host)
        old_kolla, new_kolla = kolla(base_kolla, host), kolla(head_kolla, host)
        variables = tuple(
            SameChange.of(change, name)
            for name, change in value_changes(
                base.host_vars.get(host, {}), head.host_vars.get(host, {}), ""
            )
        )
        moved = old != new or old_kolla != new_kolla
        if moved or variables:
            move = _Move(
                "moved" if moved else "changed",
                tuple(sorted(new - old)),
                tuple(sorted(old - new)),
                tuple(sorted(new_kolla - old_kolla)),
                tuple(sorted(old_kolla - new_kolla)),
                variables,
            )
            moves.append((host, move))
    return moves


def _host_change(move: _Move, hosts: set[str], namer: HostNamer) -> HostChange:
    listed = move.kind in ("added", "removed")
    return HostChange(
        kind=move.kind,
        hosts=sort_hosts(hosts),
        hosts_label=", ".join(sort_hosts(hosts)) if listed else namer.label(hosts),
        groups_added=list(move.groups_added),
        groups_removed=list(move.groups_removed),
        kolla_groups_added=list(move.kolla_groups_added),
        kolla_groups_removed=list(move.kolla_groups_removed),
        variables=[change.change() for change in move.variables],
    )


def _group_variables(base: Render, head: Render) -> list[HostChange]:
    changes = []
    for group in sorted(set(base.group_vars) | set(head.group_vars)):
        found = [
            change
            for _, change in value_changes(
                base.group_vars.get(group, {}), head.group_vars.get(group, {}), ""
            )
        ]
        if found:
            members = head.inventory.members(group) or base.inventory.members(group)
            changes.append(
                HostChange(
                    kind="group variables",
                    hosts=sort_hosts(members),
                    hosts_label=f"group {group}",
                    variables=found,
                )
            )
    return changes
