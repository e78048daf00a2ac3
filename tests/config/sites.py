"""The environments of the repository, by kind."""

from __future__ import annotations

MIXINS = [
    "infiniband",
    "sriov",
    "ironic",
    "ephemeral-hypervisors",
    "monitoring",
    "blazar",
    "magnum",
]
SITE_ENVIRONMENTS = ["example-site", "ci-aio"]
ALL_ENVIRONMENTS = MIXINS + SITE_ENVIRONMENTS


def groups_of(hostvars: dict) -> set[str]:
    return set(hostvars.get("group_names", []))


def hosts_in(hosts: dict[str, dict], group: str) -> set[str]:
    return {name for name, hostvars in hosts.items() if group in groups_of(hostvars)}


def managed(hosts: dict[str, dict]) -> dict[str, dict]:
    """Hosts kayobe logs into: every host but bare-metal instances' nodes."""
    return {
        name: hostvars
        for name, hostvars in hosts.items()
        if groups_of(hostvars) - {"baremetal-compute"}
    }
