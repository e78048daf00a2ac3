"""What `sitectl check hosts` holds each host to, derived from example-site through real
kayobe (`kayobe configuration dump`, cached): bonds and their slaves, VLANs on them, bridges
and their ports, IPoIB on the InfiniBand hosts, virtual functions on the SR-IOV hosts, and how
kayobe reaches each host."""

from __future__ import annotations

import pytest

from sitectl.dump import dump
from sitectl.errors import SiteError
from sitectl.hostcheck.plan import HostPlan, Link, plan, role_defaults, select
from sitectl.site import Site, build_site
from tests.helpers import REPO

VAULT = REPO / "ci" / "vault-password.example"


@pytest.fixture(scope="module")
def site() -> Site:
    return build_site("example-site", dump(REPO, "example-site", vault_password_file=VAULT))


def plans(site: Site, limit: str) -> dict[str, HostPlan]:
    defaults = role_defaults(REPO)
    return {h.name: plan(site, h, (), defaults) for h in select(site, limit)}


def links(plan: HostPlan) -> dict[str, Link]:
    return {link.device: link for link in plan.links}


def test_a_controller_is_held_to_its_bond_vlans_bridge_and_ipoib(site: Site) -> None:
    ctl01 = plans(site, "ctl01")["ctl01"]
    assert ctl01.connection.address == "10.1.0.11"  # its admin network address, as kayobe
    assert ctl01.connection.user == "stack" and ctl01.connection.port == 22
    by_device = links(ctl01)
    assert by_device["bond0"].bond_slaves == ("eno1", "eno2")
    assert by_device["bond0"].mtu == 9000 and by_device["bond0"].address == "10.1.0.11/24"
    internal = by_device["bond0.103"]
    assert (internal.parent, internal.vlan, internal.network) == ("bond0", 103, "internal_net")
    assert by_device["br1"].bridge_ports == ("ens1f0",) and by_device["br1"].address is None
    ib0 = by_device["ib0"]
    assert (ib0.ipoib_mode, ib0.mtu, ib0.vlan) == ("datagram", 4092, None)
    assert ctl01.sriov is None and ctl01.ntp


def test_only_the_sriov_hypervisors_are_held_to_virtual_functions(site: Site) -> None:
    found = plans(site, "compute-sriov,compute-infiniband")
    assert {name for name, p in found.items() if p.sriov} == {"cmp01", "cmp02"}
    assert found["cmp02"].sriov and found["cmp02"].sriov.physical_function == "ens3f0"
    assert found["cmp01"].sriov and found["cmp01"].sriov.sysfs_root == "/sys"
    assert "ib0" in links(found["cmp03"]) and "ib0" not in links(found["cmp01"])


def test_limit_takes_hosts_and_groups_and_names_the_hosts_when_nothing_matches(
    site: Site,
) -> None:
    assert set(plans(site, "ctl0[12],storage")) == {"ctl01", "ctl02", "stor01", "stor02", "stor03"}
    with pytest.raises(SiteError, match="matches no managed host of example-site"):
        select(site, "nosuchhost")
