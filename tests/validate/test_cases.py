"""One minimal broken environment per rule, validated through real kayobe: exactly that rule
fires, and its finding names the environment, host, file and key."""

from __future__ import annotations

import pytest

from sitectl.validate.rules import RULES, kayobe_load
from sitectl.validate.runner import INTERNAL

from .cases import CASES, CLEAN, Case
from .conftest import Validated

pytestmark = pytest.mark.slow


def expected_file(case: Case) -> str:
    if case.file is None:
        raise AssertionError(case)
    if case.file.startswith("etc/"):
        return case.file
    return str(("environments/" + case.env + "/" + case.file).replace(f"{case.env}/../", ""))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_rule_on_its_broken_environment(validated: Validated, case: Case) -> None:
    report = validated(case.env)
    findings = report.findings
    assert findings, f"{case.env}: no finding; notes: {report.notes}"
    assert {f.rule for f in findings} == {case.rule}, [str(f) for f in findings]
    assert all(f.environment == case.env and f.message and f.hint for f in findings)
    matching = [f for f in findings if f.host == case.host and f.key == case.key]
    assert matching, [(f.host, f.key) for f in findings]
    finding = matching[0]
    assert finding.file == expected_file(case), finding
    if case.line:
        assert finding.line is not None and finding.line > 0, finding
    assert case.says in finding.message, finding
    load = next(r for r in report.results if r.rule is kayobe_load)
    if case.kayobe:
        assert load.skipped is None
    else:
        assert load.skipped is not None and "kayobe was not run" in " ".join(report.notes)


@pytest.mark.parametrize("env", sorted(CLEAN))
def test_clean_environments_have_no_findings(validated: Validated, env: str) -> None:
    report = validated(env)
    assert report.findings == [], [str(f) for f in report.findings]
    assert report.hosts >= 2 and report.networks >= 8
    assert all(result.skipped is None for result in report.results)


def test_every_rule_has_a_broken_environment() -> None:
    assert {rule.ID for rule in RULES} <= {case.rule for case in CASES}


def test_no_rule_crashed(validated: Validated) -> None:
    for case in CASES:
        assert INTERNAL not in {f.rule for f in validated(case.env).findings}
