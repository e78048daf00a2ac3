"""Writing a report: every format, into a directory that appears whole or not at all.

    DIR/report.md     the MR note (capped)
    DIR/report.html   self-contained, collapsible
    DIR/report.json   the report as data (format sitectl-config-diff-1)
    DIR/report.diff   plain unified diff of everything compared (display-safe)
    DIR/junit.xml     one testcase per render ("ENV base renders", "ENV head renders")

DIR is replaced whole under sitectl.outdir's policy (only an empty directory or an earlier
report; never half-written). Each text passes secrets.scrub().
"""

import json
import re
from pathlib import Path

from sitectl import outdir
from sitectl.diff import html, markdown, summary
from sitectl.diff.model import Report
from sitectl.diff.secrets import scrub
from sitectl.junit import Case, Suite, document

FILES = ("report.md", "report.html", "report.json", "report.diff", "junit.xml")
FORMATS = {"md": "report.md", "html": "report.html", "json": "report.json", "diff": "report.diff"}


def artifacts(
    report: Report,
    unified: str,
    md_cap: int = markdown.DEFAULT_CAP,
    full_report: str | None = None,
    secrets: re.Pattern[str] | None = None,
) -> dict[str, str]:
    """{file name: content}, each scrubbed."""
    texts = {
        "report.md": markdown.render(report, md_cap, full_report),
        "report.html": html.render(report),
        "report.json": json.dumps(report.to_json(), indent=2, sort_keys=False) + "\n",
        "report.diff": unified,
        "junit.xml": junit(report),
    }
    return {name: scrub(text, secrets) for name, text in texts.items()}


def junit(report: Report) -> str:
    """JUnit XML for GitLab's test widget: did each side render?"""
    env = report.environment
    sides = report.renders or {"base": None, "head": None}
    cases = []
    for side, error in sides.items():
        label = report.base.label if side == "base" else report.head.label
        name, classname = f"{env} {side} renders", f"config-diff.{env}"
        if report.plan.mode == "none":
            cases.append(Case(name, classname, skipped=f"not rendered: {report.plan.reason}"))
        elif error:
            cases.append(
                Case(name, classname, failure=f"{env} does not render at {label}", details=error)
            )
        else:
            cases.append(
                Case(name, classname, output=f"{label}: rendered. {summary.headline(report)}")
            )
    return document("sitectl diff", [Suite(f"config-diff {env}", cases, seconds=report.duration_s)])


REPORT = outdir.kind("config-diff report", FILES)


def write(directory: Path, files: dict[str, str], repo: Path | None = None) -> Path:
    """`directory` holds all of `files` afterwards, or is as it was (sitectl.outdir)."""
    with outdir.replacing(directory, REPORT, repo) as staging:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
    return directory.absolute()
