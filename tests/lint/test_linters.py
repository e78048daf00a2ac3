"""The repository passes its linters: yamllint over all YAML, ansible-lint over ansible/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / command[0]), *command[1:]],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def test_yamllint_is_clean() -> None:
    result = run("yamllint", "--strict", "--format", "parsable", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_yamllint_config_reports_a_broken_file(tmp_path: Path) -> None:
    """The repository's yamllint settings still catch a syntax error."""
    broken = tmp_path / "broken.yml"
    broken.write_text("---\nkey: [unclosed\n")
    result = run("yamllint", "-c", str(REPO / ".yamllint"), "--format", "parsable", str(broken))
    assert result.returncode != 0
    assert "broken.yml" in result.stdout


def test_ansible_lint_is_clean() -> None:
    result = run("ansible-lint", "--offline", "--nocolor", "ansible/")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_python_is_ruff_clean() -> None:
    config = str(REPO / "tools" / "pyproject.toml")
    lint = run("ruff", "check", "--config", config, "tools", "tests")
    assert lint.returncode == 0, lint.stdout[-4000:]
    formatting = run("ruff", "format", "--check", "--config", config, "tools", "tests")
    assert formatting.returncode == 0, formatting.stdout[-4000:]


def test_pipeline_matches_gitlab_schema() -> None:
    result = run(
        "check-jsonschema",
        "--builtin-schema",
        "vendor.gitlab-ci",
        "--data-transform",
        "gitlab-ci",
        ".gitlab-ci.yml",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_readme_test_command() -> None:
    """A fresh machine that follows the README runs what CI runs."""
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "tools/sitectl test\n" in readme
    assert "exec tools/sitectl test\n" in ci
