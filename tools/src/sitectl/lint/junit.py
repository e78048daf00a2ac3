"""The lint results as JUnit XML for GitLab's test widget: one test case per check."""

from __future__ import annotations

from collections.abc import Sequence

from sitectl.junit import Case, Suite, document
from sitectl.lint.checks import Result


def junit(results: Sequence[Result]) -> str:
    cases = [
        Case(
            name=result.check,
            classname="lint",
            seconds=result.seconds,
            failure=None if result.passed else f"{result.check} found problems",
            details=result.output,
        )
        for result in results
    ]
    return document("sitectl lint", [Suite("lint", cases)])
