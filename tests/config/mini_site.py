"""A minimal site environment built in a temporary copy of the repository.

It depends on exactly one mixin, so a test can see what that mixin brings and
that the others bring nothing. The repository's own files are never changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

# The group that puts the one hypervisor under each mixin's feature.
FEATURE_GROUP = {
    "infiniband": "compute-infiniband",
    "sriov": "compute-sriov",
    "ironic": "compute",
    "ephemeral-hypervisors": "ephemeral-hypervisors",
    "monitoring": "monitoring",
    "blazar": "reservable",
    "magnum": "compute",
}

NETWORKS = """\
---
oob_net_cidr: 10.10.0.0/24
oob_wl_net_cidr: 10.10.1.0/24
oob_wl_net_vlan: 101
provision_oc_net_cidr: 10.10.2.0/24
provision_wl_net_cidr: 10.10.3.0/24
provision_wl_net_vlan: 103
internal_net_cidr: 10.10.4.0/24
internal_net_vlan: 104
internal_net_vip_address: 10.10.4.2
public_net_cidr: 10.10.5.0/24
public_net_vlan: 105
public_net_vip_address: 10.10.5.2
tunnel_net_cidr: 10.10.6.0/24
tunnel_net_vlan: 106
storage_net_cidr: 10.10.7.0/24
storage_net_vlan: 107
storage_mgmt_net_cidr: 10.10.8.0/24
storage_mgmt_net_vlan: 108
ib_net_cidr: 10.10.9.0/24
physnet1_net_physical_network: physnet1
"""

ALLOCATIONS = """\
---
oob_wl_net_ips: {ctl1: 10.10.1.11}
provision_oc_net_ips: {ctl1: 10.10.2.11, cmp1: 10.10.2.21}
provision_wl_net_ips: {ctl1: 10.10.3.11}
internal_net_ips: {ctl1: 10.10.4.11, cmp1: 10.10.4.21}
public_net_ips: {ctl1: 10.10.5.11}
tunnel_net_ips: {ctl1: 10.10.6.11, cmp1: 10.10.6.21}
storage_net_ips: {ctl1: 10.10.7.11, cmp1: 10.10.7.21}
ib_net_ips: {ctl1: 10.10.9.11, cmp1: 10.10.9.21}
"""

INTERFACES = """\
---
provision_oc_net_interface: eth0
oob_wl_net_interface: eth0.101
provision_wl_net_interface: eth0.103
internal_net_interface: eth0.104
public_net_interface: eth0.105
tunnel_net_interface: eth0.106
storage_net_interface: eth0.107
storage_mgmt_net_interface: eth0.108
physnet1_net_interface: br1
physnet1_net_bridge_ports: [eth1]
ib_net_interface: ib0
sriov_net_interface: ens2f0
"""


_NOT_CONFIGURATION = shutil.ignore_patterns("__pycache__", "molecule")


def copy_repository(source: Path, destination: Path) -> Path:
    """Copy the kayobe configuration (not tools, tests or git) of a repository: etc/, the
    environments, ci/ and the site's Ansible code (etc/kayobe/ansible links to it)."""
    shutil.copytree(source / "etc", destination / "etc", symlinks=True)
    shutil.copytree(source / "ansible", destination / "ansible", ignore=_NOT_CONFIGURATION)
    shutil.copytree(source / "environments", destination / "environments")
    shutil.copytree(source / "ci", destination / "ci")
    return destination


def add_mini_site(repo: Path, mixin: str) -> str:
    """Add environment mini-<mixin>: one controller and one hypervisor."""
    name = f"mini-{mixin}"
    env = repo / "environments" / name
    (env / "inventory" / "group_vars" / "all").mkdir(parents=True)
    (env / ".kayobe-environment").write_text(f"---\ndependencies:\n  - {mixin}\n")
    (env / "inventory" / "hosts").write_text(
        f"[controllers]\nctl1\n\n[{FEATURE_GROUP[mixin]}]\ncmp1\n"
    )
    (env / "inventory" / "group_vars" / "all" / "network-interfaces").write_text(INTERFACES)
    (env / "networks.yml").write_text(NETWORKS)
    (env / "network-allocation.yml").write_text(ALLOCATIONS)
    return name
