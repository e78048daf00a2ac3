"""Compare two render directories (see sitectl.render) into a grouped report.

    OUT/render.json, kayobe/<host>.yml, kolla/globals.yml, kolla/inventory/overcloud,
    config/<host>/<container>/<file...>

The layers are compared separately: the inventory (hosts added, removed, moved between groups),
kayobe's variables per host (grouped by the hosts that changed the same way), kolla's globals,
and each host's kolla configuration, grouped service -> file -> change, with an identical change
on several hosts and containers reported once ("nova.conf in nova-api, nova-scheduler on 3
controllers"). Everything read passes through sitectl.diff.secrets first.
"""

import difflib
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sitectl.diff import ini, secrets
from sitectl.diff.hosts import IGNORED, HostNamer, natural_key, sort_hosts
from sitectl.diff.inventory import Inventory
from sitectl.diff.inventory import parse as parse_inventory
from sitectl.diff.model import (
    ContainerEntry,
    FileEntry,
    HostChange,
    Placement,
    ServiceDiff,
    ValueChange,
    VariableGroup,
)
from sitectl.diff.services import KollaServices
from sitectl.errors import SiteError

RENDER_FORMAT = "sitectl-render-1"
INVENTORY = Path("kolla", "inventory", "overcloud")
GLOBALS = Path("kolla", "globals.yml")
# Kayobe variables that say nothing about the configuration, or that the inventory section
# already reports (groups, group_names).
VOLATILE = frozenset(
    {
        *("groups", "group_names", "inventory_hostname", "inventory_hostname_short"),
        *("inventory_dir", "inventory_file", "playbook_dir", "ansible_playbook_python"),
        *("hostvars", "omit", "play_hosts", "ansible_play_hosts", "ansible_play_batch"),
        *("ansible_play_hosts_all", "ansible_config_file", "ansible_version"),
    }
)
REPO_PLACEHOLDER = "$REPO"
OUT_PLACEHOLDER = "$RENDER"
MAX_TEXT = 4 * 1024 * 1024  # larger files are compared by content hash only
CONTEXT = 3


@dataclass
class Scope:
    """A full render compared with one limited to some services (a cached full render of
    the base against a selected render of the head): the full side is seen through the
    selection, so what the selection did not render is not a change."""

    tags: frozenset[str]
    subset: "Render"
    services: KollaServices

    def covers(self, container: str) -> bool:
        service = self.services.container_service(container)
        return service in self.tags or any(
            container == tag or container.startswith(tag + "-") for tag in self.tags
        )


@dataclass
class Render:
    """One side, loaded: metadata, guarded kayobe variables, inventory, globals."""

    root: Path | None
    meta: dict[str, Any] = field(default_factory=dict)
    kayobe: dict[str, dict[str, Any]] = field(default_factory=dict)
    inventory: Inventory = field(default_factory=Inventory)
    inventory_files: dict[str, str] = field(default_factory=dict)  # relative path -> guarded
    host_vars: dict[str, dict[str, Any]] = field(default_factory=dict)  # kolla's, guarded
    group_vars: dict[str, dict[str, Any]] = field(default_factory=dict)
    globals: dict[str, Any] = field(default_factory=dict)
    roots: list[tuple[str, str]] = field(default_factory=list)  # (path, placeholder)
    scope: Scope | None = None  # set when this (full) side is compared with a selection

    @property
    def hosts(self) -> set[str]:
        listed = self.meta.get("hosts") if isinstance(self.meta.get("hosts"), list) else []
        return set(listed) | set(self.kayobe) | set(self.inventory.hosts)

    def config_dir(self, host: str) -> Path | None:
        path = self.root / "config" / host if self.root else None
        return path if path and path.is_dir() else None

    def normalise(self, text: str) -> str:
        for path, placeholder in self.roots:
            text = text.replace(path, placeholder)
        return text


@dataclass
class Comparison:
    inventory: list[HostChange]
    kayobe: list[VariableGroup]
    globals: list[ValueChange]
    services: list[ServiceDiff]
    unified: str
    notes: list[str]


