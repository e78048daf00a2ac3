"""Copies of this repository's working tree for throwaway repositories in tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def copy_tree(source: Path, target: Path) -> None:
    """The files git would see in `source` (tracked and untracked, not ignored)."""
    listed = subprocess.run(
        ["git", "-C", str(source), "ls-files", "-z", "-co", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        path = source / name
        if not path.exists() and not path.is_symlink():
            continue  # deleted in the working tree
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            (target / name).symlink_to(os.readlink(path))
        elif path.is_file():
            shutil.copy2(path, target / name)


def git(repo: Path, *args: str) -> str:
    """`git -C repo ARGS` with a fixed test identity; its stdout."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout
