"""The pipeline under gitlab-ci-local: the tool (installed by this set-up, with rsync), and
throwaway projects with one change each, shared by the tests of this directory."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitectl import gitlab_local, machine_cache
from sitectl.diff import demo
from tests.containers import ensure_installed
from tests.pipeline import clone
from tests.releases import pin_previous

NEUTRON_SERVER = "kolla-images/templates/neutron-server.j2"


def install_rsync() -> None:
    """gitlab-ci-local copies files with rsync: install it here when missing (as root, from
    Debian's packages); without root, ensure() says what to install."""
    if shutil.which("rsync") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    quiet = {
        "capture_output": True,
        "check": False,
        "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    }
    if subprocess.run(["apt-get", "install", "-y", "-q", "rsync"], **quiet).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], **quiet)
        subprocess.run(["apt-get", "install", "-y", "-q", "rsync"], **quiet)


@pytest.fixture(scope="session")
def gcl() -> gitlab_local.Tool:
    install_rsync()
    ensure_installed({"promtool": "prometheus"})  # the lint job's alerts check
    return gitlab_local.ensure()


@dataclass(frozen=True)
class Project:
    work: Path
    branch: str
    tool: gitlab_local.Tool

    def run(
        self,
        kind: str,
        *jobs: str,
        variables: Mapping[str, str] | None = None,
        file: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run jobs as a pipeline of `kind` would (gitlab-ci-local, shell executor)."""
        arguments = [*gitlab_local.pipeline_arguments(kind, "main", runner(variables)), *jobs]
        return gitlab_local.gitlab_ci_local(
            self.tool,
            self.work,
            arguments,
            file=Path(file) if file else None,
            env=clone.job_environment(),
            timeout=1800,
        )

    def jobs(
        self, kind: str, variables: Mapping[str, str] | None = None, file: str | None = None
    ) -> dict[str, gitlab_local.Job]:
        listed = gitlab_local.jobs(
            self.tool,
            self.work,
            kind,
            file=Path(file) if file else None,
            variables=runner(variables),
            env=clone.job_environment(),
        )
        return {job.name: job for job in listed}


def runner(variables: Mapping[str, str] | None) -> dict[str, str]:
    """A job's variables on this test runner: its machine cache is this machine's (the
    pipeline's own, in the project directory, would install the schemas in every project)."""
    return {"SITECTL_CACHE": str(machine_cache.root()), **(variables or {})}


def _make(
    factory: pytest.TempPathFactory, tool: gitlab_local.Tool, branch: str, change: clone.Change
) -> Project:
    return Project(clone.project(factory.mktemp(branch), branch, change), branch, tool)


def _overcommit(work: Path) -> None:
    nova = work / demo.FILE
    nova.write_text(demo.change(nova.read_text()))


def _neutron_server(work: Path) -> None:
    path = work / NEUTRON_SERVER
    text = path.read_text()
    assert "RUN ls /plugins" in text
    path.write_text(text.replace("RUN ls /plugins", "RUN ls -l /plugins", 1))


def _previous_pins(work: Path) -> None:
    pin_previous(work)


def _docs(work: Path) -> None:
    readme = work / "README.md"
    readme.write_text(readme.read_text() + "\nA docs-only change.\n")


@pytest.fixture(scope="session")
def nova_change(tmp_path_factory: pytest.TempPathFactory, gcl: gitlab_local.Tool) -> Project:
    """A merge request adding overcommit ratios to the nova.conf override (sitectl's demo)."""
    return _make(tmp_path_factory, gcl, "overcommit", _overcommit)


@pytest.fixture(scope="session")
def image_change(tmp_path_factory: pytest.TempPathFactory, gcl: gitlab_local.Tool) -> Project:
    """A merge request changing the site's neutron-server image template."""
    return _make(tmp_path_factory, gcl, "neutron-server-template", _neutron_server)


@pytest.fixture(scope="session")
def docs_change(tmp_path_factory: pytest.TempPathFactory, gcl: gitlab_local.Tool) -> Project:
    return _make(tmp_path_factory, gcl, "docs", _docs)


@pytest.fixture(scope="session")
def pins_change(tmp_path_factory: pytest.TempPathFactory, gcl: gitlab_local.Tool) -> Project:
    """A merge request that moves the pins (to the previous release's)."""
    return _make(tmp_path_factory, gcl, "previous-release", _previous_pins)
