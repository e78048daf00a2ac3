"""sitectl's cache on this machine, outside every clone: what sitectl (and its test harness)
installs or downloads that no site's configuration decides, kept once per machine and keyed
by a digest of exactly its inputs, as pip keeps wheels. The option-schema virtualenvs,
gitlab-ci-local with its Node.js and the tempest sdist live here; a render, a diff or an image
build of a site never does (those are cached per repository, under .cache/).

Where: $SITECTL_CACHE, else $XDG_CACHE_HOME/sitectl, else ~/.cache/sitectl; a directory of
this user's that nobody else may write to (a virtualenv there is code sitectl runs).
Layout:
  KIND/KEY/          one entry, made in place (a virtualenv cannot move); complete once its
                     COMPLETE marker exists, which is written last.
  KIND/.KEY.lock     held by the process making the entry: a second run (two CI jobs on one
                     runner, two test workers) waits for it instead of making it again.
`sitectl cache` lists the entries and their sizes; `sitectl cache clear [KIND...]` removes them.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sitectl.errors import SiteError
from sitectl.files import own_directory
from sitectl.progress import note

ROOT_VARIABLE = "SITECTL_CACHE"
COMPLETE = ".complete"


def location() -> Path:
    """Where the cache is (nothing made or checked)."""
    configured = os.environ.get(ROOT_VARIABLE)
    xdg = os.environ.get("XDG_CACHE_HOME")
    path = Path(configured or Path(xdg or Path.home() / ".cache") / "sitectl")
    return path.expanduser().absolute()


def root() -> Path:
    """The cache's directory (created 0700 if absent); SiteError if another user could
    write to it."""
    path = location()
    info = own_directory(path, "sitectl's machine cache", ROOT_VARIABLE)
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise SiteError(
            f"sitectl's machine cache {path} belongs to another user or others may write to "
            "it: the virtualenvs it holds are code sitectl runs, so sitectl does not use it. "
            f"Make it yours (chmod go-w), or set {ROOT_VARIABLE} to a directory of yours."
        )
    return path


def key(*parts: str | bytes) -> str:
    """A digest of an entry's inputs, of the Python that runs sitectl and of where the cache
    is: a virtualenv is tied to its interpreter and to its own path."""
    digest = hashlib.sha256()
    for part in (*parts, sys.base_prefix, sys.version, str(location())):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def entry(kind: str, entry_key: str, make: Callable[[Path], None]) -> Path:
    """KIND/KEY, made by make(directory) the first time it is asked for; a make that fails
    (or is interrupted) leaves nothing behind."""
    directory = root() / kind / entry_key
    if (directory / COMPLETE).exists():
        return directory
    with _locked(directory, wait=True):
        if not (directory / COMPLETE).exists():
            shutil.rmtree(directory, ignore_errors=True)  # an interrupted make's leftovers
            if directory.exists():
                raise SiteError(
                    f"{directory} is left from an interrupted make and cannot be removed "
                    "(something is mounted in it, or it is not yours): remove it, then run "
                    "this again."
                )
            directory.mkdir(parents=True)
            try:
                make(directory)
            except BaseException:
                shutil.rmtree(directory, ignore_errors=True)
                raise
            (directory / COMPLETE).write_text(f"{kind} {entry_key}\n", encoding="utf-8")
    return directory


@contextmanager
def _locked(directory: Path, wait: bool) -> Iterator[bool]:
    """The entry's lock; without `wait`, yields False when another process holds it."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(
        directory.parent / f".{directory.name}.lock", os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600
    )
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                yield False
                return
            note("cache", f"waiting for another process making {directory}")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield True
    finally:
        os.close(lock)


@dataclass(frozen=True)
class Entry:
    kind: str
    key: str
    path: Path
    complete: bool
    size: int  # bytes


def entries(kinds: tuple[str, ...] = ()) -> list[Entry]:
    """The cache's entries (of `kinds`, or all), in name order."""
    base = root()
    found = []
    for kind_dir in sorted(p for p in base.iterdir() if p.is_dir() and not p.is_symlink()):
        if kinds and kind_dir.name not in kinds:
            continue
        for path in sorted(p for p in kind_dir.iterdir() if not p.name.startswith(".")):
            found.append(
                Entry(kind_dir.name, path.name, path, (path / COMPLETE).exists(), _size(path))
            )
    return found


def clear(kinds: tuple[str, ...] = ()) -> tuple[list[Entry], list[Entry]]:
    """Remove the entries (of `kinds`, or all): (removed, in use: being made right now)."""
    removed, busy = [], []
    for found in entries(kinds):
        with _locked(found.path, wait=False) as mine:
            if not mine:
                busy.append(found)
                continue
            shutil.rmtree(found.path, ignore_errors=True)
            removed.append(found)
    return removed, busy


def _size(path: Path) -> int:
    total = 0
    for directory, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(directory, name)).st_size
            except OSError:
                continue
    return total
