"""RefStack through Rally against a real Keystone on 127.0.0.1 (slow: about 5 minutes).

A Keystone from the toolchain (sqlite, one uwsgi worker) serves for the whole module and is
always stopped at the end. `sitectl refstack run` then makes tempest.conf with
python-tempestconf and runs Rally's verifier (cached under REPO/.cache/sitectl/refstack/ by
input hash) on the identity part of RefStack lists: the repository's own guideline fixture,
and the real 2020.06 guideline (ci/refstack/guidelines/2020.06.json).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO
from tests.refstack.keystone import Keystone

pytestmark = pytest.mark.slow

FIXTURE = REPO / "ci" / "refstack" / "guideline-fixture.json"
REAL_GUIDELINE = REPO / "ci" / "refstack" / "guidelines" / "2020.06.json"
CATALOG_TEST = (
    "tempest.api.identity.v3.test_catalog.IdentityCatalogTest.test_catalog_standardization"
    "[id-56b57ced-22b8-4127-9b8a-565dfb0207e2]"
)
CLOUD = "refstack-test"


@pytest.fixture(scope="module")
def keystone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keystone]:
    server = Keystone(tmp_path_factory.mktemp("keystone"))
    try:
        server.start()
        print(f"keystone ready in {server.started_in:.1f} s at {server.url}")
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def clouds_yaml(keystone: Keystone, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return keystone.clouds_yaml(tmp_path_factory.mktemp("cloud") / "clouds.yaml", CLOUD)


def refstack(sitectl: Any, clouds_yaml: Path, reports: Path, *extra: object) -> Any:
    return sitectl(
        "--repo",
        REPO,
        "refstack",
        "run",
        "--cloud",
        CLOUD,
        "--clouds-yaml",
        clouds_yaml,
        "--component",
        "identity",
        "--reports",
        reports,
        *extra,
        timeout=600,
    )


def junit(reports: Path) -> tuple[dict[str, str], ET.Element]:
    """(test id -> outcome: passed/failure/skipped, the <testsuite>) from Rally's JUnit XML."""
    root = ET.parse(reports / "refstack.junit.xml").getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None
    outcomes = {}
    for case in suite.iter("testcase"):
        outcome = "passed"
        for tag in ("failure", "error", "skipped"):
            if case.find(tag) is not None:
                outcome = tag
        outcomes[f"{case.get('classname')}.{case.get('name')}"] = outcome
    return outcomes, suite


def check_reports(reports: Path, expected_failures: int) -> dict[str, str]:
    load_list = (reports / "load-list.txt").read_text().split()
    outcomes, suite = junit(reports)
    assert int(suite.get("tests", "-1")) == len(load_list) == len(outcomes)
    assert int(suite.get("failures", "0")) + int(suite.get("errors", "0")) == expected_failures
    assert list(outcomes.values()).count("failure") == expected_failures
    assert {test.split("[")[0] for test in load_list} == set(outcomes)
    html = (reports / "refstack.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html") or "<html" in html[:500].lower()
    assert (reports / "refstack.json").stat().st_size > 0
    return outcomes


def test_fixture_identity_with_an_injected_failure_fails_the_gate(
    sitectl: Any, clouds_yaml: Path, tmp_path: Path
) -> None:
    # A site override that claims Swift exists: the catalog test then looks for an
    # object-store entry this Keystone does not have, and fails.
    swift = tmp_path / "swift.conf"
    swift.write_text("[service_available]\nswift = True\n")
    reports = tmp_path / "reports"
    result = refstack(
        sitectl,
        clouds_yaml,
        reports,
        "--guideline",
        FIXTURE,
        "--target",
        "platform",
        "--overrides",
        REPO / "ci" / "refstack" / "tempest-overrides.conf",
        "--overrides",
        swift,
    )
    print(result.stderr)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    outcomes = check_reports(reports, expected_failures=1)
    assert len(outcomes) == 6  # the fixture's identity tests, minus the flagged one
    assert outcomes[CATALOG_TEST.split("[")[0]] == "failure"
    # The fixture names one test by an older name; it ran under tempest's exact id.
    assert (
        "tempest.api.identity.v3.test_api_discovery.TestApiDiscovery.test_api_version_resources"
        "[id-b9232f5e-d9e5-4d97-b96c-28d3db4de1bd,smoke]"
    ) in (reports / "load-list.txt").read_text().split()
    assert "unexpected failures: 1" in result.stdout
    assert CATALOG_TEST in result.stdout
    assert "identity-v3-catalog" in result.stdout
    assert "result: FAIL" in result.stdout
    assert "refstack-test-admin" not in result.stdout + result.stderr  # the admin password

    # The same failure listed as expected keeps the gate green.
    xfail = tmp_path / "xfail.yaml"
    xfail.write_text(f"{CATALOG_TEST}: the test cloud has no object store (injected)\n")
    reports = tmp_path / "reports-xfail"
    result = refstack(
        sitectl,
        clouds_yaml,
        reports,
        "--guideline",
        FIXTURE,
        "--target",
        "platform",
        "--overrides",
        REPO / "ci" / "refstack" / "tempest-overrides.conf",
        "--overrides",
        swift,
        "--xfail-list",
        xfail,
    )
    print(result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    check_reports(reports, expected_failures=0)
    assert "result: PASS" in result.stdout
    summary_line = next(line for line in result.stdout.splitlines() if line.startswith("total"))
    assert summary_line.split()[1:] == ["5", "0", "0", "1"]  # passed failed skipped xfail


def test_real_2020_06_guideline_identity_passes(
    sitectl: Any, clouds_yaml: Path, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    result = refstack(
        sitectl, clouds_yaml, reports, "--guideline", REAL_GUIDELINE, "--target", "compute"
    )
    print(result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    outcomes = check_reports(reports, expected_failures=0)
    assert len(outcomes) == 7
    assert set(outcomes.values()) == {"passed"}
    assert "RefStack 2020.06 OpenStack Powered Compute (identity)" in result.stdout
    assert "result: PASS" in result.stdout
