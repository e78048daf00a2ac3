"""The upgrade rehearsal's steps on the all-in-one (`sitectl aio run --release BASE`, then
`sitectl aio upgrade`), with the stand-ins first on PATH (nothing is deployed): BASE pins the
previous release (tests/releases.py), HEAD this repository's pins. Every kayobe call runs under
the toolchain of the release it belongs to, on that release's configuration, and parses with
that release's own kayobe."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from sitectl import toolchains
from tests.aio import standins
from tests.aio.test_steps import KAYOBE_SEQUENCE, RESOURCES
from tests.cli_parsers import kayobe_errors_under
from tests.helpers import git
from tests.releases import pin_current, pin_previous

pytestmark = pytest.mark.slow  # the previous release's virtualenv (machine cache)

UPGRADE_SEQUENCE = [
    ["control", "host", "upgrade"],
    ["overcloud", "host", "upgrade"],
    ["overcloud", "container", "image", "pull"],
    ["overcloud", "service", "configuration", "save", "--output-dir"],
    ["overcloud", "service", "upgrade"],
    ["overcloud", "service", "configuration", "save", "--output-dir"],
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`base`: the previous release's pins and a configuration of its own; `main` (checked
    out): this repository's pins and a changed configuration."""
    repo = tmp_path_factory.mktemp("rehearsal") / "repo"
    (repo / "etc" / "kayobe").mkdir(parents=True)
    (repo / "etc" / "kayobe" / "globals.yml").write_text("---\nrelease: previous\n")
    (repo / "environments" / "ci-aio").mkdir(parents=True)
    (repo / "environments" / "ci-aio" / "kolla.yml").write_text("---\n")
    (repo / "ci" / "aio").mkdir(parents=True)
    (repo / "ci" / "aio" / "resources.yml").write_text(RESOURCES)
    (repo / "image.img").write_bytes(b"not really an image")
    (repo / ".gitignore").write_text(".cache/\n")
    pin_previous(repo)
    git(repo, "init", "-q", "-b", "base")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the previous release")
    git(repo, "checkout", "-q", "-b", "main")
    pin_current(repo)
    (repo / "etc" / "kayobe" / "globals.yml").write_text("---\nrelease: current\n")
    git(repo, "commit", "-qam", "the current release")
    return repo


@pytest.fixture(scope="module")
def previous(site: Path) -> toolchains.Toolchain:
    """The base's toolchain, made (or found in the machine cache) before sitectl asks."""
    found = toolchains.for_commit(site, git(site, "rev-parse", "base"))
    assert found.versions["kayobe"] == "20.2.0", found
    return found


@pytest.fixture(scope="module")
def rehearsal(
    site: Path, previous: toolchains.Toolchain, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    from tests.conftest import run_sitectl

    return standins.sitectl_runner(run_sitectl, site, tmp_path_factory.mktemp("standins"), "aio")


def _kayobe(rehearsal: Any) -> list[tuple[list[str], dict[str, str | None]]]:
    words = [call[1:] for call in standins.calls(rehearsal.log) if call[0] == "kayobe"]
    return list(zip(words, standins.kayobe_environments(rehearsal.log), strict=True))


def _sequence(calls: list[tuple[list[str], dict]]) -> list[list[str]]:
    """The calls' words without --environment ci-aio and the save's directory."""
    sequence = []
    for words, _ in calls:
        assert words[-2:] == ["--environment", "ci-aio"], words
        words = words[:-2]
        sequence.append(words[:-1] if "--output-dir" in words else words)
    return sequence


def test_an_upgrade_without_an_earlier_release_deployed_is_refused(rehearsal: Any) -> None:
    refused = rehearsal("upgrade")
    assert refused.returncode == 2, refused.stderr
    assert "run `tools/sitectl aio run --release BASE` first" in refused.stderr
    assert _kayobe(rehearsal) == []


def test_the_base_deploys_its_own_configuration_with_its_own_kayobe(
    rehearsal: Any, site: Path, previous: toolchains.Toolchain
) -> None:
    result = rehearsal("run", "--release", "base")
    assert result.returncode == 0, result.stderr
    assert "deploys with kayobe 20.2.0" in result.stderr
    calls = _kayobe(rehearsal)
    assert _sequence(calls) == KAYOBE_SEQUENCE
    commit = git(site, "rev-parse", "base")
    tree = site / ".cache" / "sitectl" / "aio" / "release" / commit
    assert (tree / "etc" / "kayobe" / "globals.yml").read_text() == "---\nrelease: previous\n"
    for _, given in calls:
        assert given["VIRTUAL_ENV"] == str(previous.prefix)
        assert given["KAYOBE_CONFIG_PATH"] == str(tree / "etc" / "kayobe")
    errors = kayobe_errors_under(previous.python, [words for words, _ in calls])
    assert errors == [None] * len(calls)
    # The state is this checkout's: the upgrade continues from it.
    state = json.loads((site / ".cache" / "sitectl" / "aio" / "state.json").read_text())
    assert state["release"] == commit


def test_the_upgrade_follows_kayobes_sequence_and_resumes_where_it_failed(
    rehearsal: Any, site: Path
) -> None:
    deployed = len(_kayobe(rehearsal))
    failed = rehearsal("upgrade", fail="service upgrade")
    assert failed.returncode == 1
    assert "step upgrade-services" in failed.stderr
    resumed = rehearsal("upgrade")
    assert resumed.returncode == 0, resumed.stderr
    calls = _kayobe(rehearsal)[deployed:]
    # The failed service upgrade is the one call made twice.
    assert _sequence(calls) == [*UPGRADE_SEQUENCE[:5], *UPGRADE_SEQUENCE[4:]]
    for _, given in calls:
        assert given["VIRTUAL_ENV"] == sys.prefix
        assert given["KAYOBE_CONFIG_PATH"] == str(site / "etc" / "kayobe")
    errors = kayobe_errors_under(Path(sys.executable), [words for words, _ in calls])
    assert errors == [None] * len(calls)
    status = rehearsal("status")
    assert "upgrade-services" in status.stdout and "FAILED" not in status.stdout


def test_the_upgrade_lists_the_config_files_it_changed_and_keeps_no_saved_config(
    rehearsal: Any, site: Path, tmp_path: Path
) -> None:
    work = site / ".cache" / "sitectl" / "aio"
    changes = (work / "logs" / "config-changes.txt").read_text().splitlines()
    assert changes == [
        "added aio/new/",
        "changed aio/nova/nova.conf",
        "removed aio/old/",
    ]
    # The saved configurations hold the services' secrets: gone once compared.
    assert not (work / "config-before").exists() and not (work / "config-after").exists()
    down = rehearsal("teardown", "--out", tmp_path / "artifacts")
    assert down.returncode == 0, down.stderr
    assert (tmp_path / "artifacts" / "logs" / "config-changes.txt").read_text().splitlines() == (
        changes
    )
