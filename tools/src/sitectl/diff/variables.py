"""kayobe's variables, host by host: changes grouped by the exact set of hosts that changed
the same way ("storage_net_mtu 9000 -> 8950 on the storage hosts and controllers")."""

from collections import defaultdict
from typing import Any

from sitectl.diff.hosts import HostNamer, sort_hosts
from sitectl.diff.model import ValueChange, VariableGroup
from sitectl.diff.side import Render
from sitectl.diff.value_diff import SameChange, value_changes

# Kayobe variables that say nothing about the configuration, or that the inventory section
# already reports (groups, group_names).
VOLATILE = frozenset(
    {
        *("groups", "group_names", "inventory_hostname", "inventory_hostname_short"),
        *("inventory_dir", "inventory_file", "playbook_dir", "ansible_playbook_python"),
        *("hostvars", "omit", "play_hosts", "ansible_play_hosts", "ansible_play_batch"),
        *("ansible_play_hosts_all", "ansible_config_file", "ansible_version"),
    }
)


def compare_kayobe(base: Render, head: Render, namer: HostNamer) -> list[VariableGroup]:
    """Variable changes of hosts on both sides, grouped by the exact set of hosts that changed
    the same way (hosts added or removed are the inventory's news)."""
    by_change: dict[SameChange, set[str]] = defaultdict(set)
    changes: dict[SameChange, ValueChange] = {}
    for host in set(base.kayobe) & set(head.kayobe):
        old, new = stable(base.kayobe[host]), stable(head.kayobe[host])
        for path, change in value_changes(old, new, ""):
            key = SameChange.of(change, path)
            by_change[key].add(host)
            changes[key] = change
    by_hosts: dict[frozenset[str], list[ValueChange]] = defaultdict(list)
    for key, hosts in by_change.items():
        by_hosts[frozenset(hosts)].append(changes[key])
    groups = [
        VariableGroup(
            hosts=sort_hosts(hosts),
            hosts_label=namer.label(hosts, universe=set(base.kayobe) & set(head.kayobe)),
            changes=sorted(group, key=lambda c: c.name),
        )
        for hosts, group in by_hosts.items()
    ]
    groups.sort(key=lambda g: (-len(g.hosts), g.hosts_label))
    return groups


def stable(variables: dict[str, Any] | None) -> dict[str, Any]:
    """The variables that describe the configuration (VOLATILE left out)."""
    return {k: v for k, v in (variables or {}).items() if k not in VOLATILE}
