"""The upgrade rehearsal's report (rehearsal.py), in every format, into a directory that appears
whole or not at all:

    DIR/report.md    the merge-request note: hazards first, then the site's change, the
                     release's change, the release notes, what the rehearsal cannot show
    DIR/report.html  the same, to browse
    DIR/report.json  the rehearsal as data (format sitectl-upgrade-1; each diff inside is a
                     sitectl-config-diff-1 report)
    DIR/junit.xml    one case per render, one per hazard (an error fails its case)

Each text passes secrets.scrub().
"""

from __future__ import annotations

import html as html_text
import json
import re
from collections.abc import Callable
from pathlib import Path

from sitectl import outdir
from sitectl.diff import html, markdown, summary
from sitectl.diff.model import Report
from sitectl.diff.rehearsal import Rehearsal
from sitectl.diff.secrets import scrub
from sitectl.junit import Case, Suite, document

FILES = ("report.md", "report.html", "report.json", "junit.xml")
REPORT = outdir.kind("upgrade rehearsal report", FILES)
Section = tuple[str, Report | None]


def headline(rehearsal: Rehearsal) -> str:
    name = f"Upgrade rehearsal for {rehearsal.environment}"
    if rehearsal.stopped and rehearsal.together is None:
        return f"{name}: cannot render"
    counts = [
        f"{_changes(rehearsal.site)} from the site" if rehearsal.site else "",
        f"{_changes(rehearsal.release)} from the release" if rehearsal.release else "",
        f"{_changes(rehearsal.together)} together" if rehearsal.together else "",
        f"{len(rehearsal.hazards)} to fix or check" if rehearsal.hazards else "",
    ]
    return f"{name}: {', '.join(c for c in counts if c)}"


def stop_line(rehearsal: Rehearsal) -> str:
    """Which variable stopped the old toolchain, and where the new configuration uses it."""
    stop = rehearsal.stopped_by
    if stop is None:
        return ""
    where = ", ".join(stop.used_at) if stop.used_at else "no file of the environment's layers"
    return (
        f"It stops at {stop.variable}, which {rehearsal.base.toolchain} does not define; the "
        f"new configuration uses it at {where}."
    )


def _changes(report: Report | None) -> str:
    if report is None:
        return "no change"
    files = report.counts()["files"]
    others = sum(v for k, v in report.counts().items() if k not in ("files", "services"))
    total = files + others
    return f"{total} change{'' if total == 1 else 's'}"


def toolchains_line(rehearsal: Rehearsal) -> str:
    if not rehearsal.moves:
        return f"The toolchain does not move: {rehearsal.head.toolchain} on both sides."
    return f"The toolchain moves: {rehearsal.base.toolchain} → {rehearsal.head.toolchain}."


def sections(rehearsal: Rehearsal) -> list[tuple[str, str, Report | None]]:
    """(title, what it means, the diff) of each comparison the rehearsal made."""
    if rehearsal.together is not None:
        return [
            (
                "The site's and the release's changes together",
                "the base and the head configuration, each rendered with its own toolchain: "
                "the old toolchain cannot render the new configuration, so the two are not "
                "told apart",
                rehearsal.together,
            )
        ]
    return [
        (
            "What the site changes",
            f"the base and the head configuration, both rendered with {rehearsal.base.toolchain}",
            rehearsal.site,
        ),
        (
            "What the release changes on its own",
            f"the head configuration rendered with {rehearsal.base.toolchain} and with "
            f"{rehearsal.head.toolchain}",
            rehearsal.release,
        ),
    ]


# --- Markdown -------------------------------------------------------------------------


def render_markdown(rehearsal: Rehearsal, link: Callable[[str], str | None]) -> str:
    lines = [
        f"<!-- sitectl-upgrade {rehearsal.environment} -->",
        f"### {markdown.inline(headline(rehearsal))}",
        "",
        f"{markdown.inline(summary.sides_of(rehearsal.base, rehearsal.head))}  ",
        markdown.inline(toolchains_line(rehearsal)),
        "",
    ]
    if rehearsal.stopped:
        lines += [
            f"**{rehearsal.base.toolchain} cannot render the new configuration**, so the "
            "site's change and the release's are shown together. What stopped it:",
            "",
            markdown.quote(rehearsal.stopped),
            "",
        ]
        if rehearsal.stopped_by:
            lines += [markdown.inline(stop_line(rehearsal)), ""]
    lines += _hazards_markdown(rehearsal, link)
    for title, meaning, report in sections(rehearsal):
        lines += [f"#### {title}", "", f"_{markdown.inline(meaning)}._", ""]
        if report is None or report.error:
            lines += [markdown.quote(report.error if report else "not rendered"), ""]
        elif not report.changed:
            lines += ["No change.", ""]
        else:
            lines += markdown.table(report)[2:]
            lines += markdown.sections(report)
            lines.append("")
    lines += _notes_markdown(rehearsal)
    lines += ["#### What this rehearsal cannot show", ""]
    lines += [f"- {item}" for item in rehearsal.cannot_show]
    lines += ["", "---", f"<sub>sitectl upgrade, {rehearsal.duration_s:.0f} s</sub>", ""]
    return "\n".join(lines)


