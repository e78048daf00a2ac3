"""The configuration to render, copied into a scratch directory: a git ref's tree, or the
working tree as it is on disk.

A render never runs kayobe in the repository itself: kayobe writes into the configuration it
is given (e.g. kolla's passwords.yml when it completes it), and operators and other tools work
in the repository concurrently.

The snapshot is the repository's configuration: every file git would commit (for the working
tree: tracked and untracked files that are not ignored; for a ref: its tree), except what a
render never reads: the tooling and its tests (tools/, tests/: sitectl's own code is part of
the cache key separately), the pipeline (ci/, .ci/), documentation (*.md) and the files at
the top of the repository (requirements, linters' settings, .gitlab-ci.yml...). Leaving them
out keeps a change to them from invalidating cached renders; a configuration that did read
one would fail to render rather than render stale. The snapshot's files are the input hash's
view of the configuration (files()).
"""

import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from sitectl.errors import SiteError
from sitectl.git import git
from sitectl.repo import MARKER

WORKING_TREE = "working-tree"
NOT_CONFIGURATION = frozenset({"tools", "tests", "ci", ".ci"})
_SKIP = frozenset({".git", "__pycache__", ".cache", ".venv", ".pytest_cache", ".mypy_cache"})


@dataclass(frozen=True)
class Source:
    """What a render is of: `ref` as given (None: the working tree) and the commit it names."""

    ref: str | None
    commit: str  # 40 hex digits, or WORKING_TREE


def resolve(repo: Path, ref: str | None) -> Source:
    """The commit `ref` names; SiteError when it names none."""
    if ref is None:
        return Source(None, WORKING_TREE)
    if not ref or ref.startswith("-"):
        raise SiteError(f"{ref!r} is not a git ref.")
    result = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if result.returncode != 0 or not result.stdout.strip():
        if _git(repo, "rev-parse", "--git-dir").returncode != 0:
            raise SiteError(f"cannot render ref {ref!r}: {repo} is not a git repository.")
        raise SiteError(
            f"unknown git ref {ref!r} in {repo}: it names no commit (try a branch, tag or "
            "commit id; `git fetch` first if it exists only on a remote)."
        )
    return Source(ref, result.stdout.strip())


def materialise(repo: Path, source: Source, destination: Path) -> Path:
    """Write the configuration of `source` into `destination` (created); returns it."""
    destination.mkdir(parents=True)
    if source.commit == WORKING_TREE:
        for relative in _working_tree_files(repo):
            if not is_configuration(relative):
                continue
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(repo / relative, target, follow_symlinks=False)
    else:
        _extract_commit(repo, source, destination)
    if not (destination / MARKER).is_dir():
        where = f"ref {source.ref!r}" if source.ref else str(repo)
        raise SiteError(f"{where} holds no {MARKER}/: not a Kayobe configuration to render.")
    return destination


def is_configuration(relative: str) -> bool:
    """Whether a file (path relative to the repository) is part of what a render reads."""
    parts = relative.split("/")
    return not (
        len(parts) == 1
        or parts[0] in NOT_CONFIGURATION
        or _SKIP.intersection(parts)
        or parts[-1].endswith((".md", ".pyc"))
    )


def files(snapshot: Path) -> list[tuple[str, Path]]:
    """The snapshot's files (symlinks as themselves), sorted by their relative path."""
    return _walk(snapshot, configuration_only=True)


def _walk(root: Path, configuration_only: bool) -> list[tuple[str, Path]]:
    found = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP)
        for name in sorted(filenames) + [d for d in dirnames if Path(directory, d).is_symlink()]:
            path = Path(directory, name)
            relative = path.relative_to(root).as_posix()
            if not configuration_only or is_configuration(relative):
                found.append((relative, path))
    return sorted(found)


def _working_tree_files(repo: Path) -> list[str]:
    """Files git would commit (tracked or untracked, not ignored) that exist; without git,
    every file but the usual caches."""
    result = _git(repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if result.returncode == 0 and _git(repo, "rev-parse", "--show-prefix").stdout.strip() == "":
        names = sorted({name for name in result.stdout.split("\0") if name})
        return [name for name in names if os.path.lexists(repo / name)]
    return [relative for relative, _ in _walk(repo, configuration_only=False)]


def _extract_commit(repo: Path, source: Source, destination: Path) -> None:
    archive = destination.parent / f".{destination.name}.tar"
    try:
        with archive.open("wb") as handle:
            result = subprocess.run(
                ["git", "-C", str(repo), "archive", "--format=tar", source.commit],
                stdout=handle,
                stderr=subprocess.PIPE,
                text=False,
                check=False,
            )
        if result.returncode != 0:
            said = result.stderr.decode(errors="replace").strip()
            raise SiteError(f"git archive of {source.ref!r} ({source.commit}) failed: {said}")
        with tarfile.open(archive) as tar:
            wanted = [m for m in tar.getmembers() if not m.isdir() and is_configuration(m.name)]
            tar.extractall(destination, members=wanted, filter="tar")
    finally:
        archive.unlink(missing_ok=True)


def _git(repo: Path, *args: str) -> "subprocess.CompletedProcess[str]":
    return git(repo, *args, check=False)
