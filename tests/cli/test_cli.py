"""The CLI: verbs on a synthetic repository, and every expected failure as one clean paragraph."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sitectl import cli
from sitectl.errors import SiteError
from sitectl.verbs import Context, Verb
from sitectl.verbs.setup import rebuild
from tests.synthetic import add_env, make_repo, vault_variable

if TYPE_CHECKING:
    from conftest import RunSitectl


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo")
    add_env(repo, "site", ["ironic", "sriov"], readme="# Site\n\nThe example site.\n")
    add_env(repo, "ironic", readme="Bare metal.\n")
    add_env(repo, "sriov", files={"s.yml": vault_variable("sriov_secret", "vf-secret", "pw")})
    return repo


def assert_clean_failure(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    """Exit 2, nothing on stdout, one `sitectl: error:` paragraph on stderr, no traceback."""
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("sitectl: error: ")
    assert result.stderr.count("sitectl: error:") == 1
    assert "Traceback" not in result.stderr
    for phrase in phrases:
        assert phrase in result.stderr


def test_envs_text(sitectl: RunSitectl, repo: Path) -> None:
    result = sitectl("--repo", repo, "envs")
    assert result.returncode == 0, result.stderr
    assert "site\n  depends on  ironic, sriov\n  layering    ironic -> sriov -> site\n" in (
        result.stdout
    )
    assert "kayobe applies ironic, sriov in no fixed order" in result.stdout
    assert "  summary     The example site." in result.stdout


def test_envs_without_environments_says_why(sitectl: RunSitectl, tmp_path: Path) -> None:
    bare = make_repo(tmp_path / "bare")
    for directory in (bare / "environments", bare / "etc" / "kayobe" / "environments"):
        if directory.is_symlink() or directory.is_file():
            directory.unlink()
        elif directory.is_dir():
            shutil.rmtree(directory)
    result = sitectl("--repo", bare, "envs")
    assert result.returncode == 0, result.stderr
    assert "no environments (it has no environments directory)" in result.stdout
    (bare / "environments").mkdir()
    assert "environments is empty" in sitectl("--repo", bare, "envs").stdout


def test_envs_json(sitectl: RunSitectl, repo: Path) -> None:
    result = sitectl("--repo", repo, "envs", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["site"] == {
        "name": "site",
        "path": "environments/site",
        "dependencies": ["ironic", "sriov"],
        "layering": ["ironic", "sriov", "site"],
        "unordered": [["ironic", "sriov"]],
        "summary": "The example site.",
    }
    assert rows["ironic"]["summary"] == "Bare metal."


def test_repo_is_found_upwards_from_the_working_directory(sitectl: RunSitectl, repo: Path) -> None:
    result = sitectl("envs", "--format", "json", cwd=repo / "environments" / "site")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 3


def test_launcher_repo_variable_is_the_default(
    sitectl: RunSitectl, repo: Path, tmp_path: Path
) -> None:
    result = sitectl("envs", cwd=tmp_path, env={"SITECTL_REPO": str(repo)})
    assert result.returncode == 0, result.stderr


def test_outside_any_repository(sitectl: RunSitectl, tmp_path: Path) -> None:
    assert_clean_failure(sitectl("envs", cwd=tmp_path), "no Kayobe configuration repository")


def test_repo_option_that_is_not_a_repository(sitectl: RunSitectl, tmp_path: Path) -> None:
    assert_clean_failure(sitectl("--repo", tmp_path, "envs"), "is not a Kayobe configuration")


def test_show_unknown_environment(sitectl: RunSitectl, repo: Path) -> None:
    assert_clean_failure(
        sitectl("--repo", repo, "show", "nope"),
        "unknown environment 'nope'",
        "ironic, site, sriov",
    )


def test_show_without_vault_password(sitectl: RunSitectl, repo: Path) -> None:
    """The advice fits the repository: this one ignores no .vault-password and has no
    example password, so sitectl says so instead of pointing at files it does not have."""
    result = sitectl("--repo", repo, "show", "site")
    assert_clean_failure(
        result, "no vault password was given", "does not git-ignore it: add /.vault-password"
    )
    assert "vault-password.example" not in result.stderr
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("/.vault-password\n")
    (repo / "ci").mkdir()
    (repo / "ci" / "vault-password.example").write_text("example\n")
    assert_clean_failure(
        sitectl("--repo", repo, "show", "site"),
        "(git-ignored here, yours only)",
        "--vault-password-file ci/vault-password.example",
    )


def test_show_with_wrong_vault_password(sitectl: RunSitectl, repo: Path, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("not-pw")
    assert_clean_failure(
        sitectl("--repo", repo, "--vault-password-file", tmp_path / "pw", "show", "site"),
        "does not decrypt",
        "(key sriov_secret)",
    )


def test_broken_dependency_declaration(sitectl: RunSitectl, repo: Path) -> None:
    (repo / "environments" / "site" / ".kayobe-environment").write_text("dependencies: [a\n")
    assert_clean_failure(sitectl("--repo", repo, "envs"), ".kayobe-environment is not valid YAML")


def test_cycle(sitectl: RunSitectl, repo: Path) -> None:
    add_env(repo, "ironic", ["site"])
    assert_clean_failure(sitectl("--repo", repo, "envs"), "form a cycle")


def test_usage_errors_exit_2(sitectl: RunSitectl, repo: Path) -> None:
    result = sitectl("--repo", repo, "show", "site", "--host", "a", "--hosts", "b")
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr
    assert sitectl("--repo", repo, "frobnicate").returncode == 2


def test_setup_shows_the_toolchain(sitectl: RunSitectl, repo: Path) -> None:
    result = sitectl("--repo", repo, "setup")
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert set(lines) == {"python", "kayobe", "kolla-ansible", "kolla", "ansible-core", "venv"}
    assert lines["python"].endswith(f"({sys.executable})")
    assert lines["kayobe"] == "21.0.0"


def test_setup_force_refuses_a_venv_it_did_not_make(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="not a virtualenv made by sitectl"):
        rebuild(tmp_path, tmp_path / "some-venv")


def test_interrupt_exits_130(
    monkeypatch: pytest.MonkeyPatch, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(ctx: Context, args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "VERBS", (Verb("wait", "waits", lambda parser: None, interrupted),))
    assert cli.main(["--repo", str(repo), "wait"]) == 130
    assert capsys.readouterr().err == "sitectl: interrupted\n"


def test_error_details_are_indented_under_the_paragraph(
    monkeypatch: pytest.MonkeyPatch, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def failing(ctx: Context, args: argparse.Namespace) -> int:
        raise SiteError("it broke.", details=["first", "", "second"])

    monkeypatch.setattr(cli, "VERBS", (Verb("fail", "fails", lambda parser: None, failing),))
    assert cli.main(["--repo", str(repo), "fail"]) == 2
    assert capsys.readouterr().err == "sitectl: error: it broke.\n    first\n\n    second\n"
