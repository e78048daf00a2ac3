"""What many tests need: this repository's root, the example environments' vault password, git
with a test identity, copies of the working tree, and the vault plaintexts no output may hold."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

from tests.vault_plaintexts import VAULT_HEADER, vault_plaintexts

__all__ = [
    "EXAMPLE_PASSWORD",
    "EXAMPLE_PASSWORD_ENV",
    "EXAMPLE_PASSWORD_FILE",
    "REPO",
    "VAULT_HEADER",
    "copy_tree",
    "git",
    "ini",
    "vault_plaintexts",
]

REPO = Path(__file__).resolve().parents[1]
# The documented test password of the example environments' vaulted values.
EXAMPLE_PASSWORD_FILE = REPO / "ci" / "vault-password.example"
EXAMPLE_PASSWORD = EXAMPLE_PASSWORD_FILE.read_text(encoding="utf-8").strip()
EXAMPLE_PASSWORD_ENV = {"KAYOBE_VAULT_PASSWORD_FILE": str(EXAMPLE_PASSWORD_FILE)}


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
    """`git -C repo ARGS` with a fixed test identity; its stdout, stripped."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


def ini(path: Path) -> configparser.ConfigParser:
    """A rendered INI file as the service reads it (repeated keys allowed, no interpolation)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser
