"""The host checks' reports: text for the terminal, Markdown (an MR note or job summary), HTML
for browsing, JSON for machines, JUnit for GitLab's test widget (one suite per host)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from sitectl import junit, outdir
from sitectl.hostcheck.run import Outcome, Report, title


def _hosts(report: Report) -> dict[str, list[Outcome]]:
    grouped: dict[str, list[Outcome]] = {}
    for outcome in report.outcomes:
        grouped.setdefault(outcome.host, []).append(outcome)
    return grouped


def _state(outcome: Outcome) -> str:
    return "failed" if outcome.problems else "skipped" if outcome.skipped else "passed"


def summary(report: Report) -> str:
    failed = len(report.failed)
    hosts = len(_hosts(report))
    return f"{len(report.outcomes)} checks on {hosts} hosts: " + (
        f"{failed} failed" if failed else "all passed"
    )


def text(report: Report) -> str:
    lines = [f"{title(report)}: {summary(report)}"]
    for outcome in report.failed:
        lines += [f"FAIL {outcome.host}: {outcome.check}: {p}" for p in outcome.problems]
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines) + "\n"


def markdown(report: Report) -> str:
    lines = [f"### {title(report).capitalize()}", "", summary(report), ""]
    for host, outcomes in _hosts(report).items():
        bad = [o for o in outcomes if o.problems]
        passed = sum(o.passed for o in outcomes)
        skipped = sum(o.skipped is not None for o in outcomes)
        mark = "❌" if bad else "✅"
        counts = f"{passed}/{len(outcomes)} passed" + (f", {skipped} skipped" if skipped else "")
        lines.append(f"- {mark} **{host}**: {counts}")
        for outcome in bad:
            lines += [f"  - {outcome.check}: {p}" for p in outcome.problems]
    lines += ["", *[f"> {n}" for n in report.notes]]
    return "\n".join(lines).rstrip() + "\n"


def html_page(report: Report) -> str:
    rows = []
    for outcome in report.outcomes:
        detail = "<br>".join(html.escape(p) for p in outcome.problems) or html.escape(
            outcome.skipped or ""
        )
        rows.append(
            f'<tr class="{_state(outcome)}"><td>{html.escape(outcome.host)}</td>'
            f"<td>{html.escape(outcome.check)}</td><td>{_state(outcome)}</td>"
            f"<td>{detail}</td></tr>"
        )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in report.notes)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title(report))}</title><style>"
        "body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left}"
        ".failed{background:#fdd}.skipped{color:#888}</style></head><body>"
        f"<h1>{html.escape(title(report))}</h1><p>{html.escape(summary(report))}</p>"
        "<table><tr><th>host</th><th>check</th><th>result</th><th>detail</th></tr>"
        + "".join(rows)
        + f"</table><ul>{notes}</ul></body></html>\n"
    )


def as_json(report: Report) -> str:
    return json.dumps(
        {
            "environment": report.environment,
            "summary": summary(report),
            "checks": [
                {
                    "host": o.host,
                    "check": o.check,
                    "result": _state(o),
                    "problems": list(o.problems),
                    "skipped": o.skipped,
                    "seconds": round(o.seconds, 3),
                }
                for o in report.outcomes
            ],
            "notes": report.notes,
        },
        indent=2,
    )


def junit_xml(report: Report) -> str:
    suites = [
        junit.Suite(
            host,
            [
                junit.Case(
                    name=o.check,
                    classname=f"hosts.{host}",
                    seconds=o.seconds,
                    failure=o.problems[0] if o.problems else None,
                    details="\n".join(o.problems),
                    skipped=o.skipped,
                )
                for o in outcomes
            ],
        )
        for host, outcomes in _hosts(report).items()
    ]
    return junit.document(title(report), suites)


FILES = ("report.md", "report.html", "report.json", "junit.xml")
REPORT = outdir.kind("host check report", FILES)


def write(report: Report, out: Path) -> list[Path]:
    """report.md, report.html, report.json and junit.xml in `out`, replaced whole
    (sitectl.outdir's policy)."""
    contents = (markdown(report), html_page(report), as_json(report), junit_xml(report))
    with outdir.replacing(out, REPORT) as staging:
        for name, content in zip(FILES, contents, strict=True):
            (staging / name).write_text(content, encoding="utf-8")
    return [out / name for name in FILES]
