"""The diff of example-site with real renders, for a merge request that makes the changes
reviewers see most: a nova.conf override, a new compute host, a changed network, a changed
secret, a change inside a mixin and a new package snapshot of one repository (Pulp), all in
one commit of a temporary clone.

Rendered with --services nova (kayobe's layer, globals and inventory are still compared in
full): the base side is then the same render as tests/render's example-site fixture, shared
through this repository's render cache, and the head costs one nova render.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from sitectl import vault
from sitectl.diff import demo, output
from sitectl.diff.model import Report, ValueChange
from sitectl.diff.run import Outcome, run
from tests.helpers import git, vault_plaintexts

from .conftest import clone_on_a_branch, real_request

pytestmark = pytest.mark.slow

SITE = Path("environments", "example-site")
NEW_HOST, LIKE = "cmp05", "cmp01"  # a new SR-IOV hypervisor, addressed like cmp01 plus 4
NEW_NOVA_PASSWORD = "rotated-nova-keystone-password-0123456789"
CONTROLLERS = {"ctl01", "ctl02", "ctl03"}
SRIOV = {"cmp01", "cmp02"}
HYPERVISORS = SRIOV | {"cmp03", "cmp04"}
OLD_SNAPSHOT = "snapshot: rocky-10-appstream-20261201T0200\n    version: 1"
NEW_SNAPSHOT = "snapshot: rocky-10-appstream-20261215T0200\n    version: 2"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def add_host(clone: Path) -> None:
    hosts = clone / SITE / "inventory" / "hosts"
    like = f"{LIKE} ipmi_address=10.0.0.31\n"  # its BMC; the new host's is 4 further on
    _replace(
        hosts,
        f"[compute-sriov]\n{like}",
        f"[compute-sriov]\n{like}{NEW_HOST} ipmi_address=10.0.0.35\n",
    )
    allocation = clone / SITE / "network-allocation.yml"
    data = yaml.safe_load(allocation.read_text())
    for addresses in data.values():
        if LIKE in addresses:
            addresses[NEW_HOST] = str(ipaddress.ip_address(addresses[LIKE]) + 4)
            assert list(addresses.values()).count(addresses[NEW_HOST]) == 1
    allocation.write_text("---\n" + yaml.safe_dump(data, default_flow_style=False))


def rotate_secret(clone: Path, password: str) -> str:
    """A new nova_keystone_password in the site's (whole-file encrypted) kolla passwords."""
    lib = VaultLib([("default", VaultSecret(password.encode()))])
    path = clone / SITE / "kolla" / "passwords.yml"
    passwords = yaml.safe_load(lib.decrypt(path.read_text()))
    old = passwords["nova_keystone_password"]
    passwords["nova_keystone_password"] = NEW_NOVA_PASSWORD
    # A fixed salt: the same ciphertext every run, so the head's render stays cached.
    path.write_text(lib.encrypt(yaml.safe_dump(passwords), salt="sitectl-test-salt").decode())
    return old


