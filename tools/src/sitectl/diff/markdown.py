"""The report as a GitLab MR note: a summary table first, then collapsible details, capped.

GitLab refuses notes over 1,000,000 characters; the cap here is lower (default 100,000) so the
note stays readable. Details are dropped whole, from the end, until the note fits, and a pointer
to the full report says where the rest is.
"""

import html
import re
from collections.abc import Callable

from sitectl.diff import summary
from sitectl.diff.model import FileEntry, Report, ServiceDiff, ValueChange
from sitectl.diff.secrets import CHANGED

GITLAB_NOTE_LIMIT = 1_000_000
DEFAULT_CAP = 100_000
MAX_ROWS = 150  # rows in the summary table
MAX_VALUE = 300  # characters of one value in a table cell
MAX_HUNK_LINES = 150  # lines of one file's diff in the note


def marker(environment: str) -> str:
    """The hidden line by which a later run finds (and updates) this note."""
    return f"<!-- sitectl-config-diff:{environment} -->"


def cell(text: str, code: bool = False, limit: int = MAX_VALUE) -> str:
    """Text safe inside a Markdown table cell (HTML-escaped, no pipes or newlines)."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = html.escape(text, quote=False).replace("|", "&#124;").replace("\n", "<br>")
    return f"<code>{text}</code>" if code and text else text


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def inline(text: str) -> str:
    """Text from outside sitectl (a branch name, a file path, a note quoting them) as plain
    Markdown text: HTML escaped, Markdown's punctuation backslash-escaped, one line."""
    escaped = html.escape(" ".join(text.split()), quote=False)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", escaped)


def fence(lines: list[str]) -> str:
    longest = max((len(m) for line in lines for m in re.findall(r"`+", line)), default=0)
    ticks = "`" * max(3, longest + 1)
    return "\n".join([f"{ticks}diff", *lines, ticks])


def render(
    report: Report,
    cap: int = DEFAULT_CAP,
    full_report: str | None = None,
    link: Callable[[str], str | None] = lambda where: None,
) -> str:
    """The note. `full_report`: a URL or a description of where the full report is; `link`:
    the URL of a "path:line" of the repository (the merge request's version), if any."""
    cap = min(cap, GITLAB_NOTE_LIMIT)
    pointer = (
        f"Full report (HTML, JSON, plain diff): {full_report}"
        if full_report
        else "Full report: report.html, report.json and report.diff beside this file."
    )
    head = [marker(report.environment), f"### {inline(summary.headline(report))}", ""]
    head += [f"{inline(summary.sides(report))}  ", f"{inline(summary.plan_line(report))}  "]
    head += [inline(summary.toolchain_line(report)), ""] if summary.toolchain_line(report) else [""]
    for note in report.notes:  # a blank line ends the quote: the table must not join it
        head += [f"> ⚠️ {inline(note)}", ""]
    if report.error:
        head += ["", "**The diff could not be made:**", "", quote(report.error), ""]
    head += _problems(report, link)
    body_sections: list[str] = []
    if report.changed:
        head += table(report)
        body_sections = sections(report)
    footer = [*_rendering(report), "", "---"]
    footer += [f"<sub>{pointer} · sitectl diff, {report.duration_s:.0f} s</sub>", ""]
    text = "\n".join(head)
    tail = "\n".join(footer)
    omitted = 0
    for index, section in enumerate(body_sections):
        if len(text) + len(section) + len(tail) + 200 > cap:
            omitted = len(body_sections) - index
            break
        text += "\n" + section
    if omitted:
        text += (
            f"\n\n**{omitted} more detail section{'s' if omitted > 1 else ''} left out to keep "
            f"this note under {cap:,} characters.** {pointer}\n"
        )
    text += "\n" + tail
    if len(text) > cap:  # even the table does not fit: cut it, keep the pointer
        keep = cap - len(tail) - 200
        text = text[:keep].rsplit("\n", 1)[0] + f"\n\n**Truncated at {cap:,} characters.**\n" + tail
    return text


def _problems(report: Report, link: Callable[[str], str | None]) -> list[str]:
    """The problems the change introduces (when they were checked): options, variables."""
    if report.problems is None:
        return []
    if not report.problems:
        return [
            "Options checked against the services' schemas and variables against what reads "
            "them: this change introduces no problem.",
            "",
        ]
    lines = [
        f"#### Problems this change introduces ({len(report.problems)})",
        "",
        "| | file | option or variable | problem | set at |",
        "|---|---|---|---|---|",
    ]
    for p in report.problems:
        mark = "⛔" if p.severity == "error" else "⚠️"
        where = linked(p.source, link) if p.source else "kolla-ansible's template"
        lines.append(
            f"| {mark} | {cell(p.file, code=True)} | {cell(p.key, code=True)} | "
            f"{cell(p.message)} | {where} |"
        )
    return [*lines, ""]


