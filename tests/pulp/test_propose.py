"""New pins proposed as a merge request by the push itself (GitLab push options), checked on a
real git remote that records the options it receives."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sitectl.errors import SiteError
from sitectl.repos import Pin, propose
from sitectl.repos.pins import PATH, write
from tests.helpers import git

HOOK = """#!/bin/sh
for i in $(seq 0 $((GIT_PUSH_OPTION_COUNT - 1))); do
  eval "echo \\$GIT_PUSH_OPTION_$i"
done > "$(dirname "$0")/../push-options"
"""


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    git(origin, "config", "receive.advertisePushOptions", "true")
    hook = origin / "hooks" / "pre-receive"
    hook.write_text(HOOK)
    hook.chmod(0o755)
    repo = tmp_path / "site"
    (repo / "etc" / "kayobe").mkdir(parents=True)
    (repo / "README.md").write_text("site\n")
    write(repo, {"os": Pin("os-20261201T0000", 1)})
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "site")
    return repo, origin


def test_moved_pins_become_a_merge_request(site: tuple[Path, Path]) -> None:
    repo, origin = site
    assert propose(repo, str(origin), "main", "20261202T0000") is None  # nothing moved
    write(repo, {"os": Pin("os-20261202T0000", 2)})
    (repo / "README.md").write_text("an unrelated edit stays out of the commit\n")
    branch = propose(repo, str(origin), "main", "20261202T0000", token="glpat-secret")
    assert branch == "repos/snapshot-20261202T0000"
    assert (origin / "push-options").read_text().splitlines() == [
        "merge_request.create",
        "merge_request.target=main",
        "merge_request.title=Package snapshots of 20261202T0000",
        "merge_request.remove_source_branch",
    ]
    changed = git(origin, "show", "--name-only", "--format=%s", branch).split()
    assert changed[-1] == str(PATH)
    assert "README.md" not in changed


def test_a_failed_push_never_shows_the_token(site: tuple[Path, Path], tmp_path: Path) -> None:
    repo, _ = site
    write(repo, {"os": Pin("os-20261203T0000", 3)})
    with pytest.raises(SiteError) as failed:
        propose(repo, str(tmp_path / "nowhere.git"), "main", "20261203T0000", "glpat-secret")
    shown = failed.value.message + "\n".join(failed.value.details)
    assert "git push" in shown
    assert "glpat-secret" not in shown
