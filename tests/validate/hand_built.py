"""Hand-built resolved configurations (what `kayobe configuration dump` gives, reduced to
what the rules read) for fast unit tests of the rules."""

from __future__ import annotations

import copy
from typing import Any

COMMON: dict[str, Any] = {
    "admin_oc_net_name": "provision_oc_net",
    "provision_oc_net_name": "provision_oc_net",
    "internal_net_name": "internal_net",
    "external_net_names": ["physnet1_net"],
    "provision_oc_net_cidr": "10.0.2.0/24",
    "provision_oc_net_gateway": "10.0.2.1",
    "provision_oc_net_mtu": 9000,
    "provision_oc_net_allocation_pool_start": "10.0.2.10",
    "provision_oc_net_allocation_pool_end": "10.0.2.99",
    "provision_oc_net_inspection_allocation_pool_start": "10.0.2.100",
    "provision_oc_net_inspection_allocation_pool_end": "10.0.2.199",
    "provision_oc_net_ips": {"ctl1": "10.0.2.11", "cmp1": "10.0.2.21"},
    "internal_net_cidr": "10.0.4.0/24",
    "internal_net_vlan": 104,
    "internal_net_mtu": 1500,
    "internal_net_vip_address": "10.0.4.2",
    "internal_net_ips": {"ctl1": "10.0.4.11", "cmp1": "10.0.4.21"},
    "physnet1_net_physical_network": "physnet1",
    "physnet1_net_mtu": 9000,
    "provision_oc_net_interface": "eth0",
    "internal_net_interface": "eth0.104",
    "physnet1_net_interface": "br1",
    "physnet1_net_bridge_ports": ["eth1"],
    "kolla_neutron_ml2_network_vlan_ranges": [{"physical_network": "physnet1", "range": "1:9"}],
    "nova_pci_aliases": [],
    "nova_scheduler_enabled_filters": ["ComputeFilter"],
    "kolla_enable_ironic": "no",
    "redfish_address": None,
    "ipmi_address": None,
}

HOSTS: dict[str, dict[str, Any]] = {
    "ctl1": {
        "group_names": ["controllers", "network", "overcloud"],
        "network_interfaces": ["provision_oc_net", "internal_net", "physnet1_net"],
        "ansible_host": "10.0.2.11",
    },
    "cmp1": {
        "group_names": ["compute", "overcloud"],
        "network_interfaces": ["provision_oc_net", "internal_net", "physnet1_net"],
        "ansible_host": "10.0.2.21",
        "nova_pci_device_specs": [],
    },
}


def clean() -> dict[str, dict[str, Any]]:
    """A fresh two-host resolved configuration on which no rule fires."""
    return {name: {**copy.deepcopy(COMMON), **copy.deepcopy(own)} for name, own in HOSTS.items()}


def set_all(data: dict[str, dict[str, Any]], **variables: Any) -> dict[str, dict[str, Any]]:
    """Set variables on every host (as a variables file of the environment would)."""
    for hostvars in data.values():
        hostvars.update(copy.deepcopy(variables))
    return data
