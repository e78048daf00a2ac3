"""What the infiniband role leaves on the host (run by molecule's testinfra verifier)."""

from testinfra.host import Host


def test_the_host_infiniband_stack_is_installed(host: Host) -> None:
    for package in ("rdma-core", "infiniband-diags", "ibverbs-utils"):
        assert host.package(package).is_installed, package


def test_the_interface_is_switched_to_the_wanted_mode(host: Host) -> None:
    assert host.file("/srv/sysfs/class/net/ib0/mode").content_string.strip() == "connected"


def test_a_udev_rule_sets_the_mode_again_at_boot(host: Host) -> None:
    rule = host.file("/etc/udev/rules.d/81-ipoib-mode.rules")
    assert rule.is_file and rule.mode == 0o644 and rule.user == "root"
    assert 'KERNEL=="ib0", ATTR{mode}="connected"' in rule.content_string
    assert 'NAME=="ib0", ATTR{mode}="connected"' in rule.content_string
