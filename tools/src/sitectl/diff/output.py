"""Writing a report: every format, into a directory that appears whole or not at all.

    DIR/report.md     the MR note (capped)
    DIR/report.html   self-contained, collapsible
    DIR/report.json   the report as data (format sitectl-config-diff-1)
    DIR/report.diff   plain unified diff of everything compared (display-safe)
    DIR/junit.xml     one testcase per render ("ENV base renders", "ENV head renders"), and
                      with --check-options one per option problem the change introduces (an
                      error fails its case)
    DIR/codequality.json  those problems where the site's own file sets them (GitLab's Code
                      Quality report: on the merge request's diff)

DIR is replaced whole under sitectl.outdir's policy (only an empty directory or an earlier
report; never half-written). Each text passes secrets.scrub().
"""

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import quote

from sitectl import codequality, outdir
from sitectl.diff import html, markdown, summary
from sitectl.diff.model import Problem, Report
from sitectl.diff.secrets import scrub
from sitectl.junit import Case, Suite, document

FILES = (
    "report.md",
    "report.html",
    "report.json",
    "report.diff",
    "junit.xml",
    "codequality.json",
)
FORMATS = {"md": "report.md", "html": "report.html", "json": "report.json", "diff": "report.diff"}


def no_link(where: str) -> str | None:
    return None


def gitlab_link(environ: Mapping[str, str]) -> Callable[[str], str | None]:
    """In GitLab CI: "path:line" -> the file at the commit the pipeline runs for, at that line
    (the merge request's version)."""
    project, commit = environ.get("CI_PROJECT_URL"), environ.get("CI_COMMIT_SHA")
    if not project or not commit:
        return no_link

    def link(where: str) -> str | None:
        found = codequality.location(where)
        if found is None:
            return None
        path, line = found
        anchor = f"#L{line}" if line else ""
        return f"{project.rstrip('/')}/-/blob/{commit}/{quote(path)}{anchor}"

    return link


def artifacts(
    report: Report,
    unified: str,
    md_cap: int = markdown.DEFAULT_CAP,
    full_report: str | None = None,
    secrets: re.Pattern[str] | None = None,
    link: Callable[[str], str | None] = no_link,
) -> dict[str, str]:
    """{file name: content}, each scrubbed. `link`: the URL of a "path:line" of the
    repository at the head commit (in GitLab CI), or None."""
    texts = {
        "report.md": markdown.render(report, md_cap, full_report, link),
        "report.html": html.render(report, link),
        "report.json": json.dumps(report.to_json(), indent=2, sort_keys=False) + "\n",
        "report.diff": unified,
        "junit.xml": junit(report),
        "codequality.json": code_quality(report),
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
    cases += [_problem_case(env, problem) for problem in report.problems or ()]
    return document("sitectl diff", [Suite(f"config-diff {env}", cases, seconds=report.duration_s)])


def _problem_case(env: str, problem: Problem) -> Case:
    """An option problem the change introduces: a failed case when the service would reject
    the option, a passed one (said in its output) for a warning."""
    name = f"{env} {problem.file} {problem.key}"
    classname = f"config-diff.{env}.options"
    where = problem.source or "kolla-ansible's template"
    said = f"{problem.message} (set at {where}; rendered in {', '.join(problem.rendered)})"
    if problem.severity == "error":
        return Case(
            name, classname, failure=problem.message, failure_type=problem.kind, details=said
        )
    return Case(name, classname, output=f"{problem.severity}: {said}")


def code_quality(report: Report) -> str:
    """The option problems the change introduces in the site's own files (those set by
    kolla-ansible's templates have no line of the repository to point at)."""
    issues = []
    for problem in report.problems or ():
        found = codequality.location(problem.source)
        if found is not None:
            issues.append(
                codequality.Issue(
                    f"config-diff/{problem.kind}",
                    f"{problem.file} {problem.key}: {problem.message}",
                    found[0],
                    found[1],
                    problem.severity,
                )
            )
    return codequality.document(issues)


REPORT = outdir.kind("config-diff report", FILES)


def write(directory: Path, files: dict[str, str], repo: Path | None = None) -> Path:
    """`directory` holds all of `files` afterwards, or is as it was (sitectl.outdir)."""
    with outdir.replacing(directory, REPORT, repo) as staging:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
    return directory.absolute()
