"""The repository passes its linters, run as the lint job runs them (sitectl lint), and the
lint verb reports what it finds."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from sitectl.lint import CHECKS, Result, run_checks
from tests.containers import ensure_installed
from tests.helpers import REPO

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def results() -> dict[str, Result]:
    ensure_installed({"promtool": "prometheus"})  # the alerts check's, as on the lint runner
    return {r.check: r for r in run_checks(REPO, list(CHECKS))}


@pytest.mark.parametrize("check", list(CHECKS))
def test_the_repository_is_clean(results: dict[str, Result], check: str) -> None:
    assert results[check].passed, results[check].output


def test_yamllint_config_reports_a_broken_file(tmp_path: Path) -> None:
    """The repository's yamllint settings still catch a syntax error."""
    broken = tmp_path / "broken.yml"
    broken.write_text("---\nkey: [unclosed\n")
    result = subprocess.run(
        [str(BIN / "yamllint"), "-c", str(REPO / ".yamllint"), "--format", "parsable", broken],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "broken.yml" in result.stdout


def test_the_verb_fails_and_says_where_in_junit(tmp_path: Path, sitectl: Callable) -> None:
    site = tmp_path / "site"
    (site / "etc" / "kayobe").mkdir(parents=True)
    shutil.copy(REPO / ".yamllint", site / ".yamllint")
    (site / "etc" / "kayobe" / "broken.yml").write_text("---\nkey: [unclosed\n")
    (site / ".gitlab-ci.yml").write_text("---\njob:\n  script: 42\n")  # not a list of strings
    junit = tmp_path / "lint.xml"
    result = sitectl("--repo", site, "lint", "yaml", "pipeline", "--junit", junit)
    assert result.returncode == 1, result.stderr
    assert "broken.yml" in result.stderr
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    assert set(cases) == {"yaml", "pipeline"}
    for case in cases.values():
        failure = case.find("failure")
        assert failure is not None and failure.text
    assert "etc/kayobe/broken.yml" in cases["yaml"].find("failure").text


def test_a_stale_tag_variable_table_fails_lint(tmp_path: Path, sitectl: Callable) -> None:
    """After a kolla-ansible upgrade (here: a hand edit) the table no longer matches."""
    site = tmp_path / "site"
    (site / "etc" / "kayobe").mkdir(parents=True)
    table = (REPO / "etc" / "kayobe" / "kolla-image-tag-variables.yml").read_text()
    stale = table.replace("  keystone_api_tag: keystone-api\n", "").replace(
        "nova_api_tag: nova-api", "nova_api_tag: nova-compute"
    )
    (site / "etc" / "kayobe" / "kolla-image-tag-variables.yml").write_text(
        stale + "  gone_tag: gone\n"
    )
    result = sitectl("--repo", site, "lint", "tag-variables")
    assert result.returncode == 1, result.stderr
    for problem in (
        "keystone_api_tag (keystone-api): missing",
        "nova_api_tag: tags nova-api, not nova-compute",
        "gone_tag: not a tag variable of the installed kolla-ansible",
    ):
        assert problem in result.stderr


def test_an_import_across_the_layers_fails_lint(tmp_path: Path, sitectl: Callable) -> None:
    """A core module importing the command line, and a feature reaching into another's
    internals, each break a contract."""
    site = tmp_path / "site"
    (site / "etc" / "kayobe").mkdir(parents=True)
    shutil.copytree(REPO / "tools", site / "tools", ignore=shutil.ignore_patterns("*.egg-info"))
    core = site / "tools" / "src" / "sitectl" / "files.py"
    core.write_text(core.read_text() + "\nfrom sitectl.verbs import Context  # noqa\n")
    feature = site / "tools" / "src" / "sitectl" / "diff" / "problems.py"
    feature.write_text(feature.read_text() + "\nfrom sitectl.render.cache import FORMAT  # noqa\n")
    result = sitectl("--repo", site, "lint", "imports")
    assert result.returncode == 1, result.stderr
    assert "command line > features > core BROKEN" in result.stderr
    assert "sitectl.files -> sitectl.verbs" in result.stderr
    assert "render: internals are its own BROKEN" in result.stderr
    assert "sitectl.diff.problems -> sitectl.render.cache" in result.stderr


def test_an_unknown_check_is_one_clear_error(sitectl: Callable) -> None:
    result = sitectl("lint", "spelling")
    assert result.returncode == 2
    assert (
        "no lint check 'spelling'; the checks are: yaml, ansible, python, imports, pipeline, "
        in (result.stderr)
    )
    assert "Traceback" not in result.stderr


def test_ci_runs_the_readme_test_command() -> None:
    """A fresh machine that follows the README runs what CI runs."""
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "tools/sitectl test\n" in readme
    assert "exec tools/sitectl test\n" in ci
