"""Grouping of a comparison of two synthetic render directories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitectl.diff import services
from sitectl.diff.compare import compare
from sitectl.diff.model import FileEntry
from sitectl.errors import SiteError

from .builders import TOKEN_DB, TOKEN_DB_NEW, TOKEN_RABBIT, Site

FILTERS = "ComputeFilter,ImagePropertiesFilter"
FILTERS_PCI = FILTERS + ",PciPassthroughFilter"


def run(tmp_path: Path, base: Site, head: Site):  # noqa: ANN201 (a Comparison)
    return compare(base.write(tmp_path / "base"), head.write(tmp_path / "head"), services.load())


def only_file(result, service: str) -> FileEntry:  # noqa: ANN001
    [diff] = [s for s in result.services if s.service == service]
    [entry] = diff.files
    return entry


def test_identical_renders_have_no_change(tmp_path: Path, site: Site) -> None:
    result = run(tmp_path, site, site.copy())
    assert (result.inventory, result.kayobe, result.globals, result.services) == ([], [], [], [])
    assert result.unified == ""


def test_nova_conf_change_on_three_controllers_collapses(tmp_path: Path, site: Site) -> None:
    head = site.copy()
    head.set_all("ctl", "nova-", "nova.conf", FILTERS, FILTERS_PCI)
    result = run(tmp_path, site, head)
    entry = only_file(result, "nova")
    assert entry.path == "nova.conf" and entry.kind == "modified" and entry.format == "ini"
    [placement] = entry.placements
    assert placement.hosts_label == "3 controllers"
    assert placement.containers == ["nova-api", "nova-scheduler"]
    [change] = entry.changes
    assert (change.section, change.name) == ("filter_scheduler", "enabled_filters")
    assert (change.old, change.new) == (FILTERS, FILTERS_PCI)
    assert change.note == "+PciPassthroughFilter"
    # The plain diff still has every host's file.
    assert result.unified.count("+enabled_filters") == 6


def test_same_change_everywhere_names_all_hosts(tmp_path: Path, site: Site) -> None:
    head = site.copy()
    head.set_all("", "nova-", "nova.conf", "debug = False", "debug = True")
    entry = only_file(run(tmp_path, site, head), "nova")
    labels = [(p.hosts_label, p.containers) for p in entry.placements]
    assert labels == [
        ("3 controllers", ["nova-api", "nova-scheduler"]),
        ("compute (2 hosts)", ["nova-compute"]),
    ]


def test_host_specific_changes_stay_apart(tmp_path: Path, site: Site) -> None:
    head = site.copy()
    head.set_all("ctl01", "nova-api", "nova.conf", "my_ip = 10.0.0.3", "my_ip = 10.0.1.3")
    head.set_all("ctl02", "nova-api", "nova.conf", "my_ip = 10.0.0.4", "my_ip = 10.0.1.4")
    [diff] = run(tmp_path, site, head).services
    assert sorted(e.placements[0].hosts_label for e in diff.files) == ["ctl01", "ctl02"]


def test_new_compute_host_is_an_inventory_change(tmp_path: Path, site: Site) -> None:
    head = site.copy()
    head.add_host("cmp03", ["compute"], like="cmp01")
    result = run(tmp_path, site, head)
    [added] = result.inventory
    assert (added.kind, added.hosts, added.groups_added) == ("added", ["cmp03"], ["compute"])
    assert "compute" in added.kolla_groups_added  # where kolla-ansible will deploy to it
    # Its configuration is not repeated service by service...
    assert result.services == []
    # ...but the plain diff holds it.
    assert "+++ b/config/cmp03/nova-compute/nova.conf" in result.unified


def test_removed_and_moved_hosts(tmp_path: Path, site: Site) -> None:
    head = site.copy()
    head.groups["controllers"].remove("ctl03")
    del head.kayobe["ctl03"], head.configs["ctl03"]
    head.inventory = head.inventory.replace("ctl03\n", "")
    head.kayobe["cmp01"]["group_names"] = ["compute", "compute-sriov"]
    head.inventory = head.inventory.replace("[compute-sriov]\n", "[compute-sriov]\ncmp01\n")
    result = run(tmp_path, site, head)
    kinds = {(c.kind, tuple(c.hosts)) for c in result.inventory}
    assert kinds == {("removed", ("ctl03",)), ("moved", ("cmp01",))}
    [moved] = [c for c in result.inventory if c.kind == "moved"]
    assert moved.groups_added == ["compute-sriov"]
    assert moved.kolla_groups_added == ["compute-sriov"]


def test_single_file_inventory(tmp_path: Path, site: Site) -> None:
    site.inventory_as_dir = False
    head = site.copy()
    head.add_host("cmp03", ["compute"], like="cmp01")
    result = run(tmp_path, site, head)
    [added] = result.inventory
    assert added.hosts == ["cmp03"]
    assert "+++ b/kolla/inventory/overcloud\n" in result.unified


def test_kolla_host_and_group_variables(tmp_path: Path, site: Site) -> None:
    head = site.copy()
    for host in ("ctl01", "ctl02", "ctl03"):
        head.host_vars[host]["api_interface"] = "bond0"
    head.group_vars["compute"]["nova_compute_virt_type"] = "qemu"
    result = run(tmp_path, site, head)
    changed, group = result.inventory
    assert (changed.kind, changed.hosts_label) == ("changed", "3 controllers")
    [variable] = changed.variables
    assert (variable.name, variable.old, variable.new) == ("api_interface", "eth1", "bond0")
    assert (group.kind, group.hosts_label, group.hosts) == (
        "group variables",
        "group compute",
        ["cmp01", "cmp02"],
    )
    assert "+++ b/kolla/inventory/overcloud/host_vars/ctl01" in result.unified


def test_network_change_grouped_by_host_group(tmp_path: Path, site: Site) -> None:
    head = site.copy()
    for host in ("cmp01", "cmp02"):
        head.kayobe[host]["internal_net_interface"] = "bond0.100"
    for host in head.hosts:
        head.kayobe[host]["ntp_servers"] = ["ntp1.example.org", "ntp2.example.org"]
    result = run(tmp_path, site, head)
    groups = {g.hosts_label: [c.name for c in g.changes] for g in result.kayobe}
    assert groups == {
        "all 5 hosts": ["ntp_servers"],
        "compute (2 hosts)": ["internal_net_interface"],
    }
    [compute] = [g for g in result.kayobe if g.hosts_label.startswith("compute")]
    assert (compute.changes[0].old, compute.changes[0].new) == ("eth1", "bond0.100")
    [ntp] = [g for g in result.kayobe if g.hosts_label.startswith("all")]
    assert ntp.changes[0].note == "+ntp2.example.org"


def test_nested_variable_change_names_its_path(tmp_path: Path, site: Site) -> None:
    head = site.copy()
    for host in head.hosts:
        head.kayobe[host]["internal_net_ips"]["ctl01"] = "10.0.9.1"
    [group] = run(tmp_path, site, head).kayobe
    [change] = group.changes
    assert (change.name, change.old, change.new) == (
        "internal_net_ips.ctl01",
        "10.0.0.3",
        "10.0.9.1",
    )


def test_changed_secret_is_changed_redacted_and_unchanged_is_not_shown(
    tmp_path: Path, site: Site
) -> None:
    head = site.copy()
    head.set_all("", "nova-", "nova.conf", TOKEN_DB, TOKEN_DB_NEW)  # DB password changed
    for host in head.hosts:
        head.kayobe[host]["database_password"] = TOKEN_DB_NEW
    head.globals["keystone_admin_password"] = TOKEN_DB  # unchanged
    result = run(tmp_path, site, head)
    entries = [e for s in result.services for e in s.files]
    assert entries
    for entry in entries:
        [change] = entry.changes
        assert (change.section, change.name, change.secret) == ("database", "connection", True)
        assert change.old is None and change.new is None
    [group] = result.kayobe
    [change] = group.changes
    assert (change.name, change.secret, change.old, change.new) == (
        "database_password",
        True,
        None,
        None,
    )
    assert result.globals == []
    # transport_url's token did not change: not in the diff as a change.
    assert "transport_url" not in "".join(
        line for line in result.unified.splitlines() if line.startswith(("+", "-"))
    )
    assert TOKEN_DB not in result.unified and TOKEN_DB_NEW not in result.unified
    assert TOKEN_RABBIT not in result.unified
    assert "<redacted, changed>" in result.unified


def test_secret_file_shows_only_that_it_changed(tmp_path: Path, site: Site) -> None:
    head = site.copy()
    head.configs["ctl01"]["keystone"]["fernet-keys/0"] = "bmV3LWtleS1tYXRlcmlhbC0xMjM0NTY3ODkw\n"
    result = run(tmp_path, site, head)
    entry = only_file(result, "keystone")
    assert (entry.path, entry.format) == ("fernet-keys/0", "secret")
    assert entry.changes[0].secret
    assert "bmV3" not in result.unified and "Zm9v" not in result.unified


def test_vault_salt_alone_is_no_change(tmp_path: Path, site: Site) -> None:
    salted = "$ANSIBLE_VAULT;1.1;AES256\n  {}\n"
    site.configs["ctl01"]["keystone"]["secrets.yml"] = salted.format("6162636465" * 6)
    head = site.copy()
    head.configs["ctl01"]["keystone"]["secrets.yml"] = salted.format("3132333435" * 6)
    result = run(tmp_path, site, head)
    assert result.services == []


def test_mixin_change_reaches_the_mixin_hosts_only(tmp_path: Path, site: Site) -> None:
    """The sriov mixin's hosts (compute-sriov) get a [pci] alias and a kayobe variable."""
    site.add_host("cmp03", ["compute", "compute-sriov"], like="cmp02")
    site.kayobe["cmp02"]["group_names"] = ["compute", "compute-sriov"]
    for host in ("cmp02", "cmp03"):
        site.kayobe[host]["sriov_physnets"] = ["physnet2"]
    head = site.copy()
    for host in ("cmp02", "cmp03"):
        head.kayobe[host]["sriov_physnets"] = ["physnet2", "physnet3"]
        nova = head.configs[host]["nova-compute"]["nova.conf"]
        head.configs[host]["nova-compute"]["nova.conf"] = nova + '\n[pci]\nalias = {"name": "vf"}\n'
    result = run(tmp_path, site, head)
    [group] = result.kayobe
    assert group.hosts_label == "compute-sriov (2 hosts)"
    entry = only_file(result, "nova")
    assert entry.placements[0].hosts_label == "compute-sriov (2 hosts)"
    [change] = entry.changes
    assert (change.section, change.name, change.kind) == ("pci", "alias", "added")


