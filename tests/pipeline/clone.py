"""A throwaway GitLab project on disk: this repository's files committed as `main` in a fresh
repository, pushed to a bare `origin`, with a change on a branch checked out, as a runner's
clone of a merge request would be. The toolchain and sitectl's caches are this repository's
(as a runner's cache would restore them), so renders made by other tests are reused."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from tests.conftest import clean_environment
from tests.helpers import REPO, copy_tree, git

Change = Callable[[Path], None]  # edits files of the work tree


def project(root: Path, branch: str, change: Change) -> Path:
    """root/origin.git and root/work, the latter on `branch` = main + `change`."""
    origin, work = root / "origin.git", root / "work"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    work.mkdir()
    copy_tree(REPO, work)
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "main")
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    git(work, "remote", "set-head", "origin", "main")
    git(work, "checkout", "-q", "-b", branch)
    change(work)
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", branch)
    git(work, "push", "-q", "origin", branch)
    # The runner's cache: this repository's sitectl caches (not the clone's own .cache/, which
    # stays a directory so that git ignores it).
    (work / ".cache").mkdir()
    (REPO / ".cache" / "sitectl").mkdir(parents=True, exist_ok=True)
    (work / ".cache" / "sitectl").symlink_to(REPO / ".cache" / "sitectl")
    return work


def job_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """What the runner's shell gives a job: this repository's toolchain, no operator
    settings."""
    return clean_environment({"SITECTL_VENV": sys.prefix, **(extra or {})})