@pytest.fixture(scope="module")
def change(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    clone = clone_on_a_branch(repo_root, tmp_path_factory.mktemp("site-changes"), "site-changes")
    password = (repo_root / vault.EXAMPLE_PASSWORD_FILE).read_text().strip()
    nova = clone / demo.FILE
    nova.write_text(demo.change(nova.read_text()))
    add_host(clone)
    _replace(clone / SITE / "networks.yml", "storage_net_mtu: 9000", "storage_net_mtu: 8950")
    rotate_secret(clone, password)
    mixin = clone / "environments" / "sriov" / "sriov.yml"
    _replace(mixin, 'sriov_vf_product_id: "1889"', 'sriov_vf_product_id: "154c"')
    _replace(clone / "etc/kayobe/pulp-repo-versions.yml", OLD_SNAPSHOT, NEW_SNAPSHOT)
    git(clone, "commit", "-q", "-am", "site changes")
    request = real_request(
        repo_root, clone, "example-site", "main", "site-changes", services=["nova"]
    )
    yield run(request)


def nova_conf_changes(report: Report) -> dict[tuple[str, str], tuple[set[str], ValueChange]]:
    """(section, key) -> (the hosts where nova.conf changed so, the change)."""
    found: dict[tuple[str, str], tuple[set[str], ValueChange]] = {}
    [nova] = [s for s in report.services if s.service == "nova"]
    for entry in nova.files:
        if entry.path != "nova.conf" or entry.kind != "modified":
            continue
        for value in entry.changes:
            hosts, _ = found.setdefault((value.section or "", value.name), (set(), value))
            hosts.update(entry.hosts)
    return found


def test_the_plan_renders_nova_as_asked(change: Outcome) -> None:
    report = change.report
    assert report.error is None, report.error
    assert (report.plan.mode, report.plan.services) == ("services", ["nova"])
    assert "the change alone would render every service" in report.plan.reason


def test_the_nova_conf_override_is_one_change_on_every_nova_host(change: Outcome) -> None:
    changes = nova_conf_changes(change.report)
    hosts, value = changes["DEFAULT", "cpu_allocation_ratio"]
    assert hosts >= CONTROLLERS | HYPERVISORS
    assert (value.kind, value.new) == ("added", "4.0")


def test_the_new_compute_host_is_an_inventory_addition(change: Outcome) -> None:
    [added] = [h for h in change.report.inventory if h.kind == "added"]
    assert added.hosts == [NEW_HOST]
    assert {"compute", "compute-sriov"} <= set(added.groups_added)
    assert "compute" in added.kolla_groups_added  # where kolla-ansible deploys Nova to it
    # Its configuration is not repeated service by service (it is all new), but the plain
    # diff holds it.
    assert f"+++ b/config/{NEW_HOST}/nova-compute/nova.conf" in change.unified
    assert all(NEW_HOST not in entry.hosts for s in change.report.services for entry in s.files)


def test_the_network_change_is_a_kayobe_variable_of_every_host(change: Outcome) -> None:
    [group] = [
        g for g in change.report.kayobe if any(c.name == "storage_net_mtu" for c in g.changes)
    ]
    [mtu] = [c for c in group.changes if c.name == "storage_net_mtu"]
    assert (mtu.old, mtu.new) == ("9000", "8950")
    assert {"stor01", "stor02", "stor03"} | CONTROLLERS <= set(group.hosts)


def test_the_snapshot_bump_shows_which_repository_moved(change: Outcome) -> None:
    """One repository's new pin: on every host, its pin, its DNF repository and its kolla
    build repository, and nothing of the repositories that stayed."""
    content = "http://10.1.0.5:24817/pulp/content"
    old, new = (f"{content}/rocky-10-appstream-2026{day}T0200/" for day in ("1201", "1215"))
    groups = [g for g in change.report.kayobe if any("appstream" in c.name for c in g.changes)]
    [group] = groups
    moved = {c.name: (c.old, c.new) for c in group.changes if "pulp" in c.name or "repos" in c.name}
    assert moved == {
        "pulp_repo_versions.rocky-10-appstream.snapshot": (
            "rocky-10-appstream-20261201T0200",
            "rocky-10-appstream-20261215T0200",
        ),
        "pulp_repo_versions.rocky-10-appstream.version": ("1", "2"),
        "dnf_custom_repos.pulp-rocky-10-appstream.baseurl": (old, new),
        "kolla_images_repos.rpm.appstream.baseurl": (old, new),
    }
    assert set(group.hosts) >= CONTROLLERS | HYPERVISORS | {"seed01", "stor01"}


def test_the_rotated_secret_is_changed_redacted(change: Outcome) -> None:
    hosts, value = nova_conf_changes(change.report)["keystone_authtoken", "password"]
    assert hosts >= CONTROLLERS  # the Nova API services authenticate with it
    assert (value.kind, value.secret, value.old, value.new) == ("changed", True, None, None)


def test_the_mixin_change_reaches_the_mixin_hosts_only(change: Outcome) -> None:
    changes = nova_conf_changes(change.report)
    specs, value = changes["pci", "device_spec"]
    assert specs == SRIOV
    assert "154c" in (value.new or "") and "1889" in (value.old or "")
    # The alias is cloud-wide (flavors name it): every Nova service learns the new product id.
    aliases, alias = changes["pci", "alias"]
    assert aliases >= CONTROLLERS | HYPERVISORS
    assert "154c" in (alias.new or "")


def test_no_secret_in_any_format(change: Outcome, repo_root: Path, tmp_path: Path) -> None:
    password = (repo_root / vault.EXAMPLE_PASSWORD_FILE).read_text().strip()
    secrets = vault_plaintexts(repo_root, password) | {NEW_NOVA_PASSWORD, password}
    files = output.artifacts(change.report, change.unified, secrets=None)
    out = output.write(tmp_path / "report", files)
    for path in sorted(out.iterdir()):
        text = path.read_text()
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{len(leaked)} secret(s) in {path.name}"
    assert "changed (redacted)" in files["report.md"]
