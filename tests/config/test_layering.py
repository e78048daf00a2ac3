"""Layering resolves as declared by the .kayobe-environment files."""

from __future__ import annotations

import pytest

from .conftest import Resolved

ML2_BASE = ["openvswitch", "l2population"]


def test_mixin_values_reach_the_site(resolved: Resolved) -> None:
    cmp = resolved("example-site")["cmp01"]
    assert cmp["kolla_neutron_ml2_mechanism_drivers"] == [
        *ML2_BASE,
        "mlnx_infiniband",
        "sriovnicswitch",
        "genericswitch",
        "baremetal",
    ]
    assert cmp["kolla_enable_ironic"] is True or cmp["kolla_enable_ironic"] == "yes"
    assert cmp["kolla_enable_neutron_mlnx"] == "yes"
    assert cmp["kolla_enable_neutron_sriov"] == "yes"
    assert cmp["ipa_build_dib_elements_extra"] == ["mellanox"]
    assert "neutron-server-plugin-networking-mlnx" in cmp["kolla_sources"]
    assert "bifrost-base" in cmp["kolla_sources"]
    # Two mixins' kolla-build customisations, combined in etc/kayobe/kolla.yml.
    assert cmp["kolla_build_customizations"] == {
        "neutron_mlnx_agent_pip_packages_override": ["networking-mlnx==21.0.0"],
        "magnum_base_pip_packages_override": ["/magnum[osprofiler]", "magnum-capi-helm==1.4.0"],
    }


def test_site_override_wins_over_its_mixins(resolved: Resolved) -> None:
    cmp = resolved("example-site")["cmp03"]
    assert cmp["infiniband_vf_product_id"] == "101e"
    assert {"physical_network": "physnet-sriov", "range": "2000:2099"} in cmp[
        "kolla_neutron_ml2_network_vlan_ranges"
    ]
    ib_alias = next(a for a in cmp["nova_pci_aliases"] if a["name"] == "ib-vf")
    assert ib_alias["product_id"] == "101e"


def test_dependency_of_a_dependency_is_loaded(resolved: Resolved) -> None:
    """ephemeral-hypervisors depends on ironic; a site naming only the former gets both."""
    hosts = resolved("example-site")
    assert hosts["ehv01"]["admin_oc_net_name"] == "internal_net"
    assert hosts["ehv01"]["provision_wl_net_name"] == "provision_wl_net"


def test_site_without_mixins_gets_nothing_from_them(resolved: Resolved) -> None:
    aio = resolved("ci-aio")["aio"]
    assert aio["kolla_neutron_ml2_mechanism_drivers"] == ML2_BASE
    assert aio["kolla_enable_neutron_mlnx"] in ("no", False)
    assert aio["kolla_enable_neutron_sriov"] in ("no", False)
    assert aio["kolla_enable_ironic"] in ("no", False)
    assert aio["nova_pci_device_specs"] == []
    assert aio["nova_pci_aliases"] == []
    assert "PciPassthroughFilter" not in aio["nova_scheduler_enabled_filters"]
    assert aio["kolla_neutron_ml2_network_vlan_ranges"] == [
        {"physical_network": "physnet1", "range": "1000:1999"}
    ]
    assert aio["kolla_sources"].keys() == {"bifrost-base"}
    assert aio["kolla_enable_magnum"] in ("no", False)
    assert aio["kolla_build_customizations"] == {}


@pytest.mark.parametrize(
    ("mixin", "present", "absent"),
    [
        ("sriov", "sriovnicswitch", "mlnx_infiniband"),
        ("infiniband", "mlnx_infiniband", "sriovnicswitch"),
    ],
)
def test_one_mixin_brings_only_itself(
    mini_site: Resolved, mixin: str, present: str, absent: str
) -> None:
    hosts = mini_site(mixin)
    drivers = hosts["cmp1"]["kolla_neutron_ml2_mechanism_drivers"]
    assert present in drivers
    assert absent not in drivers
    assert "genericswitch" not in drivers
    assert hosts["cmp1"]["kolla_enable_ironic"] in ("no", False)
