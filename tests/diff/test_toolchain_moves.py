"""A merge request that moves the toolchain, with real renders: a clone whose branch
`previous` pins the previous release (previous_release/: kayobe 20.2.0, kolla-ansible 22.2.0,
kolla 22.2.0) and whose branch `upgrade` moves it back to this repository's pins, with three
site changes of its own in the same commits (overcommit ratios in nova.conf, an option
2026.2's oslo.messaging removed, a variable kolla-ansible 23 no longer reads, a pin for an
image kolla 23 no longer builds).

The config diff renders each side with the toolchain its commit pins; the upgrade rehearsal
(`sitectl upgrade`) renders the head configuration with both and tells the site's changes
from the release's. The previous release's virtualenv is made once per machine (machine
cache, by its pins' digest); the renders go to this repository's render cache, so the
rehearsal renders only what the diff did not (the head configuration with the old toolchain).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sitectl import machine_cache, toolchains
from sitectl.diff import demo, markdown
from sitectl.diff import rehearsal_report as views
from sitectl.diff.model import Report, Side
from sitectl.diff.rehearsal import Rehearsal, rehearse, stop_of
from sitectl.diff.run import MOVED_NOTE, Outcome, run
from sitectl.errors import SiteError
from sitectl.render import configuration_at, render
from tests.helpers import git
from tests.releases import pin_previous

from .conftest import clone_on_a_branch, real_request

pytestmark = pytest.mark.slow

GLOBALS = "etc/kayobe/kolla/globals.yml"
# oslo.messaging registered it at 2026.1 (tools/schema-previous-requirements.txt), not at 2026.2.
REMOVED_OPTION = "\n[oslo_messaging_rabbit]\nheartbeat_in_pthread = true\n"
# Read by kolla-ansible 22.2.0's roles/neutron/templates/neutron.conf.j2; 23.0.0 reads it nowhere.
UNREAD_VARIABLE = "\n# The IPAM driver of Neutron.\nneutron_ipam_driver: internal\n"
IMAGE_PINS = "etc/kayobe/kolla-image-tags.yml"
# kolla 22.2.0 builds neutron-infoblox-ipam-agent; kolla 23.0.0 has no such Dockerfile.
DROPPED_IMAGE_PIN = '  neutron-infoblox-ipam-agent: "2026.1-rocky-10-20260301"\n'


@pytest.fixture(scope="module")
def clone(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    clone = clone_on_a_branch(repo_root, tmp_path_factory.mktemp("toolchain"), "previous")
    pin_previous(clone)
    git(clone, "commit", "-q", "-am", "the 2026.1 toolchain")
    git(clone, "checkout", "-q", "-b", "upgrade")
    git(clone, "checkout", "main", "--", *toolchains.PIN_FILES)
    nova = clone / demo.FILE
    nova.write_text(demo.change(nova.read_text()) + REMOVED_OPTION)
    globals_file = clone / GLOBALS
    globals_file.write_text(globals_file.read_text() + UNREAD_VARIABLE)
    pins = clone / IMAGE_PINS
    pins.write_text(pins.read_text() + DROPPED_IMAGE_PIN)
    git(clone, "commit", "-q", "-am", "upgrade to the current toolchain, and site changes")
    return clone


@pytest.fixture(scope="module")
def report(repo_root: Path, clone: Path) -> Report:
    return run(real_request(repo_root, clone, "ci-aio", "previous", "upgrade")).report


@pytest.fixture(scope="module")
def rehearsal(repo_root: Path, clone: Path, report: Report) -> tuple[Rehearsal, list[Outcome]]:
    """After the diff (whose renders it reuses)."""
    request = real_request(repo_root, clone, "ci-aio", "previous", "upgrade")
    return rehearse(
        clone,
        "ci-aio",
        "previous",
        "upgrade",
        vault_password_file=request.vault_password_file,
        cache_dir=request.cache_dir,
    )


def test_the_plan_renders_everything_on_both_toolchains_and_names_them(report: Report) -> None:
    assert report.error is None, report.error
    assert report.plan.mode == "full"
    assert report.plan.reason.startswith(
        "the toolchain moves (kayobe 20.2.0 → 21.0.0, kolla-ansible 22.2.0 → 23.0.0, "
        "kolla 22.2.0 → 23.0.0, ansible-core 2.20.10 → 2.21.5)"
    )
    assert set(toolchains.PIN_FILES) <= set(report.plan.changed_files)
    assert report.base.toolchain == (
        "kayobe 20.2.0, kolla-ansible 22.2.0, kolla 22.2.0, ansible-core 2.20.10"
    )
    assert report.head.toolchain == toolchains.running().describe()
    assert MOVED_NOTE in report.notes
    note = markdown.render(report)
    assert f"The toolchain moves: base {report.base.toolchain} → head" in note
    # The previous release's virtualenv is the machine cache's, made once by its pins' digest.
    made = [e for e in machine_cache.entries((toolchains.KIND,)) if e.complete]
    assert made, "the previous release's toolchain is not in the machine cache"


def changes(report: Report) -> dict[tuple[str, str, str], tuple[str | None, str | None]]:
    return {
        (service.service, entry.path, f"[{change.section}] {change.name}"): (change.old, change.new)
        for service in report.services
        for entry in service.files
        for change in entry.changes
    }


def test_the_releases_own_changes_show_though_the_configuration_did_not_change(
    report: Report,
) -> None:
    """Three changes between kolla-ansible 22.2.0 and 23.0.0 for services ci-aio enables,
    found by reading the two releases' role files (not this report):
    - roles/neutron/templates/neutron.conf.j2: 22.2.0 writes `ipam_driver =
      {{ neutron_ipam_driver }}` in [DEFAULT]; 23.0.0 no longer writes it;
    - roles/keystone/templates/keystone.conf.j2: log_file keystone.log -> keystone-api.log;
    - roles/keystone/defaults/main.yml: the API's container_name keystone -> keystone_api.
    """
    found = changes(report)
    assert found[("neutron", "neutron.conf", "[DEFAULT] ipam_driver")] == ("internal", None)
    assert found[("keystone", "keystone.conf", "[DEFAULT] log_file")] == (
        "/var/log/kolla/keystone/keystone.log",
        "/var/log/kolla/keystone/keystone-api.log",
    )
    keystone = next(s for s in report.services if s.service == "keystone")
    moved = {(c.container, c.kind) for c in keystone.containers}
    assert {("keystone", "removed"), ("keystone-api", "added")} <= moved


SITE_CHANGE = ("nova", "nova.conf", "[DEFAULT] cpu_allocation_ratio")
RELEASE_CHANGE = ("keystone", "keystone.conf", "[DEFAULT] log_file")


def test_the_rehearsal_tells_the_sites_changes_from_the_releases(
    rehearsal: tuple[Rehearsal, list[Outcome]],
) -> None:
    found, _ = rehearsal
    assert found.stopped is None and found.together is None
    assert found.site is not None and found.release is not None
    assert found.base.toolchain.startswith("kayobe 20.2.0, kolla-ansible 22.2.0")
    assert found.head.toolchain == toolchains.running().describe()
    site, released = changes(found.site), changes(found.release)
    assert site[SITE_CHANGE] == (None, "4.0")
    assert SITE_CHANGE not in released
    assert RELEASE_CHANGE in released
    assert RELEASE_CHANGE not in site
    assert ("neutron", "neutron.conf", "[DEFAULT] ipam_driver") in released
    assert [g.name for g in found.site.globals] == ["neutron_ipam_driver"]
    assert not found.release.globals or "neutron_ipam_driver" not in {
        g.name for g in found.release.globals
    }


def line_of(clone: Path, path: str, text: str) -> int:
    lines = (clone / path).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(text))


def test_the_rehearsal_names_what_the_new_release_rejects_with_file_line_and_release(
    rehearsal: tuple[Rehearsal, list[Outcome]], clone: Path
) -> None:
    found, _ = rehearsal
    by_subject = {hazard.subject: hazard for hazard in found.hazards}
    option = by_subject["nova.conf [oslo_messaging_rabbit] heartbeat_in_pthread"]
    assert option.severity == "error"
    assert option.source == f"{demo.FILE}:{line_of(clone, demo.FILE, 'heartbeat_in_pthread')}"
    assert "2026.1 registered it, 2026.2 does not" in option.message
    variable = by_subject["neutron_ipam_driver"]
    assert variable.source == f"{GLOBALS}:{line_of(clone, GLOBALS, 'neutron_ipam_driver')}"
    assert "kolla-ansible 23.0.0 never reads it" in variable.message
    assert "read by kayobe 20.2.0, kolla-ansible 22.2.0" in variable.message
    image = by_subject["neutron-infoblox-ipam-agent"]
    assert (image.kind, image.severity) == ("image", "error")
    assert image.source == f"{IMAGE_PINS}:{line_of(clone, IMAGE_PINS, '  neutron-infoblox')}"
    assert "kolla 22.2.0 builds the neutron-infoblox-ipam-agent image" in image.message
    assert "kolla 23.0.0 no longer does" in image.message
    assert set(by_subject) == {option.subject, variable.subject, image.subject}


def test_the_rehearsal_quotes_the_release_notes_that_concern_the_site(
    rehearsal: tuple[Rehearsal, list[Outcome]],
) -> None:
    found, _ = rehearsal
    notes = found.release_notes
    assert len({(n.project, n.file, n.text) for n in notes}) == len(notes)
    assert {(n.project, n.version) for n in notes} <= {
        ("kayobe", "21.0.0"),
        ("kolla-ansible", "23.0.0"),
        ("kolla", "23.0.0"),
    }
    # kolla 23's note on keystone's image (keystone is enabled in ci-aio).
    assert any(n.project == "kolla" and "keystone-api" in n.text for n in notes)
    # A note on a service ci-aio does not enable is left out (Octavia is off in ci-aio).
    assert not any("octavia" in n.text.lower() and n.section == "fixes" for n in notes)


def test_the_rehearsals_report_in_every_format(
    rehearsal: tuple[Rehearsal, list[Outcome]], tmp_path: Path
) -> None:
    found, outcomes = rehearsal
    files = views.artifacts(found, outcomes[0].secrets)
    out = views.write(tmp_path / "upgrade", files)
    note = (out / "report.md").read_text()
    for title in (
        "What the new release will reject or ignore (3)",
        "What the site changes",
        "What the release changes on its own",
        "What the release notes say for this site",
        "What this rehearsal cannot show",
    ):
        assert f"#### {title}" in note
    assert f"The toolchain moves: {found.base.toolchain} → {found.head.toolchain}." in note
    data = json.loads((out / "report.json").read_text())
    assert data["format"] == "sitectl-upgrade-1"
    assert data["site"]["format"] == data["release"]["format"] == "sitectl-config-diff-1"
    junit = ET.parse(out / "junit.xml").getroot()
    failed = [
        case.get("name") for case in junit.iter("testcase") if case.find("failure") is not None
    ]
    assert failed == [
        "ci-aio option nova.conf [oslo_messaging_rabbit] heartbeat_in_pthread",
        "ci-aio image neutron-infoblox-ipam-agent",
    ]
    assert "What the release changes on its own" in (out / "report.html").read_text()


# kolla-ansible 23's group_vars define it; 22.2.0's do not.
NEW_VARIABLE_USE = "\n[spice]\nrequire_secure = {{ nova_spice_require_secure }}\n"


def test_what_stopped_the_old_toolchain_is_named_with_where_the_site_uses_it(
    clone: Path, repo_root: Path
) -> None:
    """A site change that only the new release can render (nova.conf using a variable only
    kolla-ansible 23 defines), rendered by the previous release: its real error names the
    variable, and the rehearsal says where the new configuration uses it."""
    git(clone, "checkout", "-q", "-b", "new-variable", "upgrade")
    nova = clone / demo.FILE
    nova.write_text(nova.read_text() + NEW_VARIABLE_USE)
    git(clone, "commit", "-qam", "uses what only the new release defines")
    old = toolchains.for_commit(clone, git(clone, "rev-parse", "previous"))
    with pytest.raises(SiteError) as stopped:
        render(
            clone,
            "ci-aio",
            ref="new-variable",
            services=["nova"],
            vault_password_file=repo_root / "ci" / "vault-password.example",
            toolchain=old,
        )
    error = stopped.value.render()
    line = nova.read_text().splitlines().index("require_secure = {{ nova_spice_require_secure }}")
    with configuration_at(clone, "new-variable") as config:
        stop = stop_of(error, config, "ci-aio")
    assert stop is not None, error
    assert stop.variable == "nova_spice_require_secure"
    assert stop.used_at == [f"{demo.FILE}:{line + 1}"]
    # The premise: the new kolla-ansible defines it, the old one does not.
    defined = "\nnova_spice_require_secure:"
    for chain, has in ((old, False), (toolchains.running(), True)):
        group_vars = chain.prefix / "share" / "kolla-ansible" / "ansible" / "group_vars" / "all"
        assert (defined in (group_vars / "nova.yml").read_text()) is has, chain.describe()
    # The report says it under the quoted error, in each format.
    stopped_at = Rehearsal(
        environment="ci-aio",
        base=Side("previous", git(clone, "rev-parse", "previous"), "previous", old.describe()),
        head=Side("new-variable", git(clone, "rev-parse", "new-variable"), "new-variable"),
        stopped=error,
        stopped_by=stop,
    )
    said = f"It stops at nova_spice_require_secure, which {old.describe()} does not define"
    assert said in views.render_html(stopped_at, lambda _: None)
    assert markdown.inline(said) in views.render_markdown(stopped_at, lambda _: None)
    assert views.headline(stopped_at) == "Upgrade rehearsal for ci-aio: cannot render"
