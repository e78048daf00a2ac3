"""Which file defines a key: the winning definition of kayobe's layering."""

from __future__ import annotations

from pathlib import Path

from sitectl.validate.locate import Location, Locator

from .test_files import make_repo


def locator(tmp_path: Path) -> Locator:
    repo = make_repo(
        tmp_path,
        {
            "mixin": {
                "net.yml": "---\nfoo: 1\nbar: 2\n",
                "inventory/group_vars/compute/x": "---\niface: eth0\n",
                "inventory/host_vars/cmp1": "---\nprec: 1\n",
            },
            "site": {
                "a.yml": "---\n# foo: 0\nfoo: 3\n",
                "b.yml": "---\nother: 1\nfoo: 4\n",
                "network-allocation.yml": "---\nx_net_ips:\n  ctl1: 10.0.0.1\n  cmp1: 10.0.0.2\n"
                "y_net_ips: {cmp1: 10.0.1.2}\n",
                "inventory/hosts": "[compute]\ncmp1 bmc=10.0.0.9\n\n[compute:vars]\ngv=1\n"
                "[reservable]\ncmp1\n",
                "inventory/host_vars/cmp1/more": "---\nhv: 1\niface: eth9\n",
                "inventory/group_vars/all/all": "---\nav: 1\niface: eth1\nprec: 2\n",
            },
        },
    )
    roots = [
        repo / "etc" / "kayobe",
        repo / "environments" / "mixin",
        repo / "environments" / "site",
    ]
    return Locator(repo, roots)


def test_the_last_layer_and_file_wins(tmp_path: Path) -> None:
    where = locator(tmp_path)
    assert where.locate("foo") == Location("environments/site/b.yml", 3)
    assert where.locate("bar") == Location("environments/mixin/net.yml", 3)
    assert where.locate("os_distribution") == Location("etc/kayobe/globals.yml", 2)
    assert where.locate("nowhere") is None


def test_per_host_entries_of_a_mapping(tmp_path: Path) -> None:
    where = locator(tmp_path)
    allocation = "environments/site/network-allocation.yml"
    assert where.locate("x_net_ips", "cmp1") == Location(allocation, 4)
    assert where.locate("x_net_ips", "ctl1") == Location(allocation, 3)
    assert where.locate("x_net_ips", "unknown") == Location(allocation, 2)
    assert where.locate("y_net_ips", "cmp1") == Location(allocation, 5)


def test_inventory_precedence(tmp_path: Path) -> None:
    where = locator(tmp_path)
    groups = {"compute", "all"}
    assert where.locate("hv", "cmp1", groups) == Location(
        "environments/site/inventory/host_vars/cmp1/more", 2
    )
    assert where.locate("iface", "cmp1", groups) == Location(
        "environments/site/inventory/host_vars/cmp1/more", 3
    )
    assert where.locate("bmc", "cmp1", groups) == Location("environments/site/inventory/hosts", 2)
    assert where.locate("gv", "cmp1", groups) == Location("environments/site/inventory/hosts", 5)
    assert where.locate("av", "cmp1", groups) == Location(
        "environments/site/inventory/group_vars/all/all", 2
    )


def test_host_vars_of_any_layer_beat_group_vars(tmp_path: Path) -> None:
    where = locator(tmp_path)
    assert where.locate("prec", "cmp1", {"compute"}) == Location(
        "environments/mixin/inventory/host_vars/cmp1", 2
    )
    assert where.locate("prec") == Location("environments/site/inventory/group_vars/all/all", 4)


def test_host_entry_and_family(tmp_path: Path) -> None:
    where = locator(tmp_path)
    assert where.host_entry("cmp1") == Location("environments/site/inventory/hosts", 2)
    assert where.host_entry("gv") is None  # a [group:vars] line is not a host
    hosts = "environments/site/inventory/hosts"
    assert where.host_entry("cmp1", section="reservable") == Location(hosts, 7)
    assert where.host_entry("cmp1", section="no-such-group") == Location(hosts, 2)
    assert where.family("x_net_") == Location("environments/site/network-allocation.yml", 2)
