"""Words shared by every view of a report: the headline, the plan line, the summary rows."""

from dataclasses import dataclass

from sitectl.diff.model import (
    ContainerEntry,
    FileEntry,
    HostChange,
    Placement,
    Report,
    Side,
    ValueChange,
)
from sitectl.diff.secrets import ADDED, CHANGED, REMOVED

NAMES_SHOWN = 4  # variables or keys named in one summary row
SHORT_VALUE = 40  # characters: a value this short is shown in the summary row itself


@dataclass(frozen=True)
class Row:
    area: str
    change: str
    where: str


def headline(report: Report) -> str:
    if report.error:
        return f"Config diff for {report.environment}: cannot render"
    if report.plan.mode == "none":
        return f"Config diff for {report.environment}: no configuration change"
    if not report.changed:
        return f"Config diff for {report.environment}: renders identical"
    counts = report.counts()
    parts = []
    if counts["files"]:
        parts.append(f"{_n(counts['files'], 'file change')} in {_n(counts['services'], 'service')}")
    if counts["kayobe_variables"]:
        parts.append(_n(counts["kayobe_variables"], "kayobe variable change"))
    if counts["kolla_globals"]:
        parts.append(_n(counts["kolla_globals"], "kolla global"))
    if counts["inventory"]:
        parts.append(_n(counts["inventory"], "inventory change"))
    return f"Config diff for {report.environment}: {', '.join(parts)}"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def sides(report: Report) -> str:
    return sides_of(report.base, report.head)


def sides_of(base: Side, head: Side) -> str:
    return f"base {base.label} ({base.commit[:10]}) → head {head.label} ({head.commit[:10]})"


def toolchain_line(report: Report) -> str:
    """What rendered each side ("" when nothing says)."""
    base, head = report.base.toolchain, report.head.toolchain
    if not (base or head):
        return ""
    if base == head:
        return f"Toolchain: {head} (both sides)."
    return (
        f"The toolchain moves: base {base or '(not rendered)'} → head {head or '(not rendered)'}."
    )


def plan_line(report: Report) -> str:
    plan = report.plan
    if plan.mode == "none":
        return f"Nothing rendered: {plan.reason}."
    if plan.mode == "services":
        skipped = (
            f" kolla-ansible's {', '.join(plan.skipped)} step was left out: no file of it "
            "changed, and its output comes from variables the change does not touch."
            if plan.skipped
            else ""
        )
        return (
            f"Rendered only {', '.join(plan.services)}: {plan.reason}.{skipped} The kayobe "
            "layer is compared in full."
        )
    return f"Rendered everything: {plan.reason}."


def describe_value(change: ValueChange) -> str:
    """One change in words: `a` → `b`, added `x`, changed (redacted)."""
    if change.secret:
        return {"added": ADDED, "removed": REMOVED}.get(change.kind, CHANGED)
    if change.kind == "added":
        return f"added: {change.new}"
    if change.kind == "removed":
        return f"removed (was {change.old})"
    return f"{change.old} → {change.new}"


def key_name(change: ValueChange) -> str:
    return f"[{change.section}] {change.name}" if change.section is not None else change.name


def named_changes(changes: list[ValueChange]) -> str:
    """A summary row's changes: each key, with its before → after when both are short (the
    long ones are in the detail), the first NAMES_SHOWN of them."""
    shown = [_named(change) for change in changes[:NAMES_SHOWN]]
    more = f" (+{len(changes) - NAMES_SHOWN} more)" if len(changes) > NAMES_SHOWN else ""
    return ", ".join(shown) + more


def _named(change: ValueChange) -> str:
    name = key_name(change)
    if change.secret:
        return f"{name}: {describe_value(change)}"
    old, new = (_short(value) for value in (change.old, change.new))
    if old is None or new is None:
        return name
    return f"{name}: {old} → {new}"


def _short(value: str | None) -> str | None:
    """A value as the row shows it; None when it is too long for a row."""
    if value is None:
        return "(none)"
    return value if len(value) <= SHORT_VALUE and "\n" not in value else None


