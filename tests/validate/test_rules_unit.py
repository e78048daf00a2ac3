"""Each rule on hand-built resolved configurations: quiet on a clean one, and the finding it
gives for one broken thing. Also: every rule module has the documented shape."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from sitectl.site import build_site
from sitectl.validate import check_site
from sitectl.validate.rules import (
    BY_ID,
    RULES,
    baremetal_host_managed,
    baremetal_no_bmc,
    blazar_filter_missing,
    blazar_host_not_compute,
    host_missing_interface,
    host_no_address,
    ip_duplicate,
    ip_outside_cidr,
    ironic_networks_missing,
    jinja_syntax,
    magnum_keystone_not_public,
    magnum_kubeconfig_missing,
    magnum_template_invalid,
    mtu_exceeds_parent,
    net_cidr_overlap,
    net_gateway_outside,
    net_invalid,
    net_pool_overlaps_static,
    net_vip_outside,
    pci_alias_unmatched,
    pci_filter_missing,
    physnet_mapped_off_compute,
    physnet_unmapped,
    var_undefined,
    var_wrong_type,
    vlan_conflict,
)
from sitectl.validate.stages import FILES, LOAD, SITE

from .hand_built import clean, set_all

Data = dict[str, dict[str, Any]]


def run(rule: ModuleType, data: Data) -> list[tuple[str | None, str | None, str]]:
    """(host, key, message) of each finding of `rule`."""
    return [(f.host, f.key, f.message) for f in rule.check(build_site("unit", data))]


# --- the rules' shape -----------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=[rule.ID for rule in RULES])
def test_rule_module_is_documented(rule: ModuleType) -> None:
    assert rule.__name__.rsplit(".", 1)[1].replace("_", "-") == rule.ID
    assert rule.STAGE in (FILES, LOAD, SITE)
    assert rule.DESCRIPTION and "\n" not in rule.DESCRIPTION and len(rule.DESCRIPTION) <= 100
    doc = rule.__doc__ or ""
    assert doc.startswith(f"{rule.ID}: "), "the docstring starts with the id"
    assert "Example of bad input::" in doc
    example = doc.split("Example of bad input::", 1)[1]
    assert re.search(r"^    \S", example, re.MULTILINE), "an indented example follows"
    if rule.STAGE != LOAD:
        assert callable(rule.check)


def test_rule_ids_are_unique() -> None:
    assert len(BY_ID) == len(RULES)


def test_clean_site_has_no_findings() -> None:
    assert check_site(build_site("unit", clean())) == []


def test_an_empty_or_odd_dump_builds_a_site() -> None:
    for data in ({}, [], None, "text", {"h": None}, {"h": {"group_names": "compute"}}):
        assert isinstance(check_site(build_site("unit", data)), list)


# --- one test per site rule ---------------------------------------------------------------


def test_net_invalid() -> None:
    data = set_all(
        clean(),
        internal_net_cidr="10.0.4.1/24",
        internal_net_vlan=5000,
        provision_oc_net_mtu="jumbo",
        provision_oc_net_allocation_pool_start="10.0.2.99",
        provision_oc_net_allocation_pool_end="10.0.2.10",
    )
    keys = {key for _, key, _ in run(net_invalid, data)}
    assert keys == {
        "internal_net_cidr",
        "internal_net_vlan",
        "provision_oc_net_mtu",
        "provision_oc_net_allocation_pool_start",
    }
    data = set_all(clean(), internal_net_vip_address="not-an-ip", internal_net_ips=["x"])
    assert {key for _, key, _ in run(net_invalid, data)} == {
        "internal_net_vip_address",
        "internal_net_ips",
    }


def test_net_cidr_overlap() -> None:
    data = set_all(clean(), internal_net_cidr="10.0.0.0/16")
    assert run(net_cidr_overlap, data) == [
        (
            None,
            "provision_oc_net_cidr",
            "provision_oc_net (10.0.2.0/24) overlaps internal_net (10.0.0.0/16)",
        )
    ]


def test_net_gateway_outside() -> None:
    data = set_all(clean(), provision_oc_net_gateway="10.0.3.1")
    assert [key for _, key, _ in run(net_gateway_outside, data)] == ["provision_oc_net_gateway"]
    data = set_all(clean(), provision_oc_net_gateway="10.0.2.255")
    assert "broadcast" in run(net_gateway_outside, data)[0][2]


def test_net_vip_outside() -> None:
    data = set_all(clean(), internal_net_vip_address="10.0.5.2")
    assert [key for _, key, _ in run(net_vip_outside, data)] == ["internal_net_vip_address"]


def test_net_pool_overlaps_static() -> None:
    data = set_all(
        clean(),
        provision_oc_net_inspection_allocation_pool_start="10.0.2.20",
        provision_oc_net_inspection_allocation_pool_end="10.0.2.150",
    )
    found = run(net_pool_overlaps_static, data)
    assert ("cmp1", "provision_oc_net_ips") in {(h, k) for h, k, _ in found}
    assert any("overlaps" in message for _, _, message in found)  # with the allocation pool
    data = set_all(clean(), provision_oc_net_gateway="10.0.2.50")  # kayobe would allocate it
    assert [key for _, key, _ in run(net_pool_overlaps_static, data)] == [
        "provision_oc_net_gateway"
    ]


def test_ip_outside_cidr() -> None:
    data = set_all(clean(), internal_net_ips={"ctl1": "10.0.4.11", "cmp1": "10.9.4.21"})
    assert [(h, k) for h, k, _ in run(ip_outside_cidr, data)] == [("cmp1", "internal_net_ips")]
    data = set_all(clean(), internal_net_ips={"ctl1": "10.0.4.11", "cmp1": "garbage"})
    assert "is not an IP" in run(ip_outside_cidr, data)[0][2]


def test_ip_duplicate() -> None:
    data = set_all(clean(), internal_net_ips={"ctl1": "10.0.4.2", "cmp1": "10.0.4.21"})
    [(host, key, message)] = run(ip_duplicate, data)
    assert (host, key) == ("ctl1", "internal_net_ips")
    assert "the VIP of internal_net" in message


def test_host_no_address() -> None:
    data = clean()
    data["cmp1"]["ansible_host"] = None
    data["cmp1"]["internal_net_ips"] = {"ctl1": "10.0.4.11"}
    assert [(h, k) for h, k, _ in run(host_no_address, data)] == [
        ("cmp1", "provision_oc_net_ips"),
        ("cmp1", "internal_net_ips"),
    ]


def test_host_no_address_ignores_bare_metal_nodes() -> None:
    data = clean()
    data["bm1"] = {"group_names": ["baremetal-compute"], "ansible_host": None}
    assert run(host_no_address, data) == []


@pytest.mark.parametrize("groups", [["ungrouped"], ["ansible-control"]])
def test_the_control_host_is_no_managed_host(groups: list[str]) -> None:
    """`localhost ansible_connection=local` (kayobe's own configurations have it): no address,
    BMC or interface findings, even with a bmc_type and mappings every host inherits."""
    data = set_all(clean(), bmc_type="idrac", neutron_sriov_physnet_mappings={"physnet1": "p1"})
    data["ctl1"]["ipmi_address"] = data["cmp1"]["ipmi_address"] = "10.0.0.1"
    del data["ctl1"]["neutron_sriov_physnet_mappings"]
    data["localhost"] = {
        **data["cmp1"],
        "group_names": groups,
        "ansible_connection": "local",
        "ansible_host": None,
        "ipmi_address": None,
    }
    assert check_site(build_site("unit", data)) == []
    site = build_site("unit", data)
    assert (site.hosts["localhost"].control, site.hosts["localhost"].managed) == (True, False)
    data["ctl1"]["ansible_connection"] = "local"  # an all-in-one host deploys itself
    assert build_site("unit", data).hosts["ctl1"].managed


def test_host_missing_interface() -> None:
    data = clean()
    del data["ctl1"]["internal_net_interface"]
    assert [(h, k) for h, k, _ in run(host_missing_interface, data)] == [
        ("ctl1", "internal_net_interface")
    ]


def test_vlan_conflict() -> None:
    data = clean()
    data["ctl1"]["network_interfaces"].append("public_net")
    data["ctl1"].update(public_net_interface="eth0.104", public_net_vlan=105)
    found = run(vlan_conflict, data)
    assert {(h, k) for h, k, _ in found} == {("ctl1", "public_net_interface")}
    assert any("both use VLAN 104 on eth0" in message for _, _, message in found)
    assert any(
        "tags VLAN 104, but public_net_vlan is 105" in message
        for _, _, m in found
        for message in [m]
    )


def test_vlan_conflict_with_parent_and_vlan_attributes() -> None:
    data = clean()
    data["cmp1"]["network_interfaces"].append("storage_net")
    data["cmp1"].update(storage_net_interface="vlan104", storage_net_parent="eth0")
    data["cmp1"].update(storage_net_vlan=104)
    assert [(h, k) for h, k, _ in run(vlan_conflict, data)] == [("cmp1", "storage_net_interface")]


def test_mtu_exceeds_parent() -> None:
    data = set_all(clean(), provision_oc_net_mtu=1500, internal_net_mtu=9000)
    assert {(h, k) for h, k, _ in run(mtu_exceeds_parent, data)} == {
        ("ctl1", "internal_net_mtu"),
        ("cmp1", "internal_net_mtu"),
    }


def test_mtu_exceeds_parent_for_ipoib_children() -> None:
    data = clean()
    data["cmp1"]["network_interfaces"] += ["ib_net", "ib_pkey_net"]
    data["cmp1"].update(ib_net_interface="ib0", ib_net_mtu=2044)
    data["cmp1"].update(ib_pkey_net_interface="ib0.8001", ib_pkey_net_mtu=4092)
    [(host, key, message)] = run(mtu_exceeds_parent, data)
    assert (host, key) == ("cmp1", "ib_pkey_net_mtu") and "IPoIB" in message


def test_physnet_unmapped() -> None:
    ranges = [{"physical_network": "physnet1"}, {"physical_network": "physnet2"}]
    data = set_all(clean(), kolla_neutron_ml2_network_vlan_ranges=ranges)
    assert run(physnet_unmapped, data)[0][:2] == (None, "kolla_neutron_ml2_network_vlan_ranges")
    data = clean()
    data["ctl1"]["neutron_sriov_physnet_mappings"] = {"physnet-sriov": "ens2f0"}
    assert "physnet-sriov" in run(physnet_unmapped, data)[0][2]
    data["cmp1"]["neutron_sriov_physnet_mappings"] = {"physnet-sriov": "ens2f0"}
    assert run(physnet_unmapped, data) == []


def test_var_wrong_type() -> None:
    data = set_all(clean(), external_net_names="physnet1_net")
    [(host, key, message)] = run(var_wrong_type, data)
    assert (host, key) == (None, "external_net_names")
    assert "is a string (physnet1_net)" in message and "list of network names" in message
    assert run(physnet_unmapped, data) == []  # the consequence is not blamed on neutron.yml
    data = clean()
    data["cmp1"]["physnet1_net_bridge_ports"] = "eth1"
    data["ctl1"]["compute_default_network_interfaces"] = "{{ [internal_net_name] }}"  # unrendered
    data["ctl1"]["nova_scheduler_enabled_filters"] = {"ComputeFilter": True}
    assert {(h, k) for h, k, _ in run(var_wrong_type, data)} == {
        ("cmp1", "physnet1_net_bridge_ports"),
        ("ctl1", "nova_scheduler_enabled_filters"),
    }


def test_physnet_mapped_off_compute() -> None:
    data = clean()
    data["ctl1"]["neutron_mlnx_physnet_mappings"] = {"physnet-ib": "ib0"}
    assert [(h, k) for h, k, _ in run(physnet_mapped_off_compute, data)] == [
        ("ctl1", "neutron_mlnx_physnet_mappings")
    ]


SPEC = {"vendor_id": "8086", "product_id": "1889", "physical_network": "physnet1"}
ALIAS = {"name": "vf", "vendor_id": "8086", "product_id": "1889"}


def test_pci_alias_unmatched() -> None:
    data = set_all(
        clean(), nova_pci_aliases=[ALIAS], nova_scheduler_enabled_filters=["PciPassthroughFilter"]
    )
    data["cmp1"]["nova_pci_device_specs"] = [SPEC]
    assert run(pci_alias_unmatched, data) == []
    data["cmp1"]["nova_pci_device_specs"] = [{**SPEC, "product_id": "154c"}]
    assert [k for _, k, _ in run(pci_alias_unmatched, data)] == ["nova_pci_aliases"]
    data["cmp1"]["nova_pci_device_specs"] = [{"vendor_id": "0x8086"}]  # any product
    assert run(pci_alias_unmatched, data) == []
    data["ctl1"]["nova_pci_device_specs"] = [SPEC]  # not a compute host
    data["cmp1"]["nova_pci_device_specs"] = []
    assert len(run(pci_alias_unmatched, data)) == 1


def test_pci_filter_missing() -> None:
    data = set_all(clean(), nova_pci_aliases=[ALIAS])
    assert [k for _, k, _ in run(pci_filter_missing, data)] == ["nova_scheduler_enabled_filters"]
    data = clean()
    data["cmp1"]["nova_pci_device_specs"] = [SPEC]  # SR-IOV ports need the filter too
    assert len(run(pci_filter_missing, data)) == 1
    set_all(data, nova_scheduler_enabled_filters=["PciPassthroughFilter"])
    assert run(pci_filter_missing, data) == []


def test_blazar_filter_missing() -> None:
    data = set_all(clean(), kolla_enable_blazar="yes")
    [(host, key, message)] = run(blazar_filter_missing, data)
    assert (host, key) == (None, "nova_scheduler_enabled_filters")
    assert "lacks BlazarFilter" in message or "is not set" in message
    set_all(data, nova_scheduler_enabled_filters=["ComputeFilter", "BlazarFilter"])
    assert run(blazar_filter_missing, data) == []
    # Without Blazar the filter is nobody's business.
    assert run(blazar_filter_missing, set_all(clean(), kolla_enable_blazar="no")) == []


def test_blazar_host_not_compute() -> None:
    data = set_all(clean(), kolla_enable_blazar="yes")
    for name in ("ctl1", "cmp1"):
        data[name]["group_names"] = [*data[name]["group_names"], "reservable"]
    [(host, key, message)] = run(blazar_host_not_compute, data)
    assert (host, key) == ("ctl1", "reservable")
    assert "not a hypervisor" in message and "controllers" in message
    assert run(blazar_host_not_compute, set_all(data, kolla_enable_blazar="no")) == []


TEMPLATE = {
    "name": "k8s",
    "image": "ubuntu-noble-kube-v1.33",
    "flavor": "m1.large",
    "master_flavor": "m1.medium",
    "external_network": "public",
}


def test_magnum_keystone_not_public() -> None:
    data = set_all(clean(), kolla_enable_magnum="yes", magnum_capi_helm_app_cred_interface="public")
    assert run(magnum_keystone_not_public, data) == []
    set_all(data, magnum_capi_helm_app_cred_interface="internal")
    [(host, key, message)] = run(magnum_keystone_not_public, data)
    assert (host, key) == (None, "magnum_capi_helm_app_cred_interface")
    assert "'internal'" in message and "tenant" in message
    assert run(magnum_keystone_not_public, set_all(data, kolla_enable_magnum="no")) == []


def test_magnum_kubeconfig_missing(tmp_path: Path) -> None:
    base, layer = tmp_path / "etc" / "kayobe", tmp_path / "environments" / "site"
    data = set_all(
        clean(),
        kolla_enable_magnum="yes",
        kayobe_config_path=str(base),
        kayobe_env_search_paths=[str(layer)],
    )
    [(_, key, message)] = run(magnum_kubeconfig_missing, data)
    assert key == "kolla_enable_magnum" and "kolla/config/magnum/kubeconfig" in message
    kubeconfig = layer / "kolla" / "config" / "magnum" / "kubeconfig"
    kubeconfig.parent.mkdir(parents=True)
    kubeconfig.write_text("apiVersion: v1\n")
    assert run(magnum_kubeconfig_missing, data) == []


def test_magnum_template_invalid() -> None:
    data = set_all(clean(), kolla_enable_magnum="yes", magnum_cluster_templates=[TEMPLATE])
    assert run(magnum_template_invalid, data) == []
    broken = [
        TEMPLATE,
        TEMPLATE,
        {"name": "hpc", "image": "x", "flavor": "baremetal.hpc", "extra_networks": "a b"},
        {**TEMPLATE, "name": "ib", "extra_networks": ["provider 10g", ""]},
    ]
    set_all(data, magnum_cluster_templates=broken)
    messages = [m for _, _, m in run(magnum_template_invalid, data)]
    assert any("repeats the name k8s" in m for m in messages), messages
    assert any("(hpc) has no master_flavor, external_network" in m for m in messages), messages
    assert any("(hpc) extra_networks is 'a b', not a list" in m for m in messages), messages
    assert sum("splits names at spaces" in m for m in messages) == 2, messages
    assert run(magnum_template_invalid, set_all(data, kolla_enable_magnum="no")) == []


def test_ironic_networks_missing() -> None:
    data = set_all(clean(), kolla_enable_ironic="yes", provision_wl_net_name=None)
    assert [k for _, k, _ in run(ironic_networks_missing, data)] == [
        "provision_wl_net_name",
        "cleaning_net_name",
    ]
    set_all(data, provision_wl_net_name="wl_net", cleaning_net_name="wl_net")
    [(_, key, message)] = run(ironic_networks_missing, data)
    assert key == "wl_net_cidr" and "provisioning and cleaning network wl_net" in message
    set_all(data, wl_net_cidr="10.0.7.0/24")
    assert run(ironic_networks_missing, data) == []


def test_baremetal_no_bmc() -> None:
    data = clean()
    data["bm1"] = {"group_names": ["baremetal-compute"], "ironic_driver_info": {"x": 1}}
    data["bm2"] = {"group_names": ["baremetal-compute"], "ipmi_address": "10.0.1.2"}
    data["bm3"] = {
        "group_names": ["baremetal-compute"],
        "ironic_driver_info": {"redfish_address": "https://10.0.1.3"},
    }
    assert [(h, k) for h, k, _ in run(baremetal_no_bmc, data)] == [("bm1", "redfish_address")]


def _with_seed() -> Data:
    data = set_all(clean(), provision_oc_net_name="provision_oc_net")
    data["seed1"] = {"group_names": ["seed"], "network_interfaces": ["provision_oc_net"]}
    return data


def test_baremetal_no_bmc_on_hosts_the_seeds_bifrost_provisions() -> None:
    data = _with_seed()
    data["ctl1"]["ipmi_address"] = "10.0.0.11"
    [(host, key, message)] = run(baremetal_no_bmc, data)
    assert (host, key) == ("cmp1", "ipmi_address") and "bifrost provisions it" in message
    data["cmp1"]["redfish_address"] = "10.0.0.21"  # overcloud hardware register's Redfish
    assert run(baremetal_no_bmc, data) == []
    # Without a seed nothing provisions the hosts through their BMC.
    assert run(baremetal_no_bmc, set_all(clean(), provision_oc_net_name="provision_oc_net")) == []


def test_baremetal_no_bmc_for_kayobes_bmc_playbooks() -> None:
    data = clean()
    data["ctl1"].update(bmc_type="idrac", redfish_address="10.0.0.11")
    [(host, key, message)] = run(baremetal_no_bmc, data)
    assert (host, key) == ("ctl1", "ipmi_address") and "bmc_type is idrac" in message
    data["ctl1"]["ipmi_address"] = "10.0.0.11"
    assert run(baremetal_no_bmc, data) == []


def _ephemeral(data: Data, name: str = "ehv1") -> Data:
    data[name] = {
        "group_names": ["ephemeral-hypervisors", "compute", "overcloud"],
        "network_interfaces": ["internal_net"],
    }
    return data


def test_baremetal_no_bmc_on_hosts_the_monitoring_watches() -> None:
    data = set_all(clean(), kolla_enable_prometheus="yes", monitoring_redfish_targets=[])
    data = _ephemeral(data)
    data["bm1"] = {"group_names": ["baremetal-compute"], "redfish_address": "10.0.1.1"}
    data["ctl1"]["ipmi_address"] = "10.0.0.11"
    [(host, key, message)] = run(baremetal_no_bmc, data)  # not ehv1: its node is bm1
    assert (host, key) == ("cmp1", "ipmi_address") and "would go unwatched" in message
    assert run(baremetal_no_bmc, set_all(data, kolla_enable_prometheus="no")) == []


def test_baremetal_no_bmc_for_ephemeral_hypervisors_needs_a_pool_node() -> None:
    flavors = [{"name": "baremetal.hpc", "resource_class": "baremetal_hpc"}]
    data = set_all(clean(), ephemeral_hypervisor_flavor="baremetal.hpc", ironic_flavors=flavors)
    data = _ephemeral(data)
    data["bm1"] = {"group_names": ["baremetal-compute"], "redfish_address": "10.0.1.1"}
    data["bm1"]["ironic_resource_class"] = "baremetal_gpu"
    [(host, key, message)] = run(baremetal_no_bmc, data)
    assert (host, key) == ("ehv1", "ephemeral-hypervisors")
    assert "resource class baremetal_hpc (flavor baremetal.hpc)" in message
    data["bm1"]["ironic_resource_class"] = "baremetal_hpc"
    assert run(baremetal_no_bmc, data) == []


def test_baremetal_host_managed() -> None:
    data = clean()
    data["bm1"] = {"group_names": ["baremetal-compute"], "redfish_address": "10.0.1.1"}
    assert run(baremetal_host_managed, data) == []
    data["ctl1"]["group_names"].append("baremetal-compute")
    data["ehv1"] = {"group_names": ["ephemeral-hypervisors", "compute", "overcloud"]}
    data["ehv1"]["group_names"].append("baremetal-compute")
    data["seed1"] = {"group_names": ["seed", "baremetal-compute"]}
    found = run(baremetal_host_managed, data)
    assert [(h, k) for h, k, _ in found] == [
        ("ctl1", "baremetal-compute"),
        ("ehv1", "baremetal-compute"),
        ("seed1", "baremetal-compute"),
    ]
    assert "(controllers)" in found[0][2] and "(compute)" in found[1][2]


def test_jinja_syntax() -> None:
    data = set_all(clean(), fine="{{ ansible_facts.eth0.ipv4.address }}", broken="{{ a + }}")
    assert [k for _, k, _ in run(jinja_syntax, data)] == ["broken"]
    data["ctl1"]["nested"] = {"list": ["{% if x %}"]}
    assert {k for _, k, _ in run(jinja_syntax, data)} == {"broken", "nested"}


PULP = 'pulp_url: "http://{{ pulp_server_address }}:24817"\n'


def _layered(tmp_path: Path, content: str, **dumped: Any) -> Data:
    """A clean dump whose configuration is one variables file (and what kayobe resolved)."""
    (tmp_path / "site.yml").write_text("---\n" + content)
    return set_all(clean(), kayobe_config_path=str(tmp_path), **dumped)


def test_var_undefined(tmp_path: Path) -> None:
    data = _layered(tmp_path, PULP, pulp_url="http://{{ pulp_server_address }}:24817")
    [(host, key, message)] = run(var_undefined, data)
    assert (host, key) == (None, "pulp_url") and "names pulp_server_address" in message
    # Defined for some host (or group) only: fine.
    data["cmp1"]["pulp_server_address"] = "10.0.0.5"
    assert run(var_undefined, data) == []
    # Rendered after all (the dump resolved it another way): nothing is left unrendered.
    assert run(var_undefined, _layered(tmp_path, PULP, pulp_url="http://x:24817")) == []


@pytest.mark.parametrize(
    ("written", "dumped"),
    [
        ('"{{ later | default(1) }}"', 1),  # guarded: rendered
        ('"{% raw %}{{ later }}{% endraw %}"', "{{ later }}"),  # for kolla-ansible, later
        ('!unsafe "{{ later }}"', "{{ later }}"),  # never templated
        ('"{{ seed_host }}"', "{{ seed_host }}"),  # kayobe's play variable
        ('"{{ bifrost_hostvars.x }}"', "{{ bifrost_hostvars.x }}"),  # set at run time
        ('"{{ ansible_facts.eth0.ipv4.address }}"', "{{ ansible_facts.eth0.ipv4.address }}"),
        ("\"{{ hostvars[item].x | map(attribute='y') }}\"", "{{ hostvars[item].x }}"),
        ("\"{% for h in groups.all %}{{ h }}{% endfor %}{{ lookup('env', 'X') }}\"", "x"),
    ],
)
def test_var_undefined_tolerates(tmp_path: Path, written: str, dumped: Any) -> None:
    data = _layered(tmp_path, f"site_value: {written}\n", site_value=dumped)
    assert run(var_undefined, data) == []


def test_var_undefined_in_inventories(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    (inventory / "host_vars").mkdir(parents=True)
    (inventory / "host_vars" / "cmp1").write_text('---\nbmc_url: "https://{{ bmc_hostname }}"\n')
    (inventory / "hosts").write_text("[compute]\ncmp1 console='{{ console_addr }}'\n")
    data = set_all(clean(), kayobe_config_path=str(tmp_path))
    data["cmp1"].update(bmc_url="https://{{ bmc_hostname }}", console="{{ console_addr }}")
    found = run(var_undefined, data)
    assert [(h, k) for h, k, _ in found] == [("cmp1", "bmc_url"), ("cmp1", "console")]
    assert "bmc_hostname" in found[0][2] and "console_addr" in found[1][2]


def test_kayobe_names_are_what_its_playbooks_define(tmp_path: Path) -> None:
    (tmp_path / "roles" / "r" / "defaults").mkdir(parents=True)
    (tmp_path / "roles" / "r" / "defaults" / "main.yml").write_text("---\nrole_default: 1\n")
    (tmp_path / "play.yml").write_text(
        "- hosts: all\n  vars: {play_var: 1}\n  tasks:\n"
        "    - set_fact: {fact_var: 2}\n    - command: x\n      register: registered\n"
        "      loop_control: {loop_var: looped}\n    - debug: {msg: !unsafe '{{ x }}'}\n"
    )
    names = var_undefined.kayobe_names(tmp_path)
    assert names >= {"role_default", "play_var", "fact_var", "registered", "looped"}
    assert "hosts" not in names and "msg" not in names