def test_container_added_on_some_hosts(tmp_path: Path, site: Site) -> None:
    head = site.copy()
    for host in ("cmp01", "cmp02"):
        head.configs[host]["neutron-sriov-agent"] = {"sriov_agent.ini": "[sriov_nic]\n"}
    [diff] = run(tmp_path, site, head).services
    assert diff.service == "neutron" and diff.files == []
    [container] = diff.containers
    assert (container.container, container.kind) == ("neutron-sriov-agent", "added")
    assert (container.hosts_label, container.files) == ("compute (2 hosts)", ["sriov_agent.ini"])


def test_text_files_fall_back_to_hunks(tmp_path: Path, site: Site) -> None:
    head = site.copy()
    head.set_all("ctl", "nova-api", "config.json", '"nova-api"', '"nova-api --debug"')
    entry = only_file(run(tmp_path, site, head), "nova")
    assert entry.format == "text" and entry.placements[0].hosts_label == "3 controllers"
    assert '-    "command": "nova-api",' in entry.hunks
    assert (entry.lines_added, entry.lines_removed) == (1, 1)


def test_ini_comment_only_change(tmp_path: Path, site: Site) -> None:
    head = site.copy()
    head.set_all("ctl", "nova-api", "nova.conf", "[database]", "# the database\n[database]")
    entry = only_file(run(tmp_path, site, head), "nova")
    assert entry.changes == [] and "comments" in entry.note


