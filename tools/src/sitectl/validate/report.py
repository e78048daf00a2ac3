"""Reports of `sitectl validate`: text for people, JSON for scripts, JUnit XML for GitLab.

Text groups findings by environment, then host (site-wide first), and ends each environment
with a one-line summary. JSON is the list of findings. JUnit XML has one testsuite per
environment and one testcase per rule, so GitLab's test widget lists every rule, failed or
passed; a failure lists that rule's findings. Files are written atomically.
"""

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import groupby

from sitectl.validate.finding import Finding
from sitectl.validate.runner import EnvironmentReport, plural

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


def junit(reports: Sequence[EnvironmentReport]) -> bytes:
    root = ET.Element("testsuites", name="sitectl validate")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for report in reports:
        suite = ET.SubElement(root, "testsuite", name=report.environment)
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for result in report.results:
            counts["tests"] += 1
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"validate.{report.environment}",
                name=f"{result.rule.ID}: {result.rule.DESCRIPTION}",
                time=f"{result.seconds:.3f}",
            )
            if result.findings:
                counts["failures"] += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    type=result.rule.ID,
                    message=f"{plural(len(result.findings), 'finding')}: "
                    f"{result.findings[0].message.splitlines()[0]}",
                )
                failure.text = "\n\n".join(_junit_text(f) for f in result.findings)
            elif result.skipped:
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=result.skipped)
        suite.set("time", f"{report.seconds:.3f}")
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{sum(r.seconds for r in reports):.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


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
