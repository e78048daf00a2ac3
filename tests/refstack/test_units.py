"""RefStack lists, normalisation, skip/xfail lists and the summary, on the repository's own
small guideline fixture (ci/refstack/guideline-fixture.json) and made-up test ids."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sitectl.errors import SiteError
from sitectl.refstack import guideline, lists, normalise, summary, tempestconf
from tests.helpers import REPO

FIXTURE = REPO / "ci" / "refstack" / "guideline-fixture.json"
REAL_GUIDELINE = REPO / "ci" / "refstack" / "guidelines" / "2020.06.json"

DISCOVERY = "tempest.api.identity.v3.test_api_discovery.TestApiDiscovery"
RESOURCES_UUID = "b9232f5e-d9e5-4d97-b96c-28d3db4de1bd"
TOKENS = "tempest.api.identity.v3.test_tokens.TokensV3Test"
# What the verifier lists: exact ids, some with more attributes than a guideline's line.
VERIFIER = [
    f"{DISCOVERY}.test_api_version_resources[id-{RESOURCES_UUID},smoke]",
    f"{DISCOVERY}.test_api_media_types[id-657c1970-4722-4189-8831-7325f3bc4265,smoke]",
    f"{TOKENS}.test_create_token[id-6f8e4436-fc96-4282-8122-e41df57197a9]",
    "tempest.api.compute.test_x.T.test_no_uuid",
]


@pytest.fixture
def data() -> dict[str, Any]:
    return guideline.load(FIXTURE)


# --- guideline parsing ------------------------------------------------------------------


def test_platform_requires_the_union_of_its_components_once(data: dict[str, Any]) -> None:
    selection = guideline.select(data, "platform")
    assert selection.target == "OpenStack Powered Platform"
    assert selection.capabilities == (
        "compute-flavors-list",
        "identity-v3-api-discovery",
        "identity-v3-catalog",
        "identity-v3-list-projects",
        "identity-v3-tokens-create",
        "identity-v3-tokens-delete",
        "objectstore-container-list",
    )
    # advisory capabilities are not required
    assert "identity-v3-tokens-validate" not in selection.capabilities


def test_flagged_tests_are_left_out_and_reported(data: dict[str, Any]) -> None:
    selection = guideline.select(data, "compute")
    names = [t.name for t in selection.tests]
    assert not any("test_list_projects_returns_only_authorized" in n for n in names)
    assert [t.capability for t in selection.flagged] == ["identity-v3-list-projects"]
    assert selection.flagged[0].uuid == "86128d46-e170-4644-866a-cc487f699e1d"


def test_component_keeps_only_its_capabilities(data: dict[str, Any]) -> None:
    selection = guideline.select(data, "platform", "identity")
    assert all(c.startswith("identity-") for c in selection.capabilities)
    assert len(selection.tests) == 6
    storage = guideline.select(data, "object", "identity")
    assert storage.capabilities == ("identity-v3-tokens-create", "identity-v3-tokens-delete")


def test_list_lines_keep_guideline_names_and_aliases(data: dict[str, Any]) -> None:
    selection = guideline.select(data, "compute", "identity")
    text = guideline.render_list(selection)
    lines = text.splitlines()
    assert lines[0] == (
        f"tempest.api.identity.v3.TestApiDiscovery.test_api_version_resources[id-{RESOURCES_UUID}]"
    )
    assert selection.tests[0].aliases == (f"{DISCOVERY}.test_api_version_resources",)
    assert len(lines) == len(set(lines)) == 5
    assert text.endswith("\n")


def test_full_name_of_a_platform_works_and_unknown_target_is_an_error(
    data: dict[str, Any],
) -> None:
    assert guideline.select(data, "OpenStack Powered Storage").target == (
        "OpenStack Powered Storage"
    )
    with pytest.raises(SiteError, match="target 'nope' is not in this guideline"):
        guideline.select(data, "nope")
    with pytest.raises(SiteError, match="no 'volumes-\\*' capability"):
        guideline.select(data, "compute", "volumes")


def test_other_schemas_and_broken_files_are_refused(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"schema": "1.6", "capabilities": {}}))
    with pytest.raises(SiteError, match="schema"):
        guideline.load(old)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(SiteError, match="is not JSON"):
        guideline.load(broken)
    with pytest.raises(SiteError, match="cannot read"):
        guideline.load(tmp_path / "absent.json")


def test_the_real_2020_06_guideline() -> None:
    real = REPO / "ci" / "refstack" / "guidelines" / "2020.06.json"
    selection = guideline.select(guideline.load(real), "compute", "identity")
    assert selection.guideline == "2020.06"
    assert len(selection.tests) == 7
    assert len(selection.flagged) == 1


# --- normalisation ----------------------------------------------------------------------


def test_split_reads_uuid_and_other_attributes() -> None:
    assert normalise.split(f"a.b.test_c[id-{RESOURCES_UUID.upper()},smoke,slow]") == (
        "a.b.test_c",
        RESOURCES_UUID,
        ("smoke", "slow"),
    )
    assert normalise.split("a.b.test_c") == ("a.b.test_c", None, ())
    assert normalise.split("  a.b.test_c[smoke]  ") == ("a.b.test_c", None, ("smoke",))


def test_lines_become_exact_ids_by_uuid_even_under_other_names() -> None:
    index = normalise.Index(VERIFIER)
    result = index.normalise(
        [
            # a guideline's older name: the UUID decides
            f"tempest.api.identity.v3.TestApiDiscovery.test_api_version_resources[id-{RESOURCES_UUID}]",
            f"{TOKENS}.test_create_token[id-6f8e4436-fc96-4282-8122-e41df57197a9]",
        ]
    )
    assert result.tests == [VERIFIER[0], VERIFIER[2]]
    assert result.unmatched == []


def test_names_without_uuid_match_by_name_or_alias() -> None:
    index = normalise.Index(VERIFIER)
    aliases = {"old.module.Disc.test_api_media_types": [f"{DISCOVERY}.test_api_media_types"]}
    result = index.normalise(
        ["tempest.api.compute.test_x.T.test_no_uuid", "old.module.Disc.test_api_media_types"],
        aliases,
    )
    assert result.tests == [VERIFIER[3], VERIFIER[1]]


def test_duplicates_are_listed_once_and_reported() -> None:
    index = normalise.Index(VERIFIER)
    lines = [
        f"{DISCOVERY}.test_api_version_resources[id-{RESOURCES_UUID}]",
        f"{DISCOVERY}.test_api_version_resources[id-{RESOURCES_UUID},smoke]",
        f"other.name.for.it[id-{RESOURCES_UUID}]",
    ]
    result = index.normalise(lines)
    assert result.tests == [VERIFIER[0]]
    assert result.duplicates == lines[1:]
    assert set(result.by_line) == set(lines)


def test_a_line_matching_nothing_is_reported_not_dropped() -> None:
    index = normalise.Index(VERIFIER)
    gone = "tempest.api.gone.T.test_gone[id-00000000-0000-0000-0000-000000000000]"
    result = index.normalise([gone, VERIFIER[2]])
    assert result.unmatched == [gone]
    assert result.tests == [VERIFIER[2]]


def test_list_files_ignore_comments_and_blank_lines() -> None:
    text = "# a RefStack list\n\na.b.test_c[id-x]  # why\n  d.e.test_f\n"
    assert normalise.read_lines(text) == ["a.b.test_c[id-x]", "d.e.test_f"]


# --- skip and xfail lists ----------------------------------------------------------------


def test_entries_need_reasons(tmp_path: Path) -> None:
    path = tmp_path / "skip.yaml"
    path.write_text(f"{VERIFIER[2]}: ''\n{VERIFIER[1]}: fine\nd.e.test_f:\n")
    with pytest.raises(SiteError, match="every entry needs a reason") as error:
        lists.load(path)
    assert error.value.details == (VERIFIER[2], "d.e.test_f")


def test_entries_resolve_by_uuid_and_unknown_ones_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "xfail.yaml"
    path.write_text(
        "# known failures\n"
        f"some.old.name[id-{RESOURCES_UUID}]: bug 123\n"
        "tempest.api.gone.T.test_gone: removed upstream\n"
    )
    entries = lists.load(path)
    assert [e.reason for e in entries] == ["bug 123", "removed upstream"]
    resolved, unmatched = lists.resolve(entries, normalise.Index(VERIFIER))
    assert resolved == {VERIFIER[0]: "bug 123"}
    assert unmatched == ["tempest.api.gone.T.test_gone"]


def test_absent_empty_and_malformed_lists(tmp_path: Path) -> None:
    assert lists.load(tmp_path / "absent.yaml") == []
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n{}\n")
    assert lists.load(empty) == []
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("- a.b.test_c\n")
    with pytest.raises(SiteError, match="mapping of test -> reason"):
        lists.load(wrong)


def test_the_committed_lists_load() -> None:
    for name in ("skip-list.yaml", "xfail-list.yaml"):
        lists.load(REPO / "ci" / "refstack" / name)


# --- summary --------------------------------------------------------------------------


def make_summary() -> summary.Summary:
    capability_of_uuid = {
        RESOURCES_UUID: "identity-v3-api-discovery",
        "657c1970-4722-4189-8831-7325f3bc4265": "identity-v3-api-discovery",
        "6f8e4436-fc96-4282-8122-e41df57197a9": "identity-v3-tokens-create",
    }
    results = {VERIFIER[0]: "success", VERIFIER[1]: "xfail", VERIFIER[2]: "fail"}
    return summary.summarise(
        "RefStack fixture", results, VERIFIER[:3], capability_of_uuid, ["x.y.test_gone"]
    )


def test_summary_counts_per_capability() -> None:
    result = make_summary()
    assert result.counts["identity-v3-api-discovery"] == Counter(success=1, xfail=1)
    assert result.counts["identity-v3-tokens-create"] == Counter(fail=1)
    assert result.failed == [VERIFIER[2]]
    assert not result.ok


def test_summary_rendering() -> None:
    text = summary.render(make_summary())
    lines = text.splitlines()
    assert lines[0] == "RefStack fixture"
    assert lines[1].split() == ["capability", "passed", "failed", "skipped", "xfail"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[3:6]}
    assert rows["identity-v3-api-discovery"] == ["1", "0", "0", "1"]
    assert rows["identity-v3-tokens-create"] == ["0", "1", "0", "0"]
    assert next(line for line in lines if line.startswith("total")).split()[1:] == [
        "1",
        "1",
        "0",
        "1",
    ]
    assert "unexpected failures: 1" in text
    assert f"  {VERIFIER[2]}" in lines
    assert "list lines matching no tempest test: 1" in text
    assert lines[-1] == "result: FAIL"


def test_unexpected_success_is_shown_but_does_not_fail() -> None:
    result = summary.summarise("t", {VERIFIER[0]: "uxsuccess"}, [VERIFIER[0]], {})
    assert result.ok
    text = summary.render(result)
    assert "unexpected successes (drop their xfail entries): 1" in text
    assert "(not in the guideline)" in text
    assert text.splitlines()[-1] == "result: PASS"


def test_a_listed_test_without_a_result_fails() -> None:
    result = summary.summarise("t", {}, [VERIFIER[0]], {})
    assert result.not_run == [VERIFIER[0]]
    assert not result.ok


def test_statuses_from_rallys_json_report() -> None:
    report = {
        "verifications": {"u": {}},
        "tests": {VERIFIER[0]: {"by_verification": {"u": {"status": "success"}}}},
    }
    assert summary.statuses(report) == {VERIFIER[0]: "success"}


# --- tempest.conf overrides -------------------------------------------------------------


def test_overrides_win_over_discovered_values(tmp_path: Path) -> None:
    conf = tmp_path / "tempest.conf"
    conf.write_text("[DEFAULT]\ndebug = true\n[service_available]\nswift = False\nnova = False\n")
    extra = tmp_path / "o.conf"
    extra.write_text("[service_available]\nswift = True\n[compute]\nflavor_ref = 42\n")
    assert tempestconf.apply_overrides(conf, [extra]) == [
        "service_available.swift",
        "compute.flavor_ref",
    ]
    text = conf.read_text()
    assert "swift = True" in text
    assert "nova = False" in text
    assert "flavor_ref = 42" in text
    assert conf.stat().st_mode & 0o077 == 0
    with pytest.raises(SiteError, match="does not exist"):
        tempestconf.apply_overrides(conf, [tmp_path / "absent.conf"])


# --- the list verb ---------------------------------------------------------------------


def test_list_verb_writes_the_list(sitectl: Any, tmp_path: Path) -> None:
    out = tmp_path / "refstack.txt"
    result = sitectl(
        "refstack", "list", "--guideline", FIXTURE, "--target", "compute", "--out", out
    )
    assert result.returncode == 0, result.stderr
    assert len(out.read_text().splitlines()) == 6
    assert "flagged, left out" in result.stderr


def test_without_a_guideline_the_shipped_one_is_used_and_named(
    sitectl: Any, tmp_path: Path
) -> None:
    shipped = sitectl("refstack", "list", "--target", "compute")
    given = sitectl("refstack", "list", "--guideline", REAL_GUIDELINE, "--target", "compute")
    assert shipped.returncode == 0, shipped.stderr
    assert shipped.stdout == given.stdout and shipped.stdout.count("\n") > 100
    assert shipped.stderr.startswith(
        "[refstack] no --guideline: using the shipped ci/refstack/guidelines/2020.06.json\n"
    )
    repo = tmp_path / "repo"
    (repo / "etc" / "kayobe").mkdir(parents=True)
    none = sitectl("--repo", repo, "refstack", "list")
    assert none.returncode == 2
    assert "the repository ships none under ci/refstack/guidelines/" in none.stderr


def test_list_verb_errors_are_one_paragraph(sitectl: Any, tmp_path: Path) -> None:
    result = sitectl("refstack", "list", "--guideline", tmp_path / "absent.json")
    assert result.returncode == 2
    assert result.stderr.startswith("sitectl: error: cannot read the guideline")
    assert "Traceback" not in result.stderr


def test_run_with_an_unknown_cloud_is_one_paragraph(sitectl: Any, tmp_path: Path) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(
        "clouds:\n  other:\n    auth: {auth_url: 'http://127.0.0.1:1/v3', password: s3cr3t}\n"
    )
    result = sitectl(
        *("refstack", "run", "--cloud", "nope", "--clouds-yaml", clouds),
        *("--guideline", FIXTURE, "--reports", tmp_path / "reports"),
    )
    assert result.returncode == 2
    assert result.stderr.startswith("sitectl: error: no usable cloud 'nope'")
    assert "Traceback" not in result.stderr
    assert "s3cr3t" not in result.stderr + result.stdout
