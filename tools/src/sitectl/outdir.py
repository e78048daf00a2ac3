"""The one policy for every directory a verb writes (`--out DIR`): sitectl replaces or writes
into a directory only when it may, and never deletes what it did not make.

A directory may be used when it is absent, empty, or an earlier output of the same kind:
it holds sitectl's marker file (MARKER, naming the kind), or, for outputs older than the
marker, nothing but the names that kind writes (a render: its render.json). Never:

- a symlink, or a path that exists and is not a directory;
- the repository sitectl works on, a directory that holds it, or anything inside its .git;
- the user's home, the file system's root, or a directory that holds the working directory.

replacing() builds the new content in a sibling directory and swaps it in by rename once it
is complete: the old output stays whole until then, and a failure (a full disk, an
interrupt) leaves it as it was. claim() is for verbs that write as they go (diagnostics,
test reports): the same checks, then the directory is created and marked.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sitectl.errors import SiteError
from sitectl.repo import STATE, ignored

MARKER = ".sitectl-output"


@dataclass(frozen=True)
class Kind:
    """What a verb writes: its name in messages, and how an earlier output of it looks."""

    name: str
    # The top-level names this kind writes: a directory holding only these is an earlier
    # output (written before the marker existed).
    names: frozenset[str] = field(default_factory=frozenset)
    # Another sign of an earlier output (e.g. a render's render.json).
    recognise: Callable[[Path], bool] | None = None
    # Whether to leave MARKER in the directory (a render identifies itself; its tree is
    # compared file by file, so it gets none).
    marked: bool = True

    def is_earlier_output(self, directory: Path) -> bool:
        marker = directory / MARKER
        if marker.is_file() and not marker.is_symlink():
            return marker.read_text(encoding="utf-8", errors="replace").strip() == self.name
        if self.recognise is not None and self.recognise(directory):
            return True
        entries = {entry.name for entry in directory.iterdir()}
        return bool(self.names) and entries <= self.names


def kind(name: str, names: Iterable[str] = (), **options: object) -> Kind:
    return Kind(name, frozenset(names), **options)  # type: ignore[arg-type]


def check(target: Path, what: Kind, repo: Path | None = None) -> Path:
    """`target` as an absolute path, if the policy lets `what` be written there; otherwise a
    SiteError naming the directory and why."""
    target = Path(os.path.abspath(target))
    refusal = _protected(target, repo)
    if refusal:
        raise SiteError(
            f"refusing to write the {what.name} to {target}: {refusal}. Choose another "
            "output directory (a new or empty one, or an earlier output of sitectl's)."
        )
    if target.is_symlink():
        raise SiteError(
            f"{target} is a symlink; sitectl writes its {what.name} only to a real directory. "
            "Choose another output directory."
        )
    if target.exists() and not target.is_dir():
        raise SiteError(f"{target} exists and is not a directory; choose another output path.")
    if target.is_dir() and _has_entries(target) and not what.is_earlier_output(target):
        raise SiteError(
            f"{target} is not empty and is not an earlier {what.name} (no {MARKER} file); "
            "sitectl deletes only what it made, so it refuses to replace it. Choose a new or "
            "empty directory, or remove this one yourself."
        )
    return target


@contextmanager
def replacing(target: Path, what: Kind, repo: Path | None = None) -> Iterator[Path]:
    """A staging directory for the new output; when the block ends without error it replaces
    `target` whole (the old one removed only after the swap), otherwise it is removed and
    `target` is left as it was."""
    target = check(target, what, repo)
    parent = _parent(target, what)
    staging = _mkdtemp(parent, f".{target.name}.new-", what)
    try:
        yield staging
        _mark(staging, what)
        _keep_out_of_git(target, staging, repo)
        os.chmod(staging, 0o755)
        _swap(staging, target, what)
    except OSError as e:
        raise _write_error(e, target, what) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def claim(target: Path, what: Kind, repo: Path | None = None) -> Path:
    """For verbs that write into the directory as they go: `target` checked, created and
    marked; returned absolute."""
    target = check(target, what, repo)
    _parent(target, what)
    try:
        target.mkdir(exist_ok=True)
        _mark(target, what)
        _keep_out_of_git(target, target, repo)
    except OSError as e:
        raise _write_error(e, target, what) from None
    return target


def _keep_out_of_git(target: Path, directory: Path, repo: Path | None) -> None:
    """An output inside the repository stays out of git whatever its .gitignore says: under
    one of sitectl's own directories (reports/...) that directory ignores itself, elsewhere
    the output does (`directory` is what will become `target`)."""
    if repo is None:
        return
    try:
        relative = target.resolve().relative_to(repo.resolve())
    except ValueError:
        return
    if relative.parts[0] in STATE and len(relative.parts) > 1:
        ignored(repo / relative.parts[0])
    else:
        ignored(directory)


def _protected(target: Path, repo: Path | None) -> str | None:
    """Why `target` may never be an output directory, or None."""
    resolved = target.resolve()
    if repo is not None:
        root = repo.resolve()
        if resolved == root or resolved in root.parents:
            return f"it is (or holds) the repository {root}"
        git = root / ".git"
        if resolved == git or git in resolved.parents:
            return f"it is inside the repository's {git}"
    home = Path.home().resolve()
    if resolved == home or resolved in home.parents:
        return "it is (or holds) your home directory"
    cwd = Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents:
        return "it is (or holds) the working directory"
    return None


def _has_entries(directory: Path) -> bool:
    with os.scandir(directory) as entries:
        return any(True for _ in entries)


def _parent(target: Path, what: Kind) -> Path:
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SiteError(
            f"cannot create {parent} for the {what.name}: {_reason(e)}. Choose an output "
            "directory under one you can write to."
        ) from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise SiteError(
            f"cannot write the {what.name} to {target}: {parent} is not writable. Choose an "
            "output directory under one you can write to."
        )
    return parent


def _mkdtemp(parent: Path, prefix: str, what: Kind) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    except OSError as e:
        raise _write_error(e, parent, what) from None


def _mark(directory: Path, what: Kind) -> None:
    if what.marked:
        (directory / MARKER).write_text(f"{what.name}\n", encoding="utf-8")


def _swap(staging: Path, target: Path, what: Kind) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    check(target, what)  # again, just before the old one goes
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    try:
        os.rename(target, old / "previous")
        os.rename(staging, target)
    except OSError:
        if (old / "previous").exists() and not target.exists():
            os.rename(old / "previous", target)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _write_error(error: OSError, where: Path, what: Kind) -> SiteError:
    return SiteError(
        f"cannot write the {what.name} to {where}: {_reason(error)}; nothing was replaced. "
        + _advice(error)
    )


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _advice(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "Free some space on that file system, or choose an output directory on another."
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "Choose an output directory you can write to."
    return "Check the path and try again."
