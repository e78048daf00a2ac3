"""kolla-ansible's genconfig split into parts (sitectl.render.partitions), checked against the
installed kolla-ansible's site.yml the way Ansible selects by tags: every play and every
loadbalancer task that one run would render runs in exactly one part, and nothing else runs.
That the parts together write the same files as one run is tested on real renders
(tests/render/test_determinism.py)."""

from __future__ import annotations

import pytest

from sitectl import kolla_playbooks
from sitectl.errors import SiteError
from sitectl.render import partitions

SELECTIONS = [
    (None, ()),  # a full render
    (None, ("loadbalancer",)),
    (["nova", "nova-cell"], ("loadbalancer",)),  # the diff's one-service render
    (["nova"], ()),  # the loadbalancer's nova tasks must stay with nova
    (["nova", "keystone", "glance", "neutron"], ()),
    (["loadbalancer", "keystone", "nova"], ()),
    (["common", "cron", "fluentd"], ()),
]


def runs(tags: set[str], asked: set[str] | None, skip: set[str]) -> bool:
    """Whether Ansible runs a task with these tags (`always` aside) under --tags/--skip-tags;
    asked None: no --tags (only a play without tags is `untagged`)."""
    if tags & skip:
        return False
    if asked is None:
        return True
    return bool(tags & asked) or (not tags and "untagged" in asked)


def units() -> list[tuple[str, set[str]]]:
    """Every play, and every loadbalancer task of one service, with the tags it carries."""
    found = []
    for play in kolla_playbooks.plays():
        found.append((play.name, set(play.tags)))
        for tag in sorted(play.crossing):
            found.append((f"{play.name}: {tag}", set(play.tags) | {tag}))
    return found


@pytest.mark.parametrize(("chosen", "skipped"), SELECTIONS)
def test_every_task_of_one_run_runs_in_exactly_one_part(
    chosen: list[str] | None, skipped: tuple[str, ...]
) -> None:
    parts = partitions.split(chosen, skipped, 2)
    if chosen == ["nova"]:
        assert parts is None  # one group, its loadbalancer tasks tagged `nova` only
        return
    assert parts is not None and len(parts) == 2
    asked = set(chosen) if chosen is not None else None
    for name, tags in units():
        if not tags:
            continue  # `always` plays: every run has them
        expected = runs(tags, asked, set(skipped))
        ran = [runs(tags, set(part.tags), set(part.skip)) for part in parts]
        assert sum(ran) == int(expected), (name, sorted(tags), parts)


def test_narrower_tags_split_nova_and_the_loadbalancer_opens_the_first_part() -> None:
    parts = partitions.split(["nova", "nova-cell"], ("loadbalancer",), 2)
    assert parts is not None
    assert sorted(tuple(part.tags) for part in parts) == [("nova-api",), ("nova-cell",)]
    full = partitions.split(None, (), 3)
    assert full is not None
    assert "loadbalancer" in full[0].tags and "untagged" in full[0].tags
    # The loadbalancer's part leaves each other part's services' HAProxy tasks to that part.
    others = {tag for part in full[1:] for tag in part.tags}
    assert {"neutron", "keystone"} & others <= set(full[0].skip)
    assert all(not part.skip for part in full[1:])


def test_measured_costs_balance_the_parts() -> None:
    costs = {play.role: 1.0 for play in kolla_playbooks.plays()} | {"neutron": 60.0}
    parts = partitions.split(None, (), 2, costs=costs)
    assert parts is not None
    [alone] = [part for part in parts if "neutron" in part.tags]
    assert len(alone.tags) < len(next(part for part in parts if part is not alone).tags)


def test_one_part_asked_for_is_no_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(partitions.PARTS_VARIABLE, "1")
    assert partitions.count() == 1
    assert partitions.split(None, (), partitions.count()) is None
    assert partitions.count(hosts=15) == 1


def test_parts_fill_the_cores_one_run_leaves_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(partitions.PARTS_VARIABLE, raising=False)
    monkeypatch.setattr(partitions.os, "cpu_count", lambda: 2)
    assert (partitions.count(1), partitions.count(2), partitions.count(15)) == (2, 1, 1)
    monkeypatch.setattr(partitions.os, "cpu_count", lambda: 16)
    assert (partitions.count(1), partitions.count(3), partitions.count(40)) == (4, 4, 1)
    monkeypatch.setenv(partitions.PARTS_VARIABLE, "3")
    assert partitions.count(15) == 3  # asked for


def test_a_bad_parts_count_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(partitions.PARTS_VARIABLE, "two")
    with pytest.raises(SiteError, match="whole number"):
        partitions.count()
