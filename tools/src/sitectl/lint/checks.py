"""The lint checks: each runs a real linter from the toolchain and keeps its verdict."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitectl.lint import pipelines
from sitectl.progress import step
from sitectl.repo import venv_bin

RUFF_CONFIG = Path("tools", "pyproject.toml")
PYTHON_TREES = ("tools", "tests", "ansible", "etc/kayobe/ansible/filter_plugins")
OUTPUT_TAIL = 8000  # characters of a failing linter's output kept for the report


@dataclass(frozen=True)
class Result:
    check: str
    passed: bool
    command: str
    output: str
    seconds: float


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    commands: Callable[[Path], list[list[str]]]  # the linter runs (relative to the repo)


def _yaml(repo: Path) -> list[list[str]]:
    return [["yamllint", "--strict", "--format", "parsable", "."]]


def _ansible(repo: Path) -> list[list[str]]:
    return [["ansible-lint", "--offline", "--nocolor", "ansible/"]]


def _python(repo: Path) -> list[list[str]]:
    config = ["--config", str(RUFF_CONFIG)]
    return [
        ["ruff", "check", *config, *PYTHON_TREES],
        ["ruff", "format", "--check", *config, *PYTHON_TREES],
    ]


def _imports(repo: Path) -> list[list[str]]:
    return [["lint-imports", "--config", str(RUFF_CONFIG), "--no-cache"]]


def _pipeline(repo: Path) -> list[list[str]]:
    schema = ["--builtin-schema", "vendor.gitlab-ci", "--data-transform", "gitlab-ci"]
    return [["check-jsonschema", *schema, *map(str, pipelines.files(repo))]]


def _alerts(repo: Path) -> list[list[str]]:
    return [["python", "-m", "sitectl.lint.alerts", "."]]


def _tag_variables(repo: Path) -> list[list[str]]:
    return [["python", "-m", "sitectl", "--repo", ".", "images", "tag-variables", "--check"]]


CHECKS: dict[str, Check] = {
    check.name: check
    for check in (
        Check("yaml", "yamllint --strict over all YAML", _yaml),
        Check("ansible", "ansible-lint --offline over ansible/", _ansible),
        Check("python", "ruff check and ruff format --check", _python),
        Check("imports", "import-linter's layer contracts over tools/src/sitectl", _imports),
        Check("pipeline", "the GitLab pipeline files against GitLab's schema", _pipeline),
        Check("alerts", "promtool check and test of the site's Prometheus alert rules", _alerts),
        Check(
            "tag-variables",
            "kolla-image-tag-variables.yml against the installed kolla-ansible",
            _tag_variables,
        ),
    )
}


def run_checks(repo: Path, names: Sequence[str]) -> list[Result]:
    return [run_check(repo, CHECKS[name]) for name in names]


def run_check(repo: Path, check: Check) -> Result:
    started = time.monotonic()
    outputs, passed, shown = [], True, []
    # The checked repository's own sitectl, not the toolchain's installed one.
    env = {**os.environ, "PYTHONPATH": str(repo / "tools" / "src")}
    with step("lint", f"{check.name}: {check.description}"):
        for command in check.commands(repo):
            shown.append(" ".join(command))
            proc = subprocess.run(
                [str(venv_bin() / command[0]), *command[1:]],
                cwd=repo,
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                env=env,
                check=False,
            )
            passed = passed and proc.returncode == 0
            if proc.returncode != 0:
                outputs.append(f"$ {' '.join(command)}\n{proc.stdout}{proc.stderr}".strip())
    return Result(
        check=check.name,
        passed=passed,
        command=" && ".join(shown),
        output="\n\n".join(outputs)[-OUTPUT_TAIL:],
        seconds=round(time.monotonic() - started, 1),
    )
