"""Reports of `sitectl validate`: text for people, JSON for scripts, JUnit XML for GitLab.

Text groups findings by environment, then host (site-wide first), and ends each environment
with a one-line summary. JSON is the list of findings. JUnit XML has one testsuite per
environment and one testcase per rule, so GitLab's test widget lists every rule, failed or
passed; a failure lists that rule's findings. Files are written atomically.
"""

import json
from collections.abc import Sequence
from itertools import groupby

from sitectl import codequality
from sitectl.junit import Case, Suite, document
from sitectl.validate.finding import Finding
from sitectl.validate.runner import EnvironmentReport, RuleResult, plural

SITE_WIDE = "(site-wide)"


def text(reports: Sequence[EnvironmentReport]) -> str:
    blocks = []
    for report in reports:
        lines = []
        findings = report.findings
        if findings:
            lines.append(report.environment)
            for host, group in groupby(findings, key=lambda f: f.host or ""):
                lines.append(f"  {host or SITE_WIDE}")
                for finding in group:
                    lines += _finding_lines(finding)
        lines.append(report.summary())
        lines += [f"  note: {note}" for note in report.notes]
        blocks.append("\n".join(lines))
    if len(reports) > 1:
        total = sum(len(report.findings) for report in reports)
        dirty = sum(1 for report in reports if report.findings)
        blocks.append(
            f"all: {plural(total, 'finding')} in {dirty} of {plural(len(reports), 'environment')}"
            f" in {sum(r.seconds for r in reports):.1f} s"
        )
    return "\n\n".join(blocks) + "\n"


def _finding_lines(finding: Finding) -> list[str]:
    parts = (finding.where, f"key {finding.key}" if finding.key else "")
    where = "  ".join(part for part in parts if part)
    message = finding.message.splitlines() or [""]
    lines = [f"    {finding.rule}: {message[0]}"]
    lines += [f"        {line}" for line in message[1:]]
    if where:
        lines.append(f"      at {where}")
    lines.append(f"      fix: {finding.hint}")
    return lines


def as_json(reports: Sequence[EnvironmentReport]) -> str:
    findings = [finding.as_dict() for report in reports for finding in report.findings]
    return json.dumps(findings, indent=2) + "\n"


def junit(reports: Sequence[EnvironmentReport]) -> str:
    return document(
        "sitectl validate",
        [
            Suite(
                report.environment,
                [_junit_case(report, r) for r in report.results],
                seconds=report.seconds,
            )
            for report in reports
        ],
    )


def _junit_case(report: EnvironmentReport, result: RuleResult) -> Case:
    failure = None
    if result.findings:
        failure = (
            f"{plural(len(result.findings), 'finding')}: "
            f"{result.findings[0].message.splitlines()[0]}"
        )
    return Case(
        name=f"{result.rule.ID}: {result.rule.DESCRIPTION}",
        classname=f"validate.{report.environment}",
        seconds=result.seconds,
        failure=failure,
        failure_type=result.rule.ID,
        details="\n\n".join(_junit_text(f) for f in result.findings),
        skipped=result.skipped or None,
    )


def _junit_text(finding: Finding) -> str:
    lines = [f"[{finding.rule}] {finding.message}"]
    if finding.host:
        lines.append(f"host: {finding.host}")
    if finding.where:
        lines.append(f"file: {finding.where}")
    if finding.key:
        lines.append(f"key: {finding.key}")
    lines.append(f"fix: {finding.hint}")
    return "\n".join(lines)


def code_quality(reports: Sequence[EnvironmentReport]) -> str:
    """GitLab's Code Quality report: each finding that names a file of the repository."""
    issues = [
        codequality.Issue(
            f"validate/{finding.rule}",
            f"{finding.environment}: {finding.message}. {finding.hint}".strip(),
            finding.file,
            finding.line,
            "error",
        )
        for report in reports
        for finding in report.findings
        if finding.file is not None and not finding.file.startswith(("/", ".."))
    ]
    return codequality.document(issues)
