"""The diff end to end with real renders (sitectl.render: kayobe and kolla-ansible, minutes).

One change, a nova.conf override in a temporary clone of this repository, diffed for ci-aio.
The renders go to this repository's render cache (render's entries depend only on their
inputs, so clones may share it): after `sitectl diff --demo`, which makes the same change,
these tests render nothing.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitectl import vault
from sitectl.diff import demo, output
from sitectl.diff.run import Outcome, Request, run
from sitectl.repo import cache_dir
from tests.helpers import git

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def outcome(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    pytest.importorskip("sitectl.render")
    clone = tmp_path_factory.mktemp("real") / "clone"
    subprocess.run(["git", "clone", "-q", "--shared", str(repo_root), str(clone)], check=True)
    git(clone, "checkout", "-q", "-B", "main")
    git(clone, "checkout", "-q", "-b", "feature")
    nova = clone / demo.FILE
    nova.write_text(demo.change(nova.read_text()))
    git(clone, "commit", "-q", "-am", "overcommit ratios")
    password = repo_root / vault.EXAMPLE_PASSWORD_FILE
    request = Request(
        clone,
        "ci-aio",
        "main",
        "feature",
        vault_password_file=password,
        cache_dir=cache_dir(repo_root, "sitectl", "render"),
    )
    yield run(request)


def test_only_nova_is_rendered_and_changed(outcome: Outcome) -> None:
    report = outcome.report
    assert report.error is None, report.error
    assert (report.plan.mode, report.plan.services) == ("services", ["nova", "nova-cell"])
    assert [s.service for s in report.services] == ["nova"]
    assert (report.inventory, report.kayobe, report.globals) == ([], [], [])
    [entry] = report.services[0].files
    assert entry.path == "nova.conf"
    assert {(c.section, c.name, c.kind, c.new) for c in entry.changes} == {
        ("DEFAULT", "cpu_allocation_ratio", "added", "4.0"),
        ("DEFAULT", "ram_allocation_ratio", "added", "1.0"),
    }
    # One host in ci-aio; the same change in every Nova container, reported once.
    [placement] = entry.placements
    assert len(placement.hosts) == 1
    assert {"nova-api", "nova-compute", "nova-scheduler"} <= set(placement.containers)


def test_artifacts_are_valid_and_hold_no_secret(outcome: Outcome, tmp_path: Path) -> None:
    # Without the last scrub by known plaintexts: nothing upstream may have let one through.
    files = output.artifacts(outcome.report, outcome.unified, secrets=None)
    out = output.write(tmp_path / "report", files)
    assert json.loads((out / "report.json").read_text())["changed"] is True
    assert outcome.secrets is not None  # ci-aio has vault-encrypted values
    for name, text in files.items():
        assert "<redacted:" not in text, name
        assert not outcome.secrets.search(text), f"a vault plaintext in {name}"
    assert "+cpu_allocation_ratio = 4.0" in files["report.diff"]