def placement_text(placement: Placement) -> str:
    containers = ", ".join(placement.containers)
    return f"{containers} on {placement.hosts_label}" if containers else placement.hosts_label


def where(entry: FileEntry) -> str:
    return "; ".join(placement_text(p) for p in entry.placements)


def file_change_text(entry: FileEntry) -> str:
    if entry.format == "secret":
        return f"{entry.path}: {CHANGED}"
    if entry.kind in ("added", "removed"):
        return f"{entry.path} {entry.kind}"
    if entry.format == "ini" and entry.changes:
        return f"{entry.path}: {named_changes(entry.changes)}"
    if entry.format == "binary":
        return f"{entry.path}: {entry.note}"
    return f"{entry.path}: +{entry.lines_added} -{entry.lines_removed} lines" + (
        f" ({entry.note})" if entry.note else ""
    )


def host_change_text(change: HostChange) -> str:
    groups_added = ", ".join(change.groups_added)
    groups_removed = ", ".join(change.groups_removed)
    if change.kind == "added":
        where = "; ".join(filter(None, (groups_added, _kolla_groups(change.kolla_groups_added))))
        return f"added{f' (in {where})' if where else ''}"
    if change.kind == "removed":
        where = "; ".join(
            filter(None, (groups_removed, _kolla_groups(change.kolla_groups_removed)))
        )
        return f"removed{f' (was in {where})' if where else ''}"
    if change.kind == "group variables":
        return "group variables: " + ", ".join(v.name for v in change.variables)
    parts = []
    if change.groups_added:
        parts.append(f"now in {groups_added}")
    if change.groups_removed:
        parts.append(f"no longer in {groups_removed}")
    kolla = [f"+{g}" for g in change.kolla_groups_added] + [
        f"-{g}" for g in change.kolla_groups_removed
    ]
    if kolla:
        parts.append(f"kolla groups {' '.join(kolla[:6])}" + (" …" if len(kolla) > 6 else ""))
    if change.variables:
        parts.append("kolla inventory variables: " + ", ".join(v.name for v in change.variables))
    if not parts:
        return "changed"
    return ("moved: " if change.kind == "moved" else "") + "; ".join(parts)


def container_text(entry: ContainerEntry) -> str:
    return f"container {entry.container} {entry.kind} ({_n(len(entry.files), 'file')})"


def rows(report: Report) -> list[Row]:
    """The summary table, most structural first: inventory, kayobe, globals, services."""
    result = [Row("inventory", host_change_text(c), c.hosts_label) for c in report.inventory]
    for group in report.kayobe:
        result.append(Row("kayobe variables", named_changes(group.changes), group.hosts_label))
    if report.globals:
        result.append(Row("kolla globals", named_changes(report.globals), "all hosts"))
    for service in report.services:
        for container in service.containers:
            result.append(Row(service.service, container_text(container), container.hosts_label))
        for entry in service.files:
            result.append(Row(service.service, file_change_text(entry), where(entry)))
    return result


def text(report: Report) -> str:
    """The short plain-text summary printed on a terminal."""
    lines = [headline(report), f"  {sides(report)}", f"  {plan_line(report)}"]
    lines += [f"  {toolchain_line(report)}"] if toolchain_line(report) else []
    lines += [f"  note: {n}" for n in report.notes]
    if report.error:
        lines += ["", report.error]
    table = rows(report)
    if table:
        lines.append("")
        width = min(max(len(r.area) for r in table), 20)
        lines += [f"  {r.area:<{width}}  {r.change}  [{r.where}]" for r in table]
    return "\n".join(lines) + "\n"


def _kolla_groups(groups: list[str], shown: int = 6) -> str:
    if not groups:
        return ""
    more = f" and {len(groups) - shown} more" if len(groups) > shown else ""
    return f"kolla groups {', '.join(groups[:shown])}{more}"
