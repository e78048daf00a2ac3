"""The report as one self-contained HTML page: inline CSS, no script, no external reference;
every service and file collapsible (<details>)."""

from collections.abc import Callable
from html import escape

from sitectl.diff import summary
from sitectl.diff.model import FileEntry, Report, ServiceDiff, ValueChange
from sitectl.diff.secrets import CHANGED

MAX_HUNK_LINES = 5000

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
max-width:1200px;padding:0 1em;color:#1f2328;background:#fff}
h1{font-size:1.4em;margin-bottom:.2em}.meta{color:#59636e;margin:.2em 0}
table{border-collapse:collapse;margin:.5em 0 1em;width:100%}
th,td{border:1px solid #d1d9e0;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.area{white-space:nowrap;font-weight:600}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{background:#f6f8fa;padding:0 .25em;border-radius:3px;overflow-wrap:break-word}
pre{background:#f6f8fa;padding:.6em;overflow-x:auto;border-radius:6px}
pre .add{background:#dafbe1;display:block}pre .del{background:#ffebe9;display:block}
pre .hunk{color:#8250df;display:block}
details{border:1px solid #d1d9e0;border-radius:6px;margin:.5em 0;padding:.3em .8em}
details details{margin-left:.5em}summary{cursor:pointer;padding:.2em 0}
.secret{color:#9a6700;font-style:italic}.note{color:#59636e}
.error{background:#ffebe9;border:1px solid #ff8182;padding:.8em;border-radius:6px}
.warn{background:#fff8c5;border:1px solid #d4a72c;padding:.5em .8em;border-radius:6px}
"""


def render(report: Report, link: Callable[[str], str | None] = lambda where: None) -> str:
    title = summary.headline(report)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(summary.sides(report))}</p>',
        f'<p class="meta">{escape(summary.plan_line(report))}</p>',
    ]
    if summary.toolchain_line(report):
        parts.append(f'<p class="meta">{escape(summary.toolchain_line(report))}</p>')
    parts += [f'<p class="warn">{escape(note)}</p>' for note in report.notes]
    if report.error:
        parts.append(f'<pre class="error">{escape(report.error)}</pre>')
    parts += _problems(report, link)
    if report.changed:
        parts += body(report)
    if report.plan.changed_files:
        files = "".join(f"<li><code>{escape(f)}</code></li>" for f in report.plan.changed_files)
        parts.append(
            f"<details><summary>Files changed between base and head "
            f"({len(report.plan.changed_files)})</summary><ul>{files}</ul></details>"
        )
    if report.rendering:
        items = "".join(f"<li>{escape(note)}</li>" for note in report.rendering)
        parts.append(f"<details><summary>How this was rendered</summary><ul>{items}</ul></details>")
    parts.append(
        f'<p class="meta">sitectl diff, {report.duration_s:.0f} s. Exit status 0: no change, '
        f"1: changes, 2: error.</p></body></html>"
    )
    return "\n".join(parts) + "\n"


def body(report: Report) -> list[str]:
    """The changes: the summary table, then inventory, variables and each service."""
    if not report.changed:
        return ['<p class="meta">No change.</p>']
    parts = _summary_table(report) + _inventory(report) + _variables(report)
    return parts + [_service(service) for service in report.services]


def _problems(report: Report, link: Callable[[str], str | None]) -> list[str]:
    if report.problems is None:
        return []
    if not report.problems:
        return [
            '<p class="meta">Options checked against the services\' schemas and variables '
            "against what reads them: this change introduces no problem.</p>"
        ]
    rows = "".join(
        f'<tr><td class="{"error" if p.severity == "error" else "warn"}">{escape(p.severity)}'
        f"</td><td><code>{escape(p.file)}</code></td><td><code>{escape(p.key)}</code></td>"
        f"<td>{escape(p.message)}</td><td>"
        + (linked(p.source, link) if p.source else "kolla-ansible's template")
        + f"</td><td>{escape(', '.join(p.rendered))}</td></tr>"
        for p in report.problems
    )
    return [
        f"<h2>Problems this change introduces ({len(report.problems)})</h2>",
        "<table><tr><th></th><th>file</th><th>option or variable</th><th>problem</th>"
        f"<th>set at</th><th>rendered in</th></tr>{rows}</table>",
    ]


def linked(where: str, link: Callable[[str], str | None]) -> str:
    url = link(where)
    code = f"<code>{escape(where)}</code>"
    return f'<a href="{escape(url)}">{code}</a>' if url else code


def _summary_table(report: Report) -> list[str]:
    rows = [
        f'<tr><td class="area">{escape(r.area)}</td><td>{escape(r.change)}</td>'
        f"<td>{escape(r.where)}</td></tr>"
        for r in summary.rows(report)
    ]
    return [
        "<h2>Changes</h2><table><tr><th></th><th>Change</th><th>Where</th></tr>",
        *rows,
        "</table>",
    ]


def _inventory(report: Report) -> list[str]:
    if not report.inventory:
        return []
    rows = "".join(
        f"<tr><td>{escape(c.hosts_label)}</td><td>{escape(summary.host_change_text(c))}</td></tr>"
        for c in report.inventory
    )
    parts = [
        "<details open><summary><b>Inventory</b></summary>",
        f"<table><tr><th>Hosts</th><th>Change</th></tr>{rows}</table>",
    ]
    for change in report.inventory:
        if change.variables:
            parts.append(f"<h3>Inventory variables of {escape(change.hosts_label)}</h3>")
            parts.append(_value_table(change.variables, "Variable"))
    return [*parts, "</details>"]


def _variables(report: Report) -> list[str]:
    parts = []
    if report.kayobe:
        parts.append("<details open><summary><b>Kayobe variables</b> (by host group)</summary>")
        for group in report.kayobe:
            parts.append(f"<h3>On {escape(group.hosts_label)}</h3>")
            parts.append(_value_table(group.changes, "Variable"))
        parts.append("</details>")
    if report.globals:
        parts.append("<details open><summary><b>Kolla globals</b> (globals.yml)</summary>")
        parts.append(_value_table(report.globals, "Variable"))
        parts.append("</details>")
    return parts


def _value(value: str | None) -> str:
    return '<span class="note">(none)</span>' if value is None else f"<code>{escape(value)}</code>"


def _value_table(changes: list[ValueChange], title: str) -> str:
    rows = []
    for change in changes:
        name = f"<code>{escape(summary.key_name(change))}</code>"
        if change.secret:
            text = escape(summary.describe_value(change))
            rows.append(f'<tr><td>{name}</td><td colspan="2" class="secret">{text}</td></tr>')
            continue
        note = f'<br><span class="note">{escape(change.note)}</span>' if change.note else ""
        rows.append(
            f"<tr><td>{name}</td><td>{_value(change.old)}</td><td>{_value(change.new)}{note}</td>"
            "</tr>"
        )
    head = f"<tr><th>{escape(title)}</th><th>Before</th><th>After</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _service(service: ServiceDiff) -> str:
    parts = [
        f"<details open><summary><b>{escape(service.service)}</b> — {service.count} "
        f"change{'s' if service.count != 1 else ''}</summary>"
    ]
    for container in service.containers:
        parts.append(
            f"<p>container <code>{escape(container.container)}</code> {container.kind} on "
            f"{escape(container.hosts_label)}: {escape(', '.join(container.files))}</p>"
        )
    parts += [_file(entry) for entry in service.files]
    parts.append("</details>")
    return "\n".join(parts)


def _file(entry: FileEntry) -> str:
    where = escape(summary.where(entry))
    parts = [
        f"<details open><summary><code>{escape(entry.path)}</code> {entry.kind} — {where}</summary>"
    ]
    if entry.format == "secret":
        parts.append(f'<p class="secret">content {CHANGED}</p>')
    else:
        if entry.note:
            parts.append(f'<p class="note">{escape(entry.note)}</p>')
        if entry.format == "ini" and entry.changes:
            parts.append(_value_table(entry.changes, "Key"))
        if entry.hunks:
            label = "Line diff" if entry.format != "ini" or not entry.changes else "Raw line diff"
            hunk = _hunk(entry.hunks)
            parts.append(
                hunk
                if label == "Line diff"
                else f"<details><summary>{label} (one host)</summary>{hunk}</details>"
            )
    parts.append("</details>")
    return "".join(parts)


def _hunk(lines: list[str]) -> str:
    out = []
    for line in lines[:MAX_HUNK_LINES]:
        css = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "")
        text = escape(line)
        out.append(f'<span class="{css}">{text}</span>' if css else text + "\n")
    if len(lines) > MAX_HUNK_LINES:
        out.append(f"… {len(lines) - MAX_HUNK_LINES} more lines in report.diff\n")
    return "<pre>" + "".join(out) + "</pre>"
