"""Compare two render directories (see sitectl.render) into a grouped report.

The layers are compared separately, each by its own module: the inventory (membership: hosts
added, removed, moved between groups), kayobe's variables per host (variables: grouped by the
hosts that changed the same way), kolla's globals (value_diff), and each host's kolla
configuration (configs: grouped service -> file -> change). Both sides are loaded and guarded
by side.py first; this module puts the layers together, with the plain unified diff of all.
"""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sitectl import render_layout as layout
from sitectl.diff.configs import compare_configs, text_diff
from sitectl.diff.hosts import HostNamer, sort_hosts
from sitectl.diff.membership import compare_inventory
from sitectl.diff.model import HostChange, ServiceDiff, ValueChange, VariableGroup
from sitectl.diff.services import KollaServices
from sitectl.diff.side import Render, Scope, load
from sitectl.diff.value_diff import value_changes, yaml_text
from sitectl.diff.variables import compare_kayobe, stable


@dataclass
class Comparison:
    inventory: list[HostChange]
    kayobe: list[VariableGroup]
    globals: list[ValueChange]
    services: list[ServiceDiff]
    unified: str
    notes: list[str]


def compare(
    base_dir: Path | None, head_dir: Path | None, services: KollaServices | None = None
) -> Comparison:
    base, head = load(base_dir), load(head_dir)
    services = services or KollaServices()
    notes: list[str] = []
    for full, subset in ((base, head), (head, base)):
        selected = subset.meta.get("services")
        both = full.root is not None and subset.root is not None
        if both and full.meta.get("services") == "all" and isinstance(selected, list):
            full.scope = Scope(frozenset(selected), subset, services)
            notes.append(
                f"the {'base' if full is base else 'head'} side is a full render, compared "
                f"only for the services the other side rendered ({', '.join(selected)})"
            )
    namer = host_namer(base, head)
    unified: list[str] = []
    inventory_changes = compare_inventory(base, head, namer)
    for name in sorted(set(base.inventory_files) | set(head.inventory_files)):
        label = str(layout.INVENTORY / name) if name else str(layout.INVENTORY)
        unified += text_diff(label, base.inventory_files.get(name), head.inventory_files.get(name))
    globals_changes = [change for _, change in value_changes(base.globals, head.globals, "")]
    unified += text_diff("kolla/globals.yml", yaml_text(base.globals), yaml_text(head.globals))
    kayobe_groups = compare_kayobe(base, head, namer)
    for host in sort_hosts(base.hosts | head.hosts):
        unified += text_diff(
            f"kayobe/{host}.yml",
            yaml_text(stable(base.kayobe.get(host))),
            yaml_text(stable(head.kayobe.get(host))),
        )
    service_diffs, config_unified = compare_configs(base, head, namer, services)
    unified += config_unified
    if base.root and head.root and not (base.scope or head.scope):
        notes += _scope_notes(base, head)
    return Comparison(
        inventory=inventory_changes,
        kayobe=kayobe_groups,
        globals=globals_changes,
        services=service_diffs,
        unified="".join(unified),
        notes=notes,
    )


def _scope_notes(base: Render, head: Render) -> list[str]:
    scopes = {side: r.meta.get("services", "all") for side, r in (("base", base), ("head", head))}
    if scopes["base"] != scopes["head"]:
        return [
            f"the two sides rendered different services (base: {scopes['base']}, head: "
            f"{scopes['head']}); only files present in both scopes are comparable"
        ]
    return []


def host_namer(base: Render, head: Render) -> HostNamer:
    """Groups as the head side has them (the base side's for hosts and groups it dropped)."""
    site: dict[str, set[str]] = defaultdict(set)
    derived: dict[str, set[str]] = defaultdict(set)
    for render in (head, base):
        side_site: dict[str, set[str]] = defaultdict(set)
        for host, variables in render.kayobe.items():
            if render is base and host in head.kayobe:
                continue
            for group in variables.get("group_names") or []:
                if isinstance(group, str):
                    side_site[group].add(host)
        for group, hosts in side_site.items():
            if render is head or group not in site:
                site[group] |= hosts
        for group in render.inventory.groups:
            if render is head or group not in derived:
                derived[group] |= render.inventory.members(group)
    return HostNamer.build(head.hosts or base.hosts, site, derived)
