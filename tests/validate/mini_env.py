"""Minimal environments for the validator's tests, built in a temporary copy of the repository.

`add_env()` writes one environment: by default two hosts (controller ctl1, hypervisor cmp1) on
a clean network plan that validates without findings; a test passes the few changes that break
one rule. The repository's own files are never changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

NETWORKS: dict[str, Any] = {
    "oob_net_cidr": "10.10.0.0/24",
    "oob_wl_net_cidr": "10.10.1.0/24",
    "oob_wl_net_vlan": 101,
    "provision_oc_net_cidr": "10.10.2.0/24",
    "provision_wl_net_cidr": "10.10.3.0/24",
    "provision_wl_net_vlan": 103,
    "internal_net_cidr": "10.10.4.0/24",
    "internal_net_vlan": 104,
    "internal_net_vip_address": "10.10.4.2",
    "public_net_cidr": "10.10.5.0/24",
    "public_net_vlan": 105,
    "public_net_vip_address": "10.10.5.2",
    "tunnel_net_cidr": "10.10.6.0/24",
    "tunnel_net_vlan": 106,
    "storage_net_cidr": "10.10.7.0/24",
    "storage_net_vlan": 107,
    "storage_mgmt_net_cidr": "10.10.8.0/24",
    "storage_mgmt_net_vlan": 108,
    "ib_net_cidr": "10.10.9.0/24",
    "physnet1_net_physical_network": "physnet1",
}

ALLOCATIONS: dict[str, Any] = {
    "oob_wl_net_ips": {"ctl1": "10.10.1.11"},
    "provision_oc_net_ips": {"ctl1": "10.10.2.11", "cmp1": "10.10.2.21"},
    "provision_wl_net_ips": {"ctl1": "10.10.3.11"},
    "internal_net_ips": {"ctl1": "10.10.4.11", "cmp1": "10.10.4.21"},
    "public_net_ips": {"ctl1": "10.10.5.11"},
    "tunnel_net_ips": {"ctl1": "10.10.6.11", "cmp1": "10.10.6.21"},
    "storage_net_ips": {"ctl1": "10.10.7.11", "cmp1": "10.10.7.21"},
    "ib_net_ips": {"ctl1": "10.10.9.11", "cmp1": "10.10.9.21"},
}

INTERFACES: dict[str, Any] = {
    "provision_oc_net_interface": "eth0",
    "oob_wl_net_interface": "eth0.101",
    "provision_wl_net_interface": "eth0.103",
    "internal_net_interface": "eth0.104",
    "public_net_interface": "eth0.105",
    "tunnel_net_interface": "eth0.106",
    "storage_net_interface": "eth0.107",
    "storage_mgmt_net_interface": "eth0.108",
    "physnet1_net_interface": "br1",
    "physnet1_net_bridge_ports": ["eth1"],
    "ib_net_interface": "ib0",
    "sriov_net_interface": "ens2f0",
}

HOSTS = {"controllers": ["ctl1"], "compute": ["cmp1"]}
# Networks only a mixin puts in use (its *_net_name): an environment without the mixin does
# not define them, or their attributes would be variables nothing reads (variable-unread).
MIXIN_NETWORKS = {
    "ironic": ("oob_wl_net", "provision_wl_net"),
    "ephemeral-hypervisors": ("oob_wl_net", "provision_wl_net"),  # it depends on ironic
    "infiniband": ("ib_net",),
    "sriov": ("sriov_net",),
}


def _merge(base: Mapping[str, Any], changes: Mapping[str, Any] | None) -> dict[str, Any]:
    """`base` with `changes` applied; a change to None removes the key."""
    merged = dict(base)
    for key, value in (changes or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _yaml(data: Mapping[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(dict(data), default_flow_style=False, sort_keys=True)


def _unused_networks(dependencies: Sequence[str]) -> set[str]:
    used = {net for mixin in dependencies for net in MIXIN_NETWORKS.get(mixin, ())}
    return {net for nets in MIXIN_NETWORKS.values() for net in nets} - used


def _without(variables: Mapping[str, Any], networks: set[str]) -> dict[str, Any]:
    return {k: v for k, v in variables.items() if not any(k.startswith(f"{n}_") for n in networks)}


def add_env(
    repo: Path,
    name: str,
    dependencies: Sequence[str] = (),
    hosts: Mapping[str, Sequence[str]] | None = None,
    networks: Mapping[str, Any] | None = None,
    allocations: Mapping[str, Any] | None = None,
    interfaces: Mapping[str, Any] | None = None,
    files: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
) -> str:
    """Write environment `name` into `repo`: the clean two-host site with these changes.

    `hosts` maps inventory groups to hosts (default: HOSTS; an entry `group` may also be
    `host key=value` INI text). `networks`, `allocations` and `interfaces` change NETWORKS,
    ALLOCATIONS and INTERFACES (a value None removes the key). `files` adds or replaces files,
    by path relative to the environment; `links` adds symbolic links there (path: target).
    """
    env = repo / "environments" / name
    (env / "inventory" / "group_vars" / "all").mkdir(parents=True)
    (env / ".kayobe-environment").write_text(f"---\ndependencies: {list(dependencies)!r}\n")
    inventory = "".join(
        f"[{group}]\n" + "".join(f"{host}\n" for host in members) + "\n"
        for group, members in (hosts if hosts is not None else HOSTS).items()
    )
    (env / "inventory" / "hosts").write_text(inventory)
    unused = _unused_networks(dependencies)
    (env / "inventory" / "group_vars" / "all" / "network-interfaces").write_text(
        _yaml(_merge(_without(INTERFACES, unused), interfaces))
    )
    (env / "networks.yml").write_text(_yaml(_merge(_without(NETWORKS, unused), networks)))
    (env / "network-allocation.yml").write_text(
        _yaml(_merge(_without(ALLOCATIONS, unused), allocations))
    )
    for relative, content in (files or {}).items():
        (env / relative).parent.mkdir(parents=True, exist_ok=True)
        (env / relative).write_text(content)
    for relative, target in (links or {}).items():
        (env / relative).parent.mkdir(parents=True, exist_ok=True)
        (env / relative).symlink_to(target)
    return name


def vault_variable(name: str, plaintext: str, password: str) -> str:
    """`name: !vault |` with `plaintext` encrypted, as ansible-vault encrypt_string writes it."""
    from ansible.parsing.vault import VaultLib, VaultSecret

    vault = VaultLib([("default", VaultSecret(password.encode()))])
    encrypted = vault.encrypt(plaintext).decode()
    return f"{name}: !vault |\n" + "".join(f"  {line}\n" for line in encrypted.splitlines())