def test_render_root_paths_are_not_changes(tmp_path: Path, site: Site) -> None:
    # builders.Site writes kayobe_config_path under a directory named after each side.
    result = run(tmp_path, site, site.copy())
    assert result.kayobe == []


def test_missing_base_side_shows_everything_added(tmp_path: Path, site: Site) -> None:
    result = compare(None, site.write(tmp_path / "head"), services.load())
    assert {c.kind for c in result.inventory} == {"added", "group variables"}
    assert "+++ b/config/ctl01/nova-api/nova.conf" in result.unified


def test_not_a_render_directory(tmp_path: Path, site: Site) -> None:
    head = site.write(tmp_path / "head")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "render.json").write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(SiteError, match="render again"):
        compare(bad, head)


def test_full_base_seen_through_a_selected_head(tmp_path: Path, site: Site) -> None:
    """A cached full render of the base against a render of only nova (and nova-cell)."""
    for host in ("ctl01", "ctl02", "ctl03"):
        site.configs[host]["haproxy"] = {
            "haproxy.cfg": "global\n  maxconn 4000\n",
            "services.d/nova-api.cfg": "listen nova_api\n  bind 10.0.0.1:8774\n",
            "services.d/keystone.cfg": "listen keystone\n",
        }
    site.add_host("stor01", ["storage"], like="ctl01")
    site.configs["stor01"] = {"cinder-volume": {"cinder.conf": "[DEFAULT]\n"}}
    head = site.copy()
    head.services = ["nova", "nova-cell"]
    for host, containers in head.configs.items():
        head.configs[host] = {
            name: ({"services.d/nova-api.cfg": files["services.d/nova-api.cfg"]})
            if name == "haproxy"
            else files
            for name, files in containers.items()
            if name.startswith(("nova", "haproxy"))
        }
    head.set_all("ctl", "nova-api", "nova.conf", "debug = False", "debug = True")
    head.set_all("ctl", "haproxy", "services.d/nova-api.cfg", "8774", "8775")
    result = run(tmp_path, site, head)
    assert [s.service for s in result.services] == ["haproxy", "nova"]
    [haproxy] = [s for s in result.services if s.service == "haproxy"]
    assert [e.path for e in haproxy.files] == ["services.d/nova-api.cfg"]
    assert "keystone" not in result.unified and "cinder" not in result.unified
    assert any("full render" in note for note in result.notes)
