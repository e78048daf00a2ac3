"""Facts synthesised from kayobe's variables, and written where Ansible reads them."""

from __future__ import annotations

import json
from pathlib import Path

from sitectl.render.facts import host_facts, localhost_facts, write_fact_cache

HOSTVARS = {
    "os_distribution": "rocky",
    "os_release": "10",
    "network_interfaces": ["internal_net", "tunnel_net", "physnet1_net", "ib_net"],
    "internal_net_interface": "bond0.103",
    "internal_net_cidr": "10.3.0.0/24",
    "internal_net_ips": {"ctl01": "10.3.0.21"},
    "internal_net_mtu": 1500,
    "tunnel_net_interface": "bond0.105",
    "tunnel_net_cidr": "10.5.0.0/24",
    "tunnel_net_ips": {"ctl01": "10.5.0.21"},
    "tunnel_net_mtu": "9000",
    "physnet1_net_interface": "br-ex",
    "physnet1_net_bridge_ports": ["ens1f0"],
    "ib_net_interface": "ib0",
    "ib_net_cidr": "10.8.0.0/22",
    "ib_net_ips": {"other": "10.8.0.5"},
}


def test_interfaces_addresses_and_mtus() -> None:
    facts = host_facts("ctl01", HOSTVARS)
    assert facts["interfaces"] == ["bond0.103", "bond0.105", "br-ex", "ens1f0", "ib0"]
    assert facts["bond0.103"]["ipv4"] == {
        "address": "10.3.0.21",
        "netmask": "255.255.255.0",
        "network": "10.3.0.0",
        "broadcast": "10.3.0.255",
        "prefix": "24",
    }
    assert facts["bond0.105"]["mtu"] == 9000
    assert facts["br_ex"]["active"] is True  # kolla looks up `br-ex` as br_ex
    assert "ipv4" not in facts["ib0"]  # no address allocated to this host
    assert facts["default_ipv4"]["address"] == "10.3.0.21"
    assert facts["all_ipv4_addresses"] == ["10.3.0.21", "10.5.0.21"]


def test_identity_and_platform() -> None:
    facts = host_facts("ctl01", HOSTVARS)
    assert (facts["hostname"], facts["nodename"], facts["fqdn"]) == ("ctl01",) * 3
    assert facts["os_family"] == "RedHat"
    assert facts["distribution"] == "Rocky"
    assert facts["distribution_major_version"] == "10"
    assert facts["architecture"] == "x86_64"
    ubuntu = host_facts("h", {"os_distribution": "ubuntu", "os_release": "24.04"})
    assert (ubuntu["os_family"], ubuntu["distribution_release"]) == ("Debian", "noble")


def test_written_through_ansibles_cache_plugin(tmp_path: Path) -> None:
    write_fact_cache(
        tmp_path,
        {
            "ctl01": host_facts("ctl01", HOSTVARS),
            "localhost": localhost_facts(HOSTVARS, tmp_path, tmp_path),
        },
    )
    from ansible.plugins.loader import cache_loader

    cache = cache_loader.get("ansible.builtin.jsonfile", _uri=str(tmp_path))
    stored = cache.get("ctl01")
    assert stored["ansible_hostname"] == "ctl01"
    assert stored["_ansible_facts_gathered"] is True
    assert stored["ansible_bond0.103"]["ipv4"]["address"] == "10.3.0.21"
    json.dumps(cache.get("localhost"))
