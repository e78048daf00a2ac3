"""Scratch directories that may hold plaintext (a render's kolla passwords and TLS keys,
kayobe's resolved variables, Ansible's temporary files): private to this user, and never left
behind, not even by a crash.

Every one lives under one root per user (ROOT_VARIABLE, else <tmp>/sitectl-<uid>): a real
directory of this user's, mode 0700, checked before use, so a crash cannot leave plaintext
where another user can read it. Each scratch directory holds a lock (flock) on its LOCK file
for as long as the process that made it lives. Leaving the block in any way removes it; after
a SIGKILL, an out-of-memory kill or a power cut the kernel releases the lock, and the next
sitectl that makes a scratch directory removes the orphan (sweep()).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sitectl.errors import SiteError
from sitectl.files import own_directory

ROOT_VARIABLE = "SITECTL_SCRATCH"
LOCK = ".sitectl-scratch.lock"
# A directory younger than this may be one whose maker has not taken its lock yet.
GRACE_SECONDS = 60.0


def root() -> Path:
    """This user's scratch root, created 0700 if absent; SiteError if it is not safe."""
    path = Path(
        os.environ.get(ROOT_VARIABLE) or Path(tempfile.gettempdir(), f"sitectl-{os.getuid()}")
    )
    info = own_directory(path, "sitectl's scratch directory", ROOT_VARIABLE)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise SiteError(
            f"sitectl's scratch directory {path} is not a private directory of this user's "
            f"(a symlink, another owner, or readable by others): it will hold decrypted "
            f"secrets, so sitectl does not use it. Remove it, or set {ROOT_VARIABLE} to a "
            "directory only you can read."
        )
    return path


@contextmanager
def directory(prefix: str) -> Iterator[Path]:
    """A new private scratch directory (resolved), removed when the block ends."""
    base = root()
    sweep(base)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=base)).resolve()
    lock = os.open(path / LOCK, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(lock)


def sweep(base: Path) -> list[Path]:
    """Remove the scratch directories whose process is gone (their lock is free); returns
    them."""
    removed = []
    for entry in base.iterdir():
        if entry.is_symlink() or not entry.is_dir() or _young(entry) or _in_use(entry):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _young(entry: Path) -> bool:
    try:
        return time.time() - entry.stat().st_mtime < GRACE_SECONDS
    except OSError:
        return True


def _in_use(entry: Path) -> bool:
    try:
        lock = os.open(entry / LOCK, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
    except FileNotFoundError:
        return False  # older than the grace period and never locked: an orphan
    except OSError:
        return True
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(lock)
    return False
