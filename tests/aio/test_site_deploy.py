"""`sitectl deploy ENV`: a site by kayobe's documented sequence, as resumable steps, with a
stand-in kayobe first on PATH (tests/aio/standins.py; nothing is deployed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.aio import standins
from tests.cli_parsers import kayobe_error

SITE_SEQUENCE = [
    ["control", "host", "bootstrap"],
    ["seed", "hypervisor", "host", "configure"],
    ["seed", "host", "configure"],
    ["seed", "service", "deploy"],
    ["overcloud", "host", "configure"],
    ["overcloud", "container", "image", "pull"],
    ["overcloud", "service", "deploy"],
    ["overcloud", "post", "configure"],
]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "etc" / "kayobe").mkdir(parents=True)
    (repo / "environments" / "hpc-site").mkdir(parents=True)
    (repo / "etc" / "kayobe" / "environments").symlink_to(Path("..", "..", "environments"))
    return repo


@pytest.fixture
def deploy(site: Path, tmp_path: Path, sitectl: Any) -> Any:
    return standins.sitectl_runner(sitectl, site, tmp_path, "deploy")


def kayobe_calls(log: Path) -> list[list[str]]:
    calls = (
        [call[1:] for call in standins.calls(log) if call[0] == "kayobe"] if log.exists() else []
    )
    for call in calls:
        assert call[-2:] == ["--environment", "hpc-site"], call
    return [call[:-2] for call in calls]


def test_the_site_follows_kayobes_sequence_seed_hosts_then_services(
    deploy: Any, site: Path
) -> None:
    """The hosts are configured (the site's InfiniBand and SR-IOV hooks run after host
    configure) before any service is deployed; every command line parses with kayobe's own
    parser; nothing is written into the site's environment."""
    result = deploy("hpc-site")
    assert result.returncode == 0, result.stderr
    assert kayobe_calls(deploy.log) == SITE_SEQUENCE
    for words in SITE_SEQUENCE:
        assert kayobe_error([*words, "--environment", "hpc-site"]) is None, words
    assert "[deploy] 5/8 host-configure: kayobe overcloud host configure ... done in" in (
        result.stderr
    )
    assert list((site / "environments" / "hpc-site").iterdir()) == []
    state = json.loads((site / ".cache/sitectl/deploy/hpc-site/state.json").read_text())
    assert set(state["done"]) == {
        "bootstrap",
        "seed-hypervisor",
        "seed-host",
        "seed-services",
        "host-configure",
        "images",
        "deploy",
        "post-configure",
    }


def test_a_failed_step_resumes_there_and_status_says_where(deploy: Any) -> None:
    failed = deploy("hpc-site", fail="overcloud host configure")
    assert failed.returncode == 1
    assert "step host-configure: kayobe overcloud host configure failed" in failed.stderr
    assert kayobe_calls(deploy.log) == SITE_SEQUENCE[:5]
    status = deploy("hpc-site", "--status")
    assert "host-configure   FAILED" in status.stdout and "seed-host        done (" in status.stdout

    deploy.log.unlink()
    resumed = deploy("hpc-site")
    assert resumed.returncode == 0, resumed.stderr
    assert kayobe_calls(deploy.log) == SITE_SEQUENCE[4:]
    deploy.log.unlink()
    again = deploy("hpc-site", "--from", "deploy")
    assert again.returncode == 0 and kayobe_calls(deploy.log) == SITE_SEQUENCE[6:]


def test_an_unknown_environment_runs_nothing(deploy: Any) -> None:
    result = deploy("no-such-site")
    assert result.returncode == 2
    assert "unknown environment 'no-such-site'" in result.stderr
    assert kayobe_calls(deploy.log) == []
    bare = deploy()
    assert bare.returncode == 2 and "give the environment to deploy" in bare.stderr