def linked(where: str, link: Callable[[str], str | None]) -> str:
    """`where` as code, linked to the repository's file when there is a URL for it."""
    url = link(where)
    shown = cell(where, code=True)
    return f"[{shown}]({url.replace(')', '%29')})" if url else shown


def _rendering(report: Report) -> list[str]:
    """How the sides were rendered, collapsed at the end: not in a reviewer's way."""
    if not report.rendering:
        return []
    items = [f"- {inline(note)}" for note in report.rendering]
    return ["", "<details><summary>How this was rendered</summary>", "", *items, "", "</details>"]


def quote(text: str) -> str:
    return "\n".join(f"> {html.escape(line, quote=False)}" for line in text.splitlines())


def table(report: Report) -> list[str]:
    rows = summary.rows(report)
    lines = ["#### Changes", "", "| | Change | Where |", "|---|---|---|"]
    for row in rows[:MAX_ROWS]:
        lines.append(f"| {cell(row.area)} | {cell(row.change)} | {cell(row.where)} |")
    if len(rows) > MAX_ROWS:
        lines.append(f"| … | {len(rows) - MAX_ROWS} more rows in the full report | |")
    return [*lines, ""]


def sections(report: Report) -> list[str]:
    sections = []
    if report.inventory:
        lines = ["<details><summary><b>Inventory</b></summary>", ""]
        lines += ["| Hosts | Change |", "|---|---|"]
        for change in report.inventory:
            text = summary.host_change_text(change)
            lines.append(f"| {cell(change.hosts_label)} | {cell(text, limit=2000)} |")
        lines.append("")
        for change in report.inventory:
            if change.variables:
                lines += [f"**Inventory variables of {cell(change.hosts_label)}**", ""]
                lines += _value_table(change.variables, "Variable")
        sections.append("\n".join([*lines, "</details>"]))
    if report.kayobe:
        lines = ["<details><summary><b>Kayobe variables</b> (by host group)</summary>", ""]
        for group in report.kayobe:
            lines += [f"**On {cell(group.hosts_label)}**", ""]
            lines += _value_table(group.changes, "Variable")
        sections.append("\n".join([*lines, "</details>"]))
    if report.globals:
        lines = ["<details><summary><b>Kolla globals</b> (globals.yml)</summary>", ""]
        lines += _value_table(report.globals, "Variable")
        sections.append("\n".join([*lines, "</details>"]))
    sections += [_service_section(service) for service in report.services]
    return sections


def _value_table(changes: list[ValueChange], title: str) -> list[str]:
    lines = [f"| {title} | Before | After |", "|---|---|---|"]
    for change in changes:
        name = cell(summary.key_name(change), code=True)
        if change.secret:
            lines.append(f"| {name} | {cell(summary.describe_value(change))} | |")
            continue
        old = cell(change.old, code=True) if change.old is not None else "_(none)_"
        new = cell(change.new, code=True) if change.new is not None else "_(none)_"
        if change.note:
            new += f"<br>{cell(change.note)}"
        lines.append(f"| {name} | {old} | {new} |")
    return [*lines, ""]


def _service_section(service: ServiceDiff) -> str:
    lines = [
        f"<details><summary><b>{cell(service.service)}</b> — {service.count} "
        f"change{'s' if service.count != 1 else ''}</summary>",
        "",
    ]
    for container in service.containers:
        lines.append(
            f"- container <code>{cell(container.container)}</code> {container.kind} on "
            f"{cell(container.hosts_label)}: {cell(', '.join(container.files))}"
        )
    if service.containers:
        lines.append("")
    for entry in service.files:
        lines += _file(entry)
    return "\n".join([*lines, "</details>"])


def _file(entry: FileEntry) -> list[str]:
    lines = [f"**<code>{cell(entry.path)}</code>** {entry.kind} — {cell(summary.where(entry))}"]
    lines.append("")
    if entry.format == "secret":
        return [*lines, f"content {CHANGED}", ""]
    if entry.note:
        lines += [cell(entry.note), ""]
    if entry.format == "ini" and entry.changes:
        return lines + _value_table(entry.changes, "Key")
    if entry.hunks:
        shown = entry.hunks[:MAX_HUNK_LINES]
        lines.append(fence(shown))
        if len(entry.hunks) > MAX_HUNK_LINES:
            lines.append(f"_… {len(entry.hunks) - MAX_HUNK_LINES} more lines in the full report._")
        lines.append("")
    return lines
