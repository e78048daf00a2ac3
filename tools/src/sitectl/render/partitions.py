"""kolla-ansible's genconfig split into runs that share no task, so a render uses every core.

One ansible-playbook run renders a host's services one task at a time: on a single-host
environment a render uses one core. kolla-ansible's tags allow running the same playbook in
parts: each part renders a disjoint set of plays, and together they render exactly what one
run would. The parts come from kolla-ansible's own site.yml (kolla_playbooks.plays()):

- The plays the render selects are grouped while they share a tag (nova-api and nova-cell
  share `nova`), so that no play runs in two parts; a part passes the tags asked for that
  its groups hold. A group is split further when narrower tags select disjoint parts of it
  and nothing else (nova's plays: `nova-api`, `nova-cell`), unless the loadbalancer play's
  tasks for the group's services would then be left out.
- The loadbalancer play also carries each service's own HAProxy and ProxySQL tasks, tagged
  with the service (`include_role: tasks_from: loadbalancer`). The part with that play runs
  its own role and the tasks of its services, and skips the services other parts hold:
  those parts' tags select them there (as `--tags nova` alone would).
- A full render's first part also runs `untagged` plays (kolla-ansible's prechecks), which
  only a run without --tags selects.
- Groups are spread over the parts largest first, by the seconds each play took in an
  earlier render of the environment when known (costs), else by the size of its roles.

Plays tagged `always` (facts, host groups) run in every part, as they would once; they write
no file. A render of as many hosts as cores, or more, runs in one piece: Ansible already
spreads each task over the hosts (count()). SITECTL_RENDER_PARTS=1 turns the split off (one
run, as kayobe runs it).
"""

import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitectl import kolla_playbooks
from sitectl.errors import SiteError

MAX_PARTS = 4
PARTS_VARIABLE = "SITECTL_RENDER_PARTS"
UNKNOWN_SECONDS = 0.5  # a play no earlier render timed (with costs from one)


@dataclass(frozen=True)
class Part:
    tags: list[str]
    skip: list[str]

    def args(self) -> list[str]:
        return ["--tags", ",".join(self.tags)] + (
            ["--skip-tags", ",".join(self.skip)] if self.skip else []
        )


