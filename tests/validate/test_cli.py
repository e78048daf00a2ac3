"""`sitectl validate` on the command line: exit status, text, JSON and JUnit reports, usage
errors. The environments' dumps are cached by the session's earlier validations."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sitectl.validate.rules import RULES
from tests.helpers import EXAMPLE_PASSWORD_FILE

from .conftest import Validated

if TYPE_CHECKING:
    import subprocess

    from conftest import RunSitectl

pytestmark = pytest.mark.slow

BROKEN = "v-net-vip-outside"


@pytest.fixture(scope="module")
def cli_repo(case_repo: Path, validated: Validated) -> Path:
    for env in ("v-clean", BROKEN):
        validated(env)  # warm the dump cache
    return case_repo


def validate_cli(
    sitectl: RunSitectl, repo: Path, *args: object
) -> subprocess.CompletedProcess[str]:
    return sitectl(
        "--repo", repo, "--vault-password-file", EXAMPLE_PASSWORD_FILE, "validate", *args
    )


def test_clean_environment_exits_0(sitectl: RunSitectl, cli_repo: Path) -> None:
    result = validate_cli(sitectl, cli_repo, "v-clean")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        f"v-clean: 0 findings (2 hosts, 8 networks, {len(RULES)} rules) in "
    )
    assert "[validate] v-clean: checked in " in result.stderr  # progress on stderr
    assert "0 findings" not in result.stderr  # the result is said once, on stdout


def test_findings_exit_1_with_text_json_and_junit(
    sitectl: RunSitectl, cli_repo: Path, tmp_path: Path
) -> None:
    junit = tmp_path / "reports" / "validate.xml"
    quality = tmp_path / "reports" / "codequality.json"
    result = validate_cli(
        sitectl, cli_repo, "v-clean", BROKEN, "--junit", junit, "--codequality", quality
    )
    assert result.returncode == 1, result.stderr
    [issue] = json.loads(quality.read_text())
    assert issue["check_name"] == "validate/net-vip-outside"
    assert issue["location"]["path"] == f"environments/{BROKEN}/networks.yml"
    assert issue["location"]["lines"]["begin"] > 1 and issue["severity"] == "major"
    assert issue["description"].startswith(f"{BROKEN}: internal_net_vip_address 10.10.40.2")
    text = result.stdout
    assert (
        f"{BROKEN}\n  (site-wide)\n    net-vip-outside: internal_net_vip_address 10.10.40.2" in text
    )
    assert (
        f"at environments/{BROKEN}/networks.yml:" in text and "key internal_net_vip_address" in text
    )
    assert "fix: " in text and "all: 1 finding in 1 of 2 environments" in text
    assert "Traceback" not in result.stderr

    root = ET.parse(junit).getroot()
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == {"v-clean", BROKEN}
    assert {len(suite.findall("testcase")) for suite in suites.values()} == {len(RULES)}
    [failed] = [
        case for case in suites[BROKEN].iter("testcase") if case.find("failure") is not None
    ]
    assert failed.get("name", "").startswith("net-vip-outside: ")
    assert "internal_net_vip_address" in (failed.find("failure").text or "")
    assert root.get("failures") == "1"
    assert not list(junit.parent.glob(".*.tmp"))

    as_json = validate_cli(sitectl, cli_repo, BROKEN, "--format", "json")
    assert as_json.returncode == 1
    [finding] = json.loads(as_json.stdout)
    assert finding["rule"] == "net-vip-outside" and finding["environment"] == BROKEN
    assert finding["file"] == f"environments/{BROKEN}/networks.yml" and finding["line"]
    assert set(finding) == {"rule", "environment", "host", "file", "line", "key", "message", "hint"}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), "give one or more environments, or --all"),
        (("v-clean", "--all"), "give one or more environments, or --all"),
        (("no-such-env",), "unknown environment(s) no-such-env"),
        (("v-clean", "--format", "xml"), "invalid choice"),
        (("--explain", "no-such-rule"), "no rule 'no-such-rule'"),
    ],
)
def test_usage_errors_exit_2(
    sitectl: RunSitectl, cli_repo: Path, args: tuple[str, ...], words: str
) -> None:
    result = validate_cli(sitectl, cli_repo, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr


def test_unwritable_junit_report_is_a_usage_error(
    sitectl: RunSitectl, cli_repo: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = validate_cli(sitectl, cli_repo, "v-clean", "--junit", blocker / "report.xml")
    assert result.returncode == 2 and "cannot write the JUnit report" in result.stderr
    assert blocker.read_text() == "not a directory"


def test_rules_and_explain(sitectl: RunSitectl, cli_repo: Path) -> None:
    listing = validate_cli(sitectl, cli_repo, "--rules")
    assert listing.returncode == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()] == [r.ID for r in RULES]
    explained = validate_cli(sitectl, cli_repo, "--explain", "vlan-conflict")
    assert explained.returncode == 0 and "Example of bad input::" in explained.stdout


def test_wrong_vault_password_is_a_finding(
    sitectl: RunSitectl, cli_repo: Path, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong-password"
    wrong.write_text("not-the-password\n")
    result = sitectl("--repo", cli_repo, "--vault-password-file", wrong, "validate", "v-full")
    assert result.returncode == 1, result.stderr
    assert "vault-password: the vault password (--vault-password-file" in result.stdout
    assert "environments/v-full/secrets.yml" in result.stdout
    assert "kayobe was not run" in result.stdout and "Traceback" not in result.stderr


def test_a_missing_vault_password_is_the_operators_error(
    sitectl: RunSitectl, cli_repo: Path
) -> None:
    """No password while the environment has encrypted values: exit 2 and how to give one (or
    check without it), as every verb says it; no report. --sealed needs none."""
    for args in (["v-full"], ["--all"]):
        result = sitectl("--repo", cli_repo, "validate", *args)
        assert result.returncode == 2, result.stdout
        assert result.stdout == ""
        assert "no vault password" in result.stderr and "--sealed" in result.stderr
    sealed = sitectl("--repo", cli_repo, "validate", "--sealed", "v-full")
    assert sealed.returncode in (0, 1), sealed.stderr
    assert "v-full: " in sealed.stdout
