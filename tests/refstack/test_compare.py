"""`sitectl refstack compare`: two runs' Rally JSON reports, test by test (the upgrade
rehearsal's before and after)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from sitectl.refstack import compare

SERVERS = "tempest.api.compute.servers.test_create_server.ServersTestJSON"
FLAVORS = "tempest.api.compute.flavors.test_flavors.FlavorsV2TestJSON"
TOKENS = "tempest.api.identity.v3.test_tokens.TokensV3Test"
UUID = "5de47127-9977-400a-936f-abcfbec1218f"


def _report(directory: Path, results: dict[str, str]) -> Path:
    """A `refstack run` output directory with Rally's JSON report of `results`."""
    directory.mkdir(parents=True)
    tests = {
        test: {"name": test, "by_verification": {"v-1": {"status": status, "duration": "1.0"}}}
        for test, status in results.items()
    }
    (directory / "refstack.json").write_text(json.dumps({"verifications": {}, "tests": tests}))
    return directory


BEFORE = {
    f"{SERVERS}.test_list_servers[id-{UUID},smoke]": "success",  # renamed after, still passes
    f"{SERVERS}.test_verify_server_details[id-5de47127-0000-400a-936f-abcfbec1218f]": "success",
    f"{FLAVORS}.test_list_flavors[id-e36c0eaa-dff5-4082-ad1f-3f9a80aa3f59,smoke]": "success",
    f"{FLAVORS}.test_get_flavor[id-1f12046b-753d-40d2-abb6-d8eb8b30cb2f]": "fail",
    f"{TOKENS}.test_create_token[id-6f8e4436-fc96-4282-8122-e41df57197a9]": "skip",
    f"{TOKENS}.test_token_auth[id-3cb5c1a1-3a8b-4bd2-9ee1-2ad0b3f6f1a0]": "success",
}
AFTER = {
    f"{SERVERS}.test_list_servers_renamed[id-{UUID},smoke]": "success",
    f"{SERVERS}.test_verify_server_details[id-5de47127-0000-400a-936f-abcfbec1218f]": "fail",
    f"{FLAVORS}.test_list_flavors[id-e36c0eaa-dff5-4082-ad1f-3f9a80aa3f59,smoke]": "skip",
    f"{FLAVORS}.test_get_flavor[id-1f12046b-753d-40d2-abb6-d8eb8b30cb2f]": "success",
    f"{TOKENS}.test_create_token[id-6f8e4436-fc96-4282-8122-e41df57197a9]": "fail",
}


def test_tests_match_by_uuid_and_each_change_has_its_kind() -> None:
    result = compare.compare(BEFORE, AFTER)
    regressed = {(c.test.split(".")[-1].split("[")[0], c.before, c.after) for c in result.regressed}
    assert regressed == {
        ("test_verify_server_details", "success", "fail"),
        ("test_list_flavors", "success", "skip"),
        ("test_token_auth", "success", compare.ABSENT),
    }
    assert [(c.test.split(".")[-1].split("[")[0]) for c in result.fixed] == ["test_get_flavor"]
    assert [(c.before, c.after) for c in result.other] == [("skip", "fail")]
    # The renamed test is the same test (its UUID), unchanged.
    assert result.unchanged == {"success": 1}
    assert not result.ok
    assert compare.compare(BEFORE, BEFORE).ok


def test_the_verb_writes_the_reports_and_fails_on_a_regression(
    sitectl: Any, tmp_path: Path
) -> None:
    before = _report(tmp_path / "before", BEFORE)
    after = _report(tmp_path / "after", AFTER)
    out = tmp_path / "compare"
    proc = sitectl("refstack", "compare", before, after, "--out", out)
    assert proc.returncode == 1, proc.stderr
    assert "RefStack before -> after: 3 regressions" in proc.stdout
    note = (out / "compare.md").read_text()
    assert "#### Passed before, not after (regressions) (3)" in note
    assert f"| `{SERVERS}.test_verify_server_details" in note
    data = json.loads((out / "compare.json").read_text())
    assert (
        data["ok"] is False and len(data["regressed"]) == 3 and data["unchanged"] == {"success": 1}
    )
    cases = list(ET.parse(out / "compare.junit.xml").getroot().iter("testcase"))
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert len(failed) == 4 and failed[0] == "6 tests compared"
    same = sitectl("refstack", "compare", before, before, "--out", out)
    assert same.returncode == 0, same.stderr
    assert "no regression" in (out / "compare.md").read_text()


def test_a_run_without_a_report_is_one_paragraph(sitectl: Any, tmp_path: Path) -> None:
    before = _report(tmp_path / "before", BEFORE)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "refstack.json").write_text("[1, 2]")
    for after, said in (
        (tmp_path / "missing", "give the --out directory of a `sitectl refstack run`"),
        (tmp_path / "broken", "is not Rally's JSON report"),
    ):
        proc = sitectl("refstack", "compare", before, after, "--out", tmp_path / "out")
        assert proc.returncode == 2
        assert said in proc.stderr and "Traceback" not in proc.stderr
        assert not (tmp_path / "out").exists()
