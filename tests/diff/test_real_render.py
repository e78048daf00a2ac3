"""The diff end to end with real renders (sitectl.render: kayobe and kolla-ansible, minutes).

One change, a nova.conf override in a temporary clone of this repository, diffed for ci-aio
twice: the full way first (both sides rendered whole, --full), then as `sitectl diff` plans
it, with the full render of the base cached as the target branch's pipeline leaves it. The
second renders nova and nova-cell only, without kolla's loadbalancer step, on kayobe's layer
of the first (the change is confined to kolla/config); its report must be the full one's.
The renders go to this repository's render cache (entries depend only on their inputs, so
clones share them, and tests/render's ci-aio render is the base's).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from sitectl.diff import demo, output, summary
from sitectl.diff.run import Outcome, Request, run
from sitectl.render import cached, render
from tests.helpers import git

from .conftest import clone_on_a_branch, real_request

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def request_(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Request:
    clone = clone_on_a_branch(repo_root, tmp_path_factory.mktemp("real"), "feature")
    nova = clone / demo.FILE
    nova.write_text(demo.change(nova.read_text()))
    git(clone, "commit", "-q", "-am", "overcommit ratios")
    return real_request(repo_root, clone, "ci-aio", "main", "feature")


@pytest.fixture(scope="module")
def base_full(request_: Request) -> Path:
    """main's full render, as the target branch's pipeline leaves it in the cache."""
    return render(
        request_.repo,
        "ci-aio",
        ref="main",
        vault_password_file=request_.vault_password_file,
        cache_dir=request_.cache_dir,
    )


@pytest.fixture(scope="module")
def outcome(request_: Request, base_full: Path) -> Iterator[Outcome]:
    # An earlier run's full render of the head would serve this diff (as it should): the
    # fast path is what is tested here.
    options = {"vault_password_file": request_.vault_password_file, "cache_dir": request_.cache_dir}
    head_full = cached(request_.repo, "ci-aio", ref="feature", **options)
    if head_full is not None:
        shutil.rmtree(head_full)
    yield run(request_)


@pytest.fixture(scope="module")
def full_outcome(request_: Request, outcome: Outcome) -> Outcome:
    """After the fast diff (which must not find the head's full render cached)."""
    return run(replace(request_, full=True))


def test_the_fast_diff_says_what_it_rendered(outcome: Outcome) -> None:
    plan = outcome.report.plan
    assert plan.skipped == ["loadbalancer"]
    assert "loadbalancer step was left out" in summary.plan_line(outcome.report)
    rendering = outcome.report.rendering  # how it was rendered: not a reviewer's warning
    assert any(note.startswith("head: kayobe's layer") for note in rendering)
    assert not any("kayobe's layer" in note for note in outcome.report.notes)
    [narrowed] = [n for n in rendering if "kolla-openstack.yml built only" in n]
    assert narrowed.startswith("head: kayobe's kolla-openstack.yml built only the overrides nova")


def test_the_fast_diff_is_the_full_renders_diff(outcome: Outcome, full_outcome: Outcome) -> None:
    """Output identical to the full renders' for what the fast diff renders: every section
    of the report and the plain diff."""
    fast, full = outcome.report, full_outcome.report
    assert (full.error, full.plan.mode) == (None, "full")
    assert full.changed and fast.changed
    for section in ("services", "kayobe", "globals", "inventory", "problems"):
        assert getattr(fast, section) == getattr(full, section), section
    assert outcome.unified == full_outcome.unified


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
