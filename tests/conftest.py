"""Fixtures shared by every test directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO

TESTS = Path(__file__).parent
# The suite runs on pytest-xdist's workers (tests/pytest.ini), one test folder to a worker at a
# time (the scheduler below): a folder's session fixtures are made once, by the worker that
# runs it. Folders that share a server only one process may run share a group: one container
# engine (its state under .cache/test-engine) serves the image, host-check and molecule tests.
GROUPS = {
    "images": "container-engine",
    "hostcheck": "container-engine",
    "molecule": "container-engine",
}
# The groups that take longest first (minutes on an idle 2-core machine, from the README's
# per-folder table), so that the workers finish together; the rest follow in name order.
LONGEST_FIRST = (
    "container-engine",  # 26
    "options",  # 18
    "diff",  # 13
    "shapes",  # 11
    "render",  # 7
    "validate",  # 6
    "pipeline",  # 4
    "pulp",  # 3
    "refstack",  # 2
    "config",  # 2
)

# The operator's settings that would make a test depend on the shell it runs in.
OPERATOR_VARIABLES = (
    "SITECTL_REPO",
    "SITECTL_PYTHON",
    "SITECTL_VENV",
    "KAYOBE_VAULT_PASSWORD",
    "KAYOBE_VAULT_PASSWORD_FILE",
    "KAYOBE_CONFIG_PATH",
    "KAYOBE_ENVIRONMENT",
    "ANSIBLE_VAULT_PASSWORD_FILE",
    "DOCKER_HOST",
    "SITECTL_QUIET",
    "SITECTL_DEBUG",
)

# What a CI job (GitLab's own variables, the pipeline's secrets) would leak into the tests:
# `sitectl test` inside an MR pipeline must not make a test think it runs in that MR.
JOB_VARIABLE_PREFIXES = ("CI_", "GITLAB_", "SITECTL_GITLAB_", "KOLLA_REGISTRY_", "AIO_IMAGES_")
JOB_VARIABLES = ("PINS_PUSH_TOKEN", "GITLAB_CI", "CI")

RunSitectl = Callable[..., "subprocess.CompletedProcess[str]"]


def _inherited(name: str) -> bool:
    return (
        name in OPERATOR_VARIABLES
        or name in JOB_VARIABLES
        or name.startswith(JOB_VARIABLE_PREFIXES)
    )


def pytest_configure(config: pytest.Config) -> None:
    """The whole run (session fixtures included) starts without the operator's or the CI
    job's settings; a test that needs one sets it itself."""
    for name in [n for n in os.environ if _inherited(n)]:
        del os.environ[name]


def group(nodeid: str) -> str:
    """The group of a test (its node id is relative to tests/): its folder's, or the shared
    one its folder belongs to."""
    folder = nodeid.split("/", 1)[0] if "/" in nodeid else "."
    return GROUPS.get(folder, folder)


def _rank(item: pytest.Item) -> tuple[int, str]:
    name = group(item.nodeid)
    return (LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST), name)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest groups first (the order within a group kept)."""
    items.sort(key=_rank)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """xdist's scope scheduler with a group for a scope: each group goes to one worker whole,
    in collection order (xdist's own `loadgroup` needs node ids pytest 9 no longer lets a
    plugin rename)."""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group(nodeid)

    return GroupScheduling(config, log)


# Seconds spent per test folder (set-up, call and tear-down of its tests), for the summary.
FOLDER_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    folder = report.nodeid.split("/", 1)[0] if "/" in report.nodeid else report.nodeid
    FOLDER_SECONDS[folder] = FOLDER_SECONDS.get(folder, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Where the time went, per test folder (the README's table is made from this)."""
    if not FOLDER_SECONDS or hasattr(terminalreporter.config, "workerinput"):
        return
    terminalreporter.section("seconds per test folder")
    total = sum(FOLDER_SECONDS.values())
    for folder, seconds in sorted(FOLDER_SECONDS.items(), key=lambda kv: -kv[1]):
        terminalreporter.write_line(f"{seconds:8.1f}  {folder}")
    terminalreporter.write_line(f"{total:8.1f}  (all folders; the workers ran in parallel)")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The root of this repository."""
    return REPO


def clean_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """os.environ without the operator's sitectl/kayobe settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not _inherited(k)}
    env.update(extra or {})
    return env


def run_sitectl(
    *args: object,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """`python -m sitectl ARGS` in a subprocess with this (the toolchain's) python, in a clean
    environment plus `env`, from `cwd` (default: the repository root); text, captured."""
    return subprocess.run(
        [sys.executable, "-m", "sitectl", *map(str, args)],
        cwd=cwd or REPO,
        env=clean_environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


@pytest.fixture
def sitectl() -> RunSitectl:
    """run_sitectl, as a fixture: keyword arguments cwd, env, timeout."""
    return run_sitectl


@pytest.fixture(scope="session")
def example_site_mixins() -> Path:
    """example-site rendered for the services its Scientific mixins add (monitoring: Prometheus
    and Grafana; blazar; magnum), once a session through the repository's render cache."""
    from sitectl.render import render

    return render(
        REPO,
        "example-site",
        services=["prometheus", "grafana", "blazar", "magnum"],
        vault_password_file=EXAMPLE_PASSWORD_FILE,
    )