def _hazards_markdown(rehearsal: Rehearsal, link: Callable[[str], str | None]) -> list[str]:
    if not rehearsal.hazards:
        return [
            "Nothing the site sets is rejected or ignored by the new release (options "
            f"checked against {rehearsal.option_lists}; variables against what each "
            "toolchain reads).",
            "",
        ]
    lines = [
        f"#### What the new release will reject or ignore ({len(rehearsal.hazards)})",
        "",
        "| | what | why | set at |",
        "|---|---|---|---|",
    ]
    for hazard in rehearsal.hazards:
        mark = "⛔" if hazard.severity == "error" else "⚠️"
        where = markdown.linked(hazard.source, link) if hazard.source else ""
        lines.append(
            f"| {mark} | {markdown.cell(hazard.subject, code=True)} | "
            f"{markdown.cell(hazard.message, limit=600)} | {where} |"
        )
    return [*lines, "", f"_Options checked against {rehearsal.option_lists}._", ""]


def _notes_markdown(rehearsal: Rehearsal) -> list[str]:
    title = "#### What the release notes say for this site"
    if not rehearsal.release_notes:
        return [title, "", "No note between the two versions names what this site uses.", ""]
    lines = [f"{title} ({len(rehearsal.release_notes)})", ""]
    for n in rehearsal.release_notes:
        text = markdown.cell(n.text, limit=1500)
        lines.append(f"- **{n.project} {n.version}, {n.section}**: {text}")
    return [*lines, ""]


# --- HTML -----------------------------------------------------------------------------


def render_html(rehearsal: Rehearsal, link: Callable[[str], str | None]) -> str:
    esc = html_text.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(headline(rehearsal))}</title><style>{html.CSS}</style></head><body>",
        f"<h1>{esc(headline(rehearsal))}</h1>",
        f'<p class="meta">{esc(summary.sides_of(rehearsal.base, rehearsal.head))}</p>',
        f'<p class="meta">{esc(toolchains_line(rehearsal))}</p>',
    ]
    if rehearsal.stopped:
        parts.append(f'<pre class="error">{esc(rehearsal.stopped)}</pre>')
        if rehearsal.stopped_by:
            parts.append(f"<p>{esc(stop_line(rehearsal))}</p>")
    parts.append(f"<h2>What the new release will reject or ignore ({len(rehearsal.hazards)})</h2>")
    rows = "".join(
        f"<tr><td>{esc(h.severity)}</td><td><code>{esc(h.subject)}</code></td>"
        f"<td>{esc(h.message)}</td><td>{html.linked(h.source, link) if h.source else ''}</td></tr>"
        for h in rehearsal.hazards
    )
    parts.append(f"<table><tr><th></th><th>what</th><th>why</th><th>set at</th></tr>{rows}</table>")
    for title, meaning, report in sections(rehearsal):
        parts += [f"<h2>{esc(title)}</h2>", f'<p class="meta">{esc(meaning)}</p>']
        if report is None or report.error:
            parts.append(f'<pre class="error">{esc(report.error if report else "")}</pre>')
        else:
            parts += html.body(report)
    parts.append(f"<h2>What the release notes say ({len(rehearsal.release_notes)})</h2><ul>")
    parts += [
        f"<li><b>{esc(n.project)} {esc(n.version)}, {esc(n.section)}</b>: {esc(n.text)}</li>"
        for n in rehearsal.release_notes
    ]
    parts.append("</ul><h2>What this rehearsal cannot show</h2><ul>")
    parts += [f"<li>{esc(item)}</li>" for item in rehearsal.cannot_show]
    parts.append("</ul></body></html>")
    return "\n".join(parts) + "\n"


# --- JUnit, and all of it ---------------------------------------------------------------


def junit(rehearsal: Rehearsal) -> str:
    env = rehearsal.environment
    classname = f"upgrade.{env}"
    cases = []
    for title, _, report in sections(rehearsal):
        name = f"{env} {title.lower()}: renders"
        if report is None or report.error:
            error = report.error if report else "not rendered"
            cases.append(Case(name, classname, failure=f"{title}: does not render", details=error))
        else:
            cases.append(Case(name, classname, output=summary.headline(report)))
    for hazard in rehearsal.hazards:
        name = f"{env} {hazard.kind} {hazard.subject}"
        said = f"{hazard.message} (set at {hazard.source})"
        if hazard.severity == "error":
            cases.append(Case(name, classname, failure=hazard.message, details=said))
        else:
            cases.append(Case(name, classname, output=f"warning: {said}"))
    suite = Suite(f"upgrade {env}", cases, seconds=rehearsal.duration_s)
    return document("sitectl upgrade", [suite])


def artifacts(
    rehearsal: Rehearsal,
    secrets: re.Pattern[str] | None = None,
    link: Callable[[str], str | None] = lambda where: None,
) -> dict[str, str]:
    texts = {
        "report.md": render_markdown(rehearsal, link),
        "report.html": render_html(rehearsal, link),
        "report.json": json.dumps(rehearsal.to_json(), indent=2) + "\n",
        "junit.xml": junit(rehearsal),
    }
    return {name: scrub(text, secrets) for name, text in texts.items()}


def write(directory: Path, files: dict[str, str], repo: Path | None = None) -> Path:
    with outdir.replacing(directory, REPORT, repo) as staging:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
    return directory.absolute()
