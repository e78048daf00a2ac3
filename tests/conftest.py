"""Fixtures shared by every test directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO

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
    # One schema virtualenv (sitectl.schema) for this repository and every copy the tests
    # make of it: the same pins make the same virtualenv.
    os.environ["SITECTL_SCHEMA_CACHE"] = str(REPO / ".cache" / "sitectl" / "schema")


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
