"""The lint results as JUnit XML for GitLab's test widget: one test case per check."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from sitectl.lint.checks import Result


def junit(results: Sequence[Result]) -> bytes:
    failures = sum(not r.passed for r in results)
    root = ET.Element(
        "testsuites", name="sitectl lint", tests=str(len(results)), failures=str(failures)
    )
    suite = ET.SubElement(
        root, "testsuite", name="lint", tests=str(len(results)), failures=str(failures)
    )
    for result in results:
        case = ET.SubElement(
            suite, "testcase", classname="lint", name=result.check, time=str(result.seconds)
        )
        if not result.passed:
            failure = ET.SubElement(case, "failure", message=f"{result.check} found problems")
            failure.text = result.output
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
