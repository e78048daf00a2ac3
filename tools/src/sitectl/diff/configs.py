"""Each host's kolla configuration (config/<host>/<container>/...), compared file by file and
grouped service -> file -> change: an identical change on several hosts and containers is
reported once ("nova.conf in nova-api, nova-scheduler on 3 controllers"). INI files are
compared key by key, secrets by identity only, other text by its changed lines."""

import difflib
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitectl.diff import ini, secrets
from sitectl.diff.hosts import HostNamer, sort_hosts
from sitectl.diff.model import ContainerEntry, FileEntry, Placement, ServiceDiff, ValueChange
from sitectl.diff.services import KollaServices
from sitectl.diff.side import Render
from sitectl.diff.value_diff import value_change

MAX_TEXT = 4 * 1024 * 1024  # larger files are compared by content hash only
CONTEXT = 3


@dataclass(frozen=True)
class _FileKey:
    """One distinct change of one file of a service, wherever it happened."""

    service: str
    path: str  # relative to the container's directory
    kind: str  # added, removed, modified
    signature: tuple[Any, ...]  # what changed, without positions or hosts


@dataclass(frozen=True)
class _ContainerKey:
    """A container directory that appeared or disappeared on a host."""

    service: str
    container: str
    kind: str  # added, removed
    files: tuple[str, ...]


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
    # each distinct change of a file -> host -> containers, and the delta shown for it
    placements: dict[_FileKey, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    deltas: dict[_FileKey, _FileDelta] = {}
    containers: dict[_ContainerKey, set[str]] = defaultdict(set)
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
                containers[_ContainerKey(service, container, kind, tuple(files))].add(host)
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
                key = _FileKey(service, relative, delta.kind, delta.signature)
                placements[key][host].add(container)
                deltas.setdefault(key, delta)
    by_service: dict[str, ServiceDiff] = {}
    for key, where in placements.items():
        delta = deltas[key]
        entry = FileEntry(
            path=key.path,
            kind=delta.kind,
            format=delta.format,
            placements=_placements(where, namer),
            changes=delta.changes,
            hunks=delta.hunks,
            note=delta.note,
            lines_added=delta.added,
            lines_removed=delta.removed,
        )
        by_service.setdefault(key.service, ServiceDiff(key.service)).files.append(entry)
    for where_key, hosts in containers.items():
        service = where_key.service
        by_service.setdefault(service, ServiceDiff(service)).containers.append(
            ContainerEntry(
                container=where_key.container,
                kind=where_key.kind,
                files=list(where_key.files),
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
    shown = value_change(change.key, change.kind, change.old, change.new)
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
