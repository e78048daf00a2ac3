"""The site summary of `show --format summary`, and pass-through verbs' argument splitting."""

from sitectl.cli import split_passthrough
from sitectl.summary import summarise

HOSTS = {
    "cmp1": {
        "group_names": ["compute", "compute-sriov", "ntp", "overcloud"],
        "network_interfaces": ["internal_net", "sriov_net"],
        "internal_net_interface": "bond0.103",
        "internal_net_cidr": "10.3.0.0/24",
        "internal_net_ips": {"cmp1": "10.3.0.41"},
        "sriov_net_interface": "ens2f0",
        "ansible_host": "10.3.0.41",
    },
    "cmp2": {
        "group_names": ["compute"],
        "network_interfaces": ["internal_net"],
        "internal_net_cidr": "10.3.0.0/24",
        "internal_net_ips": {},
        "ansible_host": None,
    },
    "bm1": {"group_names": ["baremetal-compute"], "redfish_address": "10.0.1.5"},
}


def test_summary_lists_groups_interfaces_and_addresses() -> None:
    text = summarise("site", ["sriov", "site"], HOSTS)
    assert text.splitlines()[0] == "site: 3 hosts; layers: etc/kayobe -> sriov -> site"
    assert "cmp1  [compute, compute-sriov]" in text
    assert "  internal_net  bond0.103  10.3.0.41" in text
    assert "  sriov_net     ens2f0     -" in text
    assert "  not managed by kayobe; BMC 10.0.1.5" in text


def test_summary_shows_what_is_missing() -> None:
    text = summarise("site", ["site"], HOSTS)
    assert "  internal_net  (none)  (none)" in text
    assert "  reached at (no address!)" in text


def test_summary_names_the_control_host_without_warnings() -> None:
    localhost = {"group_names": ["ungrouped"], "ansible_connection": "local", "ansible_host": None}
    text = summarise("site", ["site"], {**HOSTS, "localhost": localhost})
    assert text.splitlines()[0].startswith("site: 3 hosts and the control host localhost;")
    control = text.split("localhost  [ungrouped]\n", 1)[1]
    assert control.startswith("  the control host: kayobe and kolla-ansible run here")
    assert "(none!)" not in control and "(no address!)" not in control


def test_passthrough_verbs_keep_their_own_options() -> None:
    assert split_passthrough(
        ["kayobe", "overcloud", "host", "configure", "--environment", "x"]
    ) == (
        ["kayobe"],
        ["overcloud", "host", "configure", "--environment", "x"],
    )
    assert split_passthrough(["--repo", "kayobe", "test", "-k", "layering"]) == (
        ["--repo", "kayobe", "test"],
        ["-k", "layering"],
    )


def test_other_verbs_are_parsed_whole() -> None:
    assert split_passthrough(["show", "ci-aio", "--host", "aio"]) == (
        ["show", "ci-aio", "--host", "aio"],
        None,
    )