# --- loading ------------------------------------------------------------------------------


def load(root: Path | None) -> Render:
    """A render directory; None (or a missing directory) is an empty side (e.g. an environment
    that does not exist on the base side)."""
    render = Render(root=root)
    if root is None or not root.exists():
        render.root = None
        return render
    meta_file = root / "render.json"
    try:
        render.meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SiteError(
            f"{root} is not a render directory: cannot read {meta_file} ({e})."
        ) from None
    if render.meta.get("format") != RENDER_FORMAT:
        raise SiteError(
            f"{meta_file} has format {render.meta.get('format')!r}, not {RENDER_FORMAT!r}: it "
            f"was written by another version of sitectl render; render again."
        )
    render.roots = [(str(root.resolve()), OUT_PLACEHOLDER), (str(root), OUT_PLACEHOLDER)]
    raw_hosts: dict[str, Any] = {}
    for path in sorted((root / "kayobe").glob("*.yml")):
        raw_hosts[path.stem] = _yaml(path) or {}
    # Paths of the tree that was rendered (a temporary checkout) are not configuration.
    for variables in raw_hosts.values():
        config_path = variables.get("kayobe_config_path")
        if isinstance(config_path, str) and config_path.endswith("/etc/kayobe"):
            render.roots.insert(0, (config_path.removesuffix("/etc/kayobe"), REPO_PLACEHOLDER))
            break
    for key in ("source", "repo", "tree"):
        if isinstance(render.meta.get(key), str) and render.meta[key].startswith("/"):
            render.roots.insert(0, (render.meta[key], REPO_PLACEHOLDER))
    render.roots.sort(key=lambda pair: -len(pair[0]))
    render.kayobe = {
        host: secrets.guard_data(_normalise_data(variables, render))
        for host, variables in raw_hosts.items()
    }
    _load_inventory(render, root / INVENTORY)
    globals_file = root / GLOBALS
    if globals_file.is_file():
        render.globals = secrets.guard_data(_normalise_data(_yaml(globals_file) or {}, render))
    return render


def _load_inventory(render: Render, path: Path) -> None:
    """kolla-ansible's inventory: one INI file, or a directory of them with host_vars/ and
    group_vars/ (as kayobe writes inventory/overcloud/)."""
    files = {"": path} if path.is_file() else {}
    if path.is_dir():
        files = {str(p.relative_to(path)): p for p in sorted(path.rglob("*")) if p.is_file()}
    ini_texts = []
    for relative, file in files.items():
        text = render.normalise(file.read_text(encoding="utf-8", errors="replace"))
        render.inventory_files[relative] = secrets.guard_text(relative, text)
        parts = relative.split("/")
        if parts[0] in ("host_vars", "group_vars") and len(parts) >= 2:
            name = parts[1].removesuffix(".yml").removesuffix(".yaml")
            data = _yaml(file)
            target = render.host_vars if parts[0] == "host_vars" else render.group_vars
            if isinstance(data, dict):
                target.setdefault(name, {}).update(
                    secrets.guard_data(_normalise_data(data, render))
                )
        else:
            ini_texts.append(text)
    render.inventory = parse_inventory("\n".join(ini_texts))
    for host, inline in render.inventory.hosts.items():
        if inline:
            render.host_vars.setdefault(host, {}).update(secrets.guard_data(inline))


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise SiteError(f"cannot read render output {path}: {e}") from None


def _normalise_data(obj: Any, render: Render) -> Any:
    if isinstance(obj, dict):
        return {k: _normalise_data(v, render) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_normalise_data(v, render) for v in obj]
    if isinstance(obj, str):
        return render.normalise(obj)
    return obj


