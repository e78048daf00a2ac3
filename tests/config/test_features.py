"""SR-IOV and InfiniBand settings reach the hosts they should, and no others."""

from __future__ import annotations

from collections.abc import Callable

from .conftest import Resolved
from .sites import hosts_in, managed


def hosts_with(hosts: dict[str, dict], predicate: Callable[[dict], bool]) -> set[str]:
    return {name for name, hostvars in hosts.items() if predicate(hostvars)}


def test_sriov_mappings_only_on_sriov_hypervisors(resolved: Resolved) -> None:
    hosts = resolved("example-site")
    expected = hosts_in(hosts, "compute-sriov")
    assert expected == {"cmp01", "cmp02"}
    assert hosts_with(hosts, lambda h: "neutron_sriov_physnet_mappings" in h) == expected
    for name in expected:
        assert "sriov_net" in hosts[name]["network_interfaces"]
    assert hosts["cmp01"]["neutron_sriov_physnet_mappings"] == {"physnet-sriov": "ens2f0"}
    # cmp02's NIC sits in another slot: a host variable overrides the mixin's group default.
    assert hosts["cmp02"]["neutron_sriov_physnet_mappings"] == {"physnet-sriov": "ens3f0"}
    assert hosts["cmp02"]["sriov_net_interface"] == "ens3f0"


def test_infiniband_mappings_only_on_infiniband_hypervisors(resolved: Resolved) -> None:
    hosts = resolved("example-site")
    expected = hosts_in(hosts, "compute-infiniband")
    assert expected == {"cmp03", "cmp04"}
    assert hosts_with(hosts, lambda h: "neutron_mlnx_physnet_mappings" in h) == expected
    for name in expected:
        assert hosts[name]["neutron_mlnx_physnet_mappings"] == {"physnet-ib": "ib0"}


def test_ipoib_network_exactly_on_the_fabric(resolved: Resolved) -> None:
    hosts = managed(resolved("example-site"))
    on_fabric = hosts_in(hosts, "infiniband")
    assert on_fabric == {
        "ctl01",
        "ctl02",
        "ctl03",
        "stor01",
        "stor02",
        "stor03",
        "cmp03",
        "cmp04",
    }
    assert hosts_with(hosts, lambda h: "ib_net" in h["network_interfaces"]) == on_fabric


def test_pci_device_specs_per_hypervisor_kind(resolved: Resolved) -> None:
    hosts = resolved("example-site")
    with_specs = hosts_with(hosts, lambda h: bool(h.get("nova_pci_device_specs")))
    assert with_specs == {"cmp01", "cmp02", "cmp03", "cmp04"}
    assert hosts["cmp01"]["nova_pci_device_specs"] == [
        {
            "devname": "ens2f0",
            "vendor_id": "8086",
            "product_id": "1889",
            "physical_network": "physnet-sriov",
        }
    ]
    assert hosts["cmp03"]["nova_pci_device_specs"] == [
        {"vendor_id": "15b3", "product_id": "101e", "physical_network": "physnet-ib"}
    ]


def test_per_host_feature_variables_are_passed_to_kolla(resolved: Resolved) -> None:
    cmp = resolved("example-site")["cmp01"]
    assert set(cmp["kolla_overcloud_inventory_pass_through_host_vars"]) >= {
        "nova_pci_device_specs",
        "neutron_sriov_physnet_mappings",
        "neutron_mlnx_physnet_mappings",
    }


def test_pci_passthrough_filter_with_aliases(resolved: Resolved) -> None:
    cmp = resolved("example-site")["cmp01"]
    assert {a["name"] for a in cmp["nova_pci_aliases"]} == {"ib-vf", "sriov-vf"}
    assert cmp["nova_scheduler_enabled_filters"].count("PciPassthroughFilter") == 1