def count(hosts: int = 1) -> int:
    """How many parts a render of `hosts` hosts runs at once: $SITECTL_RENDER_PARTS, else
    the cores one run leaves idle. One run works on every host of a task at once (Ansible's
    forks), so only a run with fewer hosts than cores leaves some idle: measured on 2 cores,
    ci-aio (1 host) renders in 95 s in two parts against 145 s in one run, while
    example-site (15 hosts) took 585 s in two parts against 550 s in one."""
    given = os.environ.get(PARTS_VARIABLE, "").strip()
    if given:
        if not given.isdigit() or int(given) < 1:
            raise SiteError(f"${PARTS_VARIABLE} is {given!r}: give a whole number, 1 or more.")
        return int(given)
    return max(1, min(MAX_PARTS, (os.cpu_count() or 1) // max(1, hosts)))


def split(
    chosen: Sequence[str] | None,
    skipped: Sequence[str],
    parts: int,
    disabled: Collection[str] = frozenset(),
    costs: Mapping[str, float] | None = None,
) -> list[Part] | None:
    """The parts for a render of `chosen` (None: everything) without `skipped`; None when
    there is nothing to split (one part asked for, or one group of plays). `disabled`: the
    services the configuration turns off; `costs`: seconds per play's role, measured."""
    plays = [p for p in kolla_playbooks.plays() if p.tags and not p.tags & set(skipped)]
    wanted = set(chosen) if chosen is not None else {t for p in plays for t in p.tags}
    selected = [p for p in plays if p.tags & wanted]
    hub = next((p for p in selected if p.crossing), None)
    crossing = next((p.crossing for p in plays if p.crossing), frozenset())
    groups: list[tuple[list[kolla_playbooks.Play], list[str]]] = []
    for group in _groups(selected):
        tags = sorted({t for p in group for t in p.tags} & wanted)
        # The loadbalancer play's tasks for these services run by their tags: keep them.
        keeps_crossing = hub is None and bool(set(tags) & crossing)
        finer = None if keeps_crossing else _finer(group, plays)
        groups += finer or [(group, tags)]
    if parts < 2 or len(groups) < 2:
        return None
    play_cost, crossing_cost = _cost_model(disabled, costs, crossing)

    def weight(group: list[kolla_playbooks.Play], tags: list[str]) -> float:
        held = [t for t in tags if t in crossing and t.replace("-", "_") not in disabled]
        return sum(play_cost(p) for p in group) + crossing_cost * len(held)

    weighted = sorted(
        ((weight(group, tags), group, tags) for group, tags in groups),
        key=lambda item: (-item[0], item[2]),
    )
    if hub is not None:  # the loadbalancer's group opens the first part
        weighted.sort(key=lambda item: hub not in item[1])
    bins: list[tuple[list[kolla_playbooks.Play], list[str]]] = [
        ([], []) for _ in range(min(parts, len(groups)))
    ]
    loads = [0.0] * len(bins)
    for load, group, tags in weighted:
        index = 0 if not bins[0][0] else loads.index(min(loads))
        bins[index][0].extend(group)
        bins[index][1].extend(tags)
        loads[index] += load
    result = []
    for index, (members, tags) in enumerate(bins):
        tags = sorted(set(tags)) + (["untagged"] if index == 0 and chosen is None else [])
        skip = set(skipped)
        if hub is not None and hub in members:  # other parts run their services' own tasks
            skip |= crossing & {t for other in bins if other[0] is not members for t in other[1]}
        result.append(Part(tags=tags, skip=sorted(skip)))
    return result


def _finer(
    group: list[kolla_playbooks.Play], plays: Sequence[kolla_playbooks.Play]
) -> list[tuple[list[kolla_playbooks.Play], list[str]]] | None:
    """The group split by narrower tags that select disjoint parts of it and nothing else
    (nova's plays by nova-api and nova-cell); None when no such tags cover it."""
    members = {id(p) for p in group}
    candidates = []
    for tag in sorted({t for p in group for t in p.tags}):
        chosen = [p for p in plays if tag in p.tags]
        if len(chosen) < len(group) and all(id(p) in members for p in chosen):
            candidates.append((tag, chosen))
    candidates.sort(key=lambda item: (-len(item[1]), item[0]))
    picked: list[tuple[list[kolla_playbooks.Play], list[str]]] = []
    covered: set[int] = set()
    for tag, chosen in candidates:
        if not covered & {id(p) for p in chosen}:
            picked.append((chosen, [tag]))
            covered |= {id(p) for p in chosen}
    return picked if len(picked) > 1 and covered == members else None


def _groups(plays: Iterable[kolla_playbooks.Play]) -> list[list[kolla_playbooks.Play]]:
    """Plays grouped while they share a tag."""
    groups: list[list[kolla_playbooks.Play]] = []
    for play in plays:
        joined = [play]
        for group in [g for g in groups if any(p.tags & play.tags for p in g)]:
            joined = group + joined
            groups.remove(group)
        groups.append(joined)
    return groups


def _cost_model(
    disabled: Collection[str], costs: Mapping[str, float] | None, crossing: Collection[str]
) -> tuple[Callable[[kolla_playbooks.Play], float], float]:
    """A play's cost, and the cost of one service's tasks in the loadbalancer play (that
    play's own cost is what is left): measured seconds, else the size of the roles' tasks; a
    disabled service's play costs next to nothing either way."""
    enabled = len([t for t in crossing if t.replace("-", "_") not in disabled])
    if costs:
        unit = {
            play.role: costs.get(play.role, UNKNOWN_SECONDS) for play in kolla_playbooks.plays()
        }
        hub = next((p.role for p in kolla_playbooks.plays() if p.crossing), "")
        share = float(unit.get(hub, 0.0)) / (enabled + 1)
        return (lambda play: share if play.role == hub else float(unit[play.role])), share
    base = kolla_playbooks.playbooks_dir()

    def size(role: str) -> float:
        return float(sum(p.stat().st_size for p in Path(base, "roles", role).glob("tasks/*.yml")))

    def estimate(play: kolla_playbooks.Play) -> float:
        return 1.0 if play.role.replace("-", "_") in disabled else size(play.role)

    return estimate, size("haproxy-config") + size("proxysql-config")
