"""JUnit XML for GitLab's test widget: every report's cases go through this one writer."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    """One test case. A failure has a one-line message and details; a skip has its reason."""

    name: str
    classname: str
    seconds: float | None = None
    failure: str | None = None
    failure_type: str | None = None
    details: str = ""
    skipped: str | None = None
    output: str | None = None


@dataclass(frozen=True)
class Suite:
    name: str
    cases: Sequence[Case]
    seconds: float | None = None


def _counts(cases: Sequence[Case]) -> dict[str, str]:
    return {
        "tests": str(len(cases)),
        "failures": str(sum(c.failure is not None for c in cases)),
        "errors": "0",
        "skipped": str(sum(c.failure is None and c.skipped is not None for c in cases)),
    }


def document(title: str, suites: Sequence[Suite]) -> str:
    """The XML text: a testsuites element named `title`, with totals."""
    every = [case for suite in suites for case in suite.cases]
    root = ET.Element("testsuites", name=title, **_counts(every))
    known = [s.seconds for s in suites if s.seconds is not None]
    if known:
        root.set("time", f"{sum(known):.3f}")
    for suite in suites:
        element = ET.SubElement(root, "testsuite", name=suite.name, **_counts(suite.cases))
        if suite.seconds is not None:
            element.set("time", f"{suite.seconds:.3f}")
        for case in suite.cases:
            _case(element, case)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _case(suite: ET.Element, case: Case) -> None:
    element = ET.SubElement(suite, "testcase", classname=case.classname, name=case.name)
    if case.seconds is not None:
        element.set("time", f"{case.seconds:.3f}")
    if case.failure is not None:
        failure = ET.SubElement(element, "failure", message=case.failure)
        if case.failure_type:
            failure.set("type", case.failure_type)
        failure.text = case.details
    elif case.skipped is not None:
        ET.SubElement(element, "skipped", message=case.skipped)
    if case.output:
        ET.SubElement(element, "system-out").text = case.output
