"""Every host has an interface and an address on each network its groups need."""

from __future__ import annotations

import ipaddress

import pytest

from .conftest import Resolved
from .sites import SITE_ENVIRONMENTS, managed


def network_gaps(hostname: str, hostvars: dict) -> list[str]:
    gaps = []
    for net in hostvars["network_interfaces"]:
        if not hostvars.get(f"{net}_interface"):
            gaps.append(f"{hostname}: no {net}_interface")
        cidr = hostvars.get(f"{net}_cidr")
        if not cidr:
            continue
        address = (hostvars.get(f"{net}_ips") or {}).get(hostname)
        if not address:
            gaps.append(f"{hostname}: no address in {net}_ips")
        elif ipaddress.ip_address(address) not in ipaddress.ip_network(cidr):
            gaps.append(f"{hostname}: {net} address {address} outside {cidr}")
    return gaps


@pytest.mark.parametrize("env", SITE_ENVIRONMENTS)
def test_hosts_have_interfaces_and_addresses(resolved: Resolved, env: str) -> None:
    gaps = [
        gap
        for name, hostvars in managed(resolved(env)).items()
        for gap in network_gaps(name, hostvars)
    ]
    assert gaps == []


@pytest.mark.parametrize("env", SITE_ENVIRONMENTS)
def test_managed_hosts_have_an_address_to_reach(resolved: Resolved, env: str) -> None:
    for name, hostvars in managed(resolved(env)).items():
        admin = hostvars["admin_oc_net_name"]
        assert hostvars["ansible_host"] is not None, f"{env}/{name}: ansible_host is null"
        assert hostvars["ansible_host"] == hostvars[f"{admin}_ips"][name]


def test_bare_metal_nodes_have_a_bmc(resolved: Resolved) -> None:
    hosts = resolved("example-site")
    nodes = {n: h for n, h in hosts.items() if "baremetal-compute" in h["group_names"]}
    assert set(nodes) == {"bm01", "bm02"}
    for name, hostvars in nodes.items():
        bmc = hostvars["ironic_driver_info"]["redfish_address"]
        assert ipaddress.ip_address(bmc) in ipaddress.ip_network(hostvars["oob_wl_net_cidr"]), name


def test_the_check_finds_a_missing_address() -> None:
    """The gap finder itself: a host without an address or interface is reported."""
    hostvars = {
        "network_interfaces": ["internal_net", "sriov_net"],
        "internal_net_interface": "bond0.103",
        "internal_net_cidr": "10.3.0.0/24",
        "internal_net_ips": {"other": "10.3.0.9"},
    }
    assert network_gaps("cmp9", hostvars) == [
        "cmp9: no address in internal_net_ips",
        "cmp9: no sriov_net_interface",
    ]