# --- the comparison -------------------------------------------------------------------------


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
        label = str(INVENTORY / name) if name else str(INVENTORY)
        unified += text_diff(label, base.inventory_files.get(name), head.inventory_files.get(name))
    globals_changes = [change for _, change in value_changes(base.globals, head.globals, "")]
    unified += text_diff("kolla/globals.yml", _yaml_text(base.globals), _yaml_text(head.globals))
    kayobe_groups = compare_kayobe(base, head, namer)
    for host in sort_hosts(base.hosts | head.hosts):
        unified += text_diff(
            f"kayobe/{host}.yml",
            _yaml_text(_stable(base.kayobe.get(host))),
            _yaml_text(_stable(head.kayobe.get(host))),
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


# --- inventory ----------------------------------------------------------------------------


def _site_groups(render: Render, host: str) -> set[str]:
    names = (render.kayobe.get(host) or {}).get("group_names") or []
    return {g for g in names if isinstance(g, str) and g not in IGNORED}


def compare_inventory(base: Render, head: Render, namer: HostNamer) -> list[HostChange]:
    base_hosts, head_hosts = base.hosts, head.hosts
    base_kolla, head_kolla = base.inventory.membership(), head.inventory.membership()
    grouped: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    for host in head_hosts - base_hosts:
        kolla = tuple(sorted(head_kolla.get(host, set()) - set(IGNORED)))
        grouped[("added", tuple(sorted(_site_groups(head, host))), (), (kolla, ()), ())].add(host)
    for host in base_hosts - head_hosts:
        kolla = tuple(sorted(base_kolla.get(host, set()) - set(IGNORED)))
        site_groups = tuple(sorted(_site_groups(base, host)))
        grouped[("removed", (), site_groups, ((), kolla), ())].add(host)
    for host in base_hosts & head_hosts:
        old, new = _site_groups(base, host), _site_groups(head, host)
        old_kolla = base_kolla.get(host, set()) - set(IGNORED)
        new_kolla = head_kolla.get(host, set()) - set(IGNORED)
        variables = tuple(
            (name, change.kind, change.old, change.new, change.secret, change.note)
            for name, change in value_changes(
                base.host_vars.get(host, {}), head.host_vars.get(host, {}), ""
            )
        )
        if old != new or old_kolla != new_kolla or variables:
            key = (
                "moved" if old != new or old_kolla != new_kolla else "changed",
                tuple(sorted(new - old)),
                tuple(sorted(old - new)),
                (tuple(sorted(new_kolla - old_kolla)), tuple(sorted(old_kolla - new_kolla))),
                variables,
            )
            grouped[key].add(host)
    changes = []
    for (kind, added, removed, kolla, variables), hosts in grouped.items():
        kolla_added, kolla_removed = kolla if kolla else ((), ())
        changes.append(
            HostChange(
                kind=kind,
                hosts=sort_hosts(hosts),
                hosts_label=", ".join(sort_hosts(hosts))
                if kind in ("added", "removed")
                else namer.label(hosts),
                groups_added=list(added),
                groups_removed=list(removed),
                kolla_groups_added=list(kolla_added),
                kolla_groups_removed=list(kolla_removed),
                variables=[
                    ValueChange(name=n, kind=k, old=o, new=w, secret=s, note=t)
                    for n, k, o, w, s, t in variables
                ],
            )
        )
    for group in sorted(set(base.group_vars) | set(head.group_vars)):
        found = [
            change
            for _, change in value_changes(
                base.group_vars.get(group, {}), head.group_vars.get(group, {}), ""
            )
        ]
        if found:
            members = head.inventory.members(group) or base.inventory.members(group)
            changes.append(
                HostChange(
                    kind="group variables",
                    hosts=sort_hosts(members),
                    hosts_label=f"group {group}",
                    variables=found,
                )
            )
    order = {"added": 0, "removed": 1, "moved": 2, "changed": 3, "group variables": 4}
    changes.sort(key=lambda c: (order[c.kind], natural_key(c.hosts[0] if c.hosts else "")))
    return changes


# --- kayobe variables ---------------------------------------------------------------------


def compare_kayobe(base: Render, head: Render, namer: HostNamer) -> list[VariableGroup]:
    """Variable changes of hosts on both sides, grouped by the exact set of hosts that changed
    the same way (hosts added or removed are the inventory's news)."""
    by_change: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    changes: dict[tuple[Any, ...], ValueChange] = {}
    for host in set(base.kayobe) & set(head.kayobe):
        old, new = _stable(base.kayobe[host]), _stable(head.kayobe[host])
        for path, change in value_changes(old, new, ""):
            key = (path, change.kind, change.old, change.new, change.secret, change.note)
            by_change[key].add(host)
            changes[key] = change
    by_hosts: dict[frozenset[str], list[ValueChange]] = defaultdict(list)
    for key, hosts in by_change.items():
        by_hosts[frozenset(hosts)].append(changes[key])
    groups = [
        VariableGroup(
            hosts=sort_hosts(hosts),
            hosts_label=namer.label(hosts, universe=set(base.kayobe) & set(head.kayobe)),
            changes=sorted(group, key=lambda c: c.name),
        )
        for hosts, group in by_hosts.items()
    ]
    groups.sort(key=lambda g: (-len(g.hosts), g.hosts_label))
    return groups


def _stable(variables: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (variables or {}).items() if k not in VOLATILE}


def value_changes(old: Any, new: Any, path: str) -> Iterator[tuple[str, ValueChange]]:
    """Changes between two JSON-like values, down through mappings: (path, display-safe
    change). Lists and scalars are compared whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in new:
                yield sub, _value_change(sub, "removed", old[key], None)
            elif key not in old:
                yield sub, _value_change(sub, "added", None, new[key])
            else:
                yield from value_changes(old[key], new[key], sub)
        return
    if old != new:
        yield path, _value_change(path, "changed", old, new)


def _value_change(name: str, kind: str, old: Any, new: Any) -> ValueChange:
    old_text = None if kind == "added" else _show_value(old)
    new_text = None if kind == "removed" else _show_value(new)
    shown_old, shown_new, secret_only = secrets.show_pair(old_text, new_text)
    note = _list_note(old, new) if kind == "changed" else ""
    if secret_only or _all_secret(old_text, new_text):
        return ValueChange(name=name, kind=kind, secret=True)
    return ValueChange(name=name, kind=kind, old=shown_old, new=shown_new, note=note)


def _all_secret(old: str | None, new: str | None) -> bool:
    """Both sides are nothing but secrets (e.g. an added password): show no value at all."""
    values = [v for v in (old, new) if v is not None]
    return bool(values) and all(secrets.is_token_only(v.strip('"')) for v in values)


def _show_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _list_note(old: Any, new: Any) -> str:
    """For two lists (or comma-separated strings): the items added and removed."""
    items = []
    for value in (old, new):
        if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
            items.append([str(v) for v in value])
        elif isinstance(value, str) and "," in value:
            items.append([v.strip() for v in value.split(",")])
        else:
            return ""
    before, after = items
    added = [v for v in after if v not in before]
    removed = [v for v in before if v not in after]
    if not added and not removed:
        return "same items, new order"
    parts = [f"+{secrets.show(v)}" for v in added] + [f"-{secrets.show(v)}" for v in removed]
    return ", ".join(parts)


def _yaml_text(data: dict[str, Any] | None) -> str:
    if not data:
        return ""
    return yaml.safe_dump(data, sort_keys=True, default_flow_style=False, width=100)


# --- kolla configuration ------------------------------------------------------------------


@dataclass
class _FileDelta:
    kind: str
    format: str
    signature: tuple[Any, ...]
    changes: list[ValueChange] = field(default_factory=list)
    hunks: list[str] = field(default_factory=list)
    note: str = ""
    added: int = 0
    removed: int = 0


def compare_configs(
    base: Render, head: Render, namer: HostNamer, services: KollaServices
) -> tuple[list[ServiceDiff], list[str]]:
    unified: list[str] = []
    # (service, path, signature) -> host -> containers, and the delta shown for it
    placements: dict[tuple[Any, ...], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    deltas: dict[tuple[Any, ...], _FileDelta] = {}
    containers: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    for host in sort_hosts(base.hosts | head.hosts):
        whole_host = host not in base.hosts or host not in head.hosts
        base_containers = _containers(base, host)
        head_containers = _containers(head, host)
        for container in sorted(set(base_containers) | set(head_containers)):
            old_dir = base_containers.get(container)
            new_dir = head_containers.get(container)
            files = sorted(
                _container_files(base, host, container, old_dir)
                | _container_files(head, host, container, new_dir)
            )
            service = services.container_service(container)
            if (old_dir is None or new_dir is None) and not whole_host:
                kind = "added" if old_dir is None else "removed"
                containers[(service, container, kind, tuple(files))].add(host)
            for relative in files:
                old_file = old_dir / relative if old_dir else None
                new_file = new_dir / relative if new_dir else None
                delta, lines = _compare_file(
                    f"config/{host}/{container}/{relative}",
                    relative,
                    old_file,
                    new_file,
                    base,
                    head,
                )
                unified += lines
                if delta is None or whole_host or old_dir is None or new_dir is None:
                    continue
                key = (service, relative, delta.kind, delta.signature)
                placements[key][host].add(container)
                deltas.setdefault(key, delta)
    by_service: dict[str, ServiceDiff] = {}
    for key, where in placements.items():
        service, relative = key[0], key[1]
        delta = deltas[key]
        entry = FileEntry(
            path=relative,
            kind=delta.kind,
            format=delta.format,
            placements=_placements(where, namer),
            changes=delta.changes,
            hunks=delta.hunks,
            note=delta.note,
            lines_added=delta.added,
            lines_removed=delta.removed,
        )
        by_service.setdefault(service, ServiceDiff(service)).files.append(entry)
    for (service, container, kind, files), hosts in containers.items():
        by_service.setdefault(service, ServiceDiff(service)).containers.append(
            ContainerEntry(
                container=container,
                kind=kind,
                files=list(files),
                hosts=sort_hosts(hosts),
                hosts_label=namer.label(hosts),
            )
        )
    for diff in by_service.values():
        diff.files.sort(key=lambda e: (e.path, -len(e.hosts), e.placements[0].hosts_label))
        diff.containers.sort(key=lambda c: (c.container, c.kind))
    return [by_service[name] for name in sorted(by_service)], unified


def _placements(where: dict[str, set[str]], namer: HostNamer) -> list[Placement]:
    """Hosts grouped by the containers the change is in."""
    by_containers: dict[frozenset[str], set[str]] = defaultdict(set)
    for host, containers in where.items():
        by_containers[frozenset(containers)].add(host)
    result = [
        Placement(hosts=sort_hosts(hosts), hosts_label=namer.label(hosts), containers=sorted(c))
        for c, hosts in by_containers.items()
    ]
    result.sort(key=lambda p: (-len(p.hosts), p.hosts_label))
    return result


def _containers(render: Render, host: str) -> dict[str, Path]:
    """The host's container directories on one side (within the scope, see Scope)."""
    directory = render.config_dir(host)
    if directory is None:
        return {}
    found = {p.name: p for p in directory.iterdir() if p.is_dir()}
    if render.scope is not None:
        rendered = _subdirs(render.scope.subset.config_dir(host))
        found = {
            name: path
            for name, path in found.items()
            if name in rendered or render.scope.covers(name)
        }
    return found


def _container_files(render: Render, host: str, container: str, path: Path | None) -> set[str]:
    files = _files(path)
    if render.scope is not None and not render.scope.covers(container):
        # A directory every selected render writes into (haproxy/services.d...): only the
        # files the selected services wrote.
        subset_dir = render.scope.subset.config_dir(host)
        files &= _files(subset_dir / container if subset_dir else None)
    return files


def _subdirs(path: Path | None) -> set[str]:
    if path is None:
        return set()
    return {p.name for p in path.iterdir() if p.is_dir()}


def _files(path: Path | None) -> set[str]:
    if path is None:
        return set()
    return {
        os.path.relpath(os.path.join(directory, name), path)
        for directory, _, names in os.walk(path)
        for name in names
    }


def _read(path: Path | None, render: Render) -> str | bytes | None:
    """Text (normalised), bytes when not UTF-8 or too large, None when absent."""
    if path is None or not path.is_file():
        return None
    data = path.read_bytes()
    if len(data) > MAX_TEXT:
        return data
    try:
        return render.normalise(data.decode("utf-8"))
    except UnicodeDecodeError:
        return data


def _compare_file(
    label: str,
    relative: str,
    old_path: Path | None,
    new_path: Path | None,
    base: Render,
    head: Render,
) -> tuple[_FileDelta | None, list[str]]:
    old, new = _read(old_path, base), _read(new_path, head)
    if old == new:
        return None, []
    kind = "added" if old is None else "removed" if new is None else "modified"
    if isinstance(old, bytes) or isinstance(new, bytes):
        same_size = old is not None and new is not None and len(old) == len(new)
        signature = ("binary", secrets.local_token(repr(old)), secrets.local_token(repr(new)))
        note = "binary or very large file changed" + (" (same size)" if same_size else "")
        header = [f"Binary files a/{label} and b/{label} differ\n"]
        return _FileDelta(kind, "binary", signature, note=note), header
    guarded_old = secrets.guard_text(relative, old) if old is not None else None
    guarded_new = secrets.guard_text(relative, new) if new is not None else None
    if guarded_old == guarded_new:
        return None, []  # e.g. vault salt only: no change worth a line
    lines = text_diff(label, guarded_old, guarded_new)
    hunks = [line.rstrip("\n") for line in lines[2:]]
    added = sum(1 for line in hunks if line.startswith("+"))
    removed = sum(1 for line in hunks if line.startswith("-"))
    if secrets.is_secret_file(relative, (old or "") + (new or "")):
        change = ValueChange(name="(content)", kind=kind if kind != "modified" else "changed")
        change.secret = True
        signature = ("secret", guarded_old, guarded_new)
        return _FileDelta(kind, "secret", signature, changes=[change], note=secrets.CHANGED), lines
    if ini.is_ini_name(relative):
        parsed_old = ini.parse(guarded_old) if guarded_old is not None else {}
        parsed_new = ini.parse(guarded_new) if guarded_new is not None else {}
        if parsed_old is not None and parsed_new is not None:
            key_changes = ini.compare(parsed_old, parsed_new)
            shown = [_ini_change(change) for change in key_changes]
            signature = ("ini", tuple(_signature(c) for c in key_changes))
            note = "" if shown else "only comments, blank lines or ordering changed"
            delta = _FileDelta(kind, "ini", signature, changes=shown, note=note)
            delta.hunks = hunks
            delta.added, delta.removed = added, removed
            return delta, lines
    signature = ("text", tuple(line for line in _changed_lines(guarded_old, guarded_new)))
    return _FileDelta(kind, "text", signature, hunks=hunks, added=added, removed=removed), lines


def _signature(change: ini.KeyChange) -> tuple[Any, ...]:
    return (change.section, change.key, change.kind, change.old, change.new)


def _ini_change(change: ini.KeyChange) -> ValueChange:
    shown = _value_change(change.key, change.kind, change.old, change.new)
    shown.section = change.section
    return shown


def _changed_lines(old: str | None, new: str | None) -> Iterable[str]:
    """The changed lines of a diff without positions: the same edit at a different line number
    (another host's file) has the same signature."""
    for line in difflib.unified_diff(
        (old or "").splitlines(), (new or "").splitlines(), n=0, lineterm=""
    ):
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
            yield line


def text_diff(label: str, old: str | None, new: str | None) -> list[str]:
    """A unified diff (`diff -Nu` style, display-safe) of two guarded texts; [] when equal."""
    if old == new:
        return []
    old_lines, new_lines = secrets.show_lines(
        (old or "").splitlines(keepends=True), (new or "").splitlines(keepends=True)
    )
    lines = list(
        difflib.unified_diff(
            old_lines,
            new_lines,
            fromfile=f"a/{label}" if old is not None else "/dev/null",
            tofile=f"b/{label}" if new is not None else "/dev/null",
            n=CONTEXT,
        )
    )
    return [
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    ]
