"""The configuration `sitectl check hosts` is tested on, written from scratch: node1 (a
controller and an SR-IOV hypervisor) with an admin network on eth0, an internal network with
jumbo frames on eth1 and an external network on the bridge br-ex (port eth2); node2, a
hypervisor that is not there. The host stand-in (host.py) is built to match node1."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.builder import GLOBALS, GROUPS, IPA, KOLLA, Shape

NODE1_ADMIN = "10.99.0.11"
NODE2_ADMIN = "10.99.0.12"
GATEWAY = "10.99.0.1"  # this machine's end of the admin network
SYSFS = "/srv/sysfs"  # where the stand-in's SR-IOV sysfs tree is (sriov_sysfs_root)
NUMVFS = 8

NETWORKS = """\
---
# An admin network, an internal one (jumbo frames) and an external one on a bridge.
admin_oc_net_name: admin_net
oob_oc_net_name: admin_net
provision_oc_net_name: admin_net
internal_net_name: internal_net
public_net_name: internal_net
tunnel_net_name: internal_net
storage_net_name: internal_net
storage_mgmt_net_name: internal_net
external_net_names: [external_net]

admin_net_cidr: 10.99.0.0/24
admin_net_mtu: 1500

internal_net_cidr: 10.98.0.0/24
internal_net_mtu: 9000
internal_net_vip_address: 10.98.0.2

external_net_cidr: 10.97.0.0/24
external_net_mtu: 1500
external_net_physical_network: physnet1
"""

ALLOCATION = f"""\
---
admin_net_ips:
  node1: {NODE1_ADMIN}
  node2: {NODE2_ADMIN}
internal_net_ips:
  node1: 10.98.0.11
  node2: 10.98.0.12
external_net_ips:
  node1: 10.97.0.11
"""

INTERFACES = """\
---
admin_net_interface: eth0
internal_net_interface: eth1
external_net_interface: br-ex
external_net_bridge_ports: [eth2]
"""

SRIOV = f"""\
---
sriov_physical_function: ens2f0
sriov_numvfs: {NUMVFS}
sriov_sysfs_root: {SYSFS}
"""


def build(root: Path, private_key: Path) -> Path:
    files = {
        "README.md": "The host checks' test configuration.\n",
        "etc/kayobe/globals.yml": GLOBALS + f"ssh_private_key_path: {private_key}\n",
        "etc/kayobe/networks.yml": NETWORKS,
        "etc/kayobe/network-allocation.yml": ALLOCATION,
        "etc/kayobe/kolla.yml": KOLLA,
        "etc/kayobe/ipa.yml": IPA,
        "etc/kayobe/inventory/groups": GROUPS + "\n[compute-sriov]\n",
        "etc/kayobe/inventory/hosts": (
            "[controllers]\nnode1\n\n[compute]\nnode1\nnode2\n\n[compute-sriov]\nnode1\n"
        ),
        "etc/kayobe/inventory/group_vars/overcloud/interfaces": INTERFACES,
        "etc/kayobe/inventory/group_vars/compute-sriov/sriov": SRIOV,
    }
    return Shape("hostcheck", (None,), files).build(root)
