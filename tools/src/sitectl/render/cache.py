"""Renders cached by a hash of their inputs.

The input hash covers everything a render's output depends on: the snapshot's files that
decide a render (snapshot.files(): the configuration, less tooling, tests, pipeline and
documentation, plus the repository's files it names, such as a script it runs and what the
script reads; a symlink by its target's text and the content of the file it reaches),
the environment, the service selection, the versions of kayobe, kolla-ansible and Ansible,
sitectl's own code that shapes the output (this package and the modules it uses), and which
vault password keys the secret tokens (an HMAC of a fixed text, never the password). The ref
and commit are not part of it: the same configuration at two commits renders identically.

Layout under the cache root (REPO/.cache/sitectl/render by default):
  <hash[:24]>-<id>/    one complete render (the OUT contract); <id> distinguishes the
                       ref/commit recorded in its render.json. A second ref with the same
                       inputs copies an existing entry's files instead of rendering.
  .tmp-*/              renders in progress (their `render` directory is renamed into
                       place when complete).
  .claim-<hash[:24]>   while a render of those inputs runs, the lock it holds (claim()): a
                       second process asking for the same inputs waits for the first and is
                       served its entry.
The newest MAX_ENTRIES entries are kept, and any entry used in the last KEEP_SECONDS (another
process may be reading it).
"""

import fcntl
import hashlib
import hmac
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from importlib import metadata
from pathlib import Path, PurePosixPath

from sitectl import config_tree
from sitectl import render_layout as layout
from sitectl.errors import SiteError
from sitectl.render.snapshot import files as snapshot_files

MAX_ENTRIES = 24
KEEP_SECONDS = 3600
HASH_PREFIX = 24
TOOLS = ("kayobe", "kolla-ansible", "ansible-core")
_PACKAGE = Path(__file__).parent
# sitectl modules outside this package whose code shapes a render.
_USED_MODULES = (
    "kayobe.py",
    "redact.py",
    "vault.py",
    "environments.py",
    "dump.py",
    "repo.py",
    "kolla_playbooks.py",
    "config_tree.py",
)


def tool_versions() -> dict[str, str]:
    return {name: _version(name) for name in TOOLS}


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def key_id(password: str | None) -> str:
    """Which key the secret tokens are made with, without revealing it."""
    return hmac.new((password or "").encode(), layout.FORMAT.encode(), hashlib.sha256).hexdigest()


def input_hash(
    snapshot: Path,
    env: str | None,
    services: Sequence[str] | None,
    password: str | None,
    extra: Sequence[str] = (),
    skip: Callable[[str], bool] | None = None,
) -> str:
    """`extra`: what else the render's output depends on (e.g. the generated passwords);
    `skip`: snapshot paths (relative) left out (what a part of the render does not read)."""
    digest = hashlib.sha256()

    def add(*parts: str | bytes) -> None:
        for part in parts:
            digest.update(part if isinstance(part, bytes) else part.encode())
            digest.update(b"\0")

    services_ = ",".join(services) if services is not None else "<all>"
    add(layout.FORMAT, env if env is not None else "<base>", services_, key_id(password), *extra)
    for name, version in tool_versions().items():
        add(name, version)
    add("ansible", _version("ansible"), f"python {sys.version_info[0]}.{sys.version_info[1]}")
    for path in sorted(_PACKAGE.rglob("*.py")):
        add(str(path.relative_to(_PACKAGE)), path.read_bytes())
    for name in _USED_MODULES:
        module = _PACKAGE.parent / name
        add(name, module.read_bytes() if module.exists() else b"")
    tree = config_tree.DiskTree(snapshot)
    top = config_tree.roots(snapshot)
    for relative, path in snapshot_files(snapshot):
        if skip is not None and skip(relative):
            continue
        if path.is_symlink():
            add(relative, "symlink", os.readlink(path), _reached(tree, relative, top))
        else:
            add(relative, path.read_bytes(), "x" if os.access(path, os.X_OK) else "-")
    return digest.hexdigest()


def _reached(tree: config_tree.DiskTree, link: str, top: Sequence[PurePosixPath]) -> bytes:
    """What a snapshot's link reaches, for the input hash: the file's content (a directory's
    files are hashed under their own names), never anything outside the snapshot."""
    resolved = config_tree.resolve(tree, link, top)
    if resolved.outside is not None:  # materialise() refuses these: never read one
        raise SiteError(f"{link} leads outside the configuration ({resolved.outside}).")
    if resolved.path is None:
        return b"<loop>"
    reached = tree.root / resolved.path
    if reached.is_dir():
        return b"<directory>"
    return reached.read_bytes() if reached.is_file() else b"<dangling>"


def entry_name(hash_: str, ref: str | None, commit: str) -> str:
    ident = hashlib.sha256(f"{ref or ''}\0{commit}".encode()).hexdigest()[:8]
    return f"{hash_[:HASH_PREFIX]}-{ident}"


def lookup(root: Path, hash_: str, ref: str | None, commit: str) -> Path | None:
    """The complete entry for these inputs and this ref, if cached (marked as used)."""
    entry = root / entry_name(hash_, ref, commit)
    if layout.complete(entry, hash_):
        _touch(entry)
        return entry
    return None


def sibling(root: Path, hash_: str) -> Path | None:
    """A complete entry with the same inputs made for another ref (same files)."""
    for candidate in sorted(root.glob(f"{hash_[:HASH_PREFIX]}-*")):
        if layout.complete(candidate, hash_):
            return candidate
    return None


@contextmanager
def claim(root: Path, hash_: str, waiting: Callable[[], None]) -> Iterator[None]:
    """Hold the render of these inputs: a concurrent process (two CI jobs on one runner, two
    test workers) with the same inputs waits here, calling `waiting` once, instead of
    rendering them a second time. The claim file is removed when released (a waiter that
    finds its file gone takes the new one), so a render leaves nothing behind."""
    root.mkdir(parents=True, exist_ok=True)
    name = root / f".claim-{hash_[:HASH_PREFIX]}"
    told = False
    while True:
        lock = os.open(name, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not told:
                waiting()
                told = True
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            current = os.stat(name).st_ino == os.fstat(lock).st_ino
        except FileNotFoundError:
            current = False
        if current:
            break
        os.close(lock)  # released and removed by its holder: claim the file there now
    try:
        yield
    finally:
        with suppress(FileNotFoundError):
            os.unlink(name)
        os.close(lock)


def publish(staged: Path, entry: Path) -> Path:
    """Move a complete render into place; a concurrent render that got there first wins."""
    try:
        os.rename(staged, entry)
    except OSError:
        if not entry.is_dir():
            raise
        shutil.rmtree(staged, ignore_errors=True)
    _evict(entry.parent)
    return entry


def _evict(root: Path) -> None:
    entries = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    entries.sort(key=_mtime, reverse=True)
    now = time.time()
    for old in entries[MAX_ENTRIES:]:
        if now - _mtime(old) > KEEP_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    # Leftovers of renders killed mid-way, and claims nobody held for a day.
    for stale in [*root.glob(".tmp-*"), *root.glob(".claim-*")]:
        if now - _mtime(stale) > 86400:
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)


def _touch(entry: Path) -> None:
    with suppress(OSError):
        os.utime(entry)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def copy_render(source: Path, destination: Path) -> None:
    """Copy a render's files (contents only: no times or modes that would differ)."""
    shutil.copytree(source, destination, copy_function=shutil.copyfile, dirs_exist_ok=True)
