"""A merge request that moves the toolchain, diffed with real renders: a clone whose branch
`previous` pins the previous release (previous_release/: kayobe 20.2.0, kolla-ansible 22.2.0,
kolla 22.2.0) and whose branch `upgrade` moves it back to this repository's pins, ci-aio's
configuration unchanged. The base side is rendered by the previous release's own virtualenv
(made once per machine in the machine cache, by its pins' digest), the head side by the
running toolchain; the renders go to this repository's render cache, so the head's is
tests/render's ci-aio render when that came first.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitectl import machine_cache, toolchains
from sitectl.diff import markdown
from sitectl.diff.model import Report
from sitectl.diff.run import MOVED_NOTE, run
from tests.helpers import git

from .conftest import clone_on_a_branch, real_request

pytestmark = pytest.mark.slow

PREVIOUS = Path(__file__).with_name("previous_release")
PIN = re.compile(r"^([A-Za-z0-9._-]+)==")


def previous_requirements(current: str) -> str:
    """requirements.txt with the render packages' pins of previous_release/ in place."""
    pins = {
        match.group(1): line
        for line in (PREVIOUS / "requirements.txt").read_text().splitlines()
        if (match := PIN.match(line))
    }
    lines = [
        pins.get(match.group(1), line) if (match := PIN.match(line)) else line
        for line in current.splitlines()
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def report(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    clone = clone_on_a_branch(repo_root, tmp_path_factory.mktemp("toolchain"), "previous")
    requirements = clone / toolchains.REQUIREMENTS
    requirements.write_text(previous_requirements(requirements.read_text()))
    (clone / toolchains.CONSTRAINTS).write_text((PREVIOUS / "constraints.txt").read_text())
    git(clone, "commit", "-q", "-am", "the 2026.1 toolchain")
    git(clone, "checkout", "-q", "-b", "upgrade")
    git(clone, "checkout", "main", "--", *toolchains.PIN_FILES)
    git(clone, "commit", "-q", "-am", "upgrade to the current toolchain")
    return run(real_request(repo_root, clone, "ci-aio", "previous", "upgrade")).report


def test_the_plan_renders_everything_on_both_toolchains_and_names_them(report: Report) -> None:
    assert report.error is None, report.error
    assert report.plan.mode == "full"
    assert report.plan.reason.startswith(
        "the toolchain moves (kayobe 20.2.0 → 21.0.0, kolla-ansible 22.2.0 → 23.0.0, "
        "kolla 22.2.0 → 23.0.0, ansible-core 2.20.10 → 2.21.5)"
    )
    assert report.plan.changed_files == sorted(toolchains.PIN_FILES)
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
    assert report.plan.changed_files == ["requirements.txt", "tools/constraints.txt"]
