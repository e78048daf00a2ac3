"""What the sriov role leaves on the host (run by molecule's testinfra verifier)."""

from testinfra.host import Host

DEVICE = "/srv/sysfs/devices/pci0000:3a/0000:3a:00.0/0000:3b:00.0"


def test_the_physical_function_has_the_wanted_virtual_functions(host: Host) -> None:
    assert host.file(f"{DEVICE}/sriov_numvfs").content_string.strip() == "8"


def test_a_udev_rule_makes_them_again_at_boot_by_pci_address(host: Host) -> None:
    rule = host.file("/etc/udev/rules.d/81-sriov-numvfs.rules")
    assert rule.is_file and rule.mode == 0o644 and rule.user == "root"
    assert 'KERNELS=="0000:3b:00.0", ATTR{device/sriov_numvfs}="8"' in rule.content_string


def test_the_boot_loader_is_left_alone_when_the_kernel_has_the_arguments(host: Host) -> None:
    assert not host.file("/etc/default/grub.d/90-sriov-iommu.cfg").exists
