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

Symbolic links are copied as links, and only when they stay inside the repository
(sitectl.config_tree): one leading outside is an error before anything is copied. An absolute
link into the repository is made relative in the copy, so the copy never points back into the
repository.
"""

import os
import shutil
import subprocess
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sitectl import config_tree
from sitectl.config_tree import is_configuration
from sitectl.errors import SiteError
from sitectl.git import git
from sitectl.repo import MARKER

WORKING_TREE = "working-tree"

__all__ = ["WORKING_TREE", "Source", "files", "is_configuration", "materialise", "resolve"]


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
    """Write the configuration of `source` into `destination` (created); returns it.
    SiteError, with nothing written, when one of its links leads outside the repository."""
    if source.commit == WORKING_TREE:
        names = [name for name in config_tree.working_tree_files(repo) if is_configuration(name)]
        config_tree.check_working_tree(repo, names, "in the working tree")
        destination.mkdir(parents=True)
        top = config_tree.roots(repo)
        for relative in names:
            _copy(repo, relative, destination, top)
    else:
        destination.mkdir(parents=True)
        _extract_commit(repo, source, destination)
    if not (destination / MARKER).is_dir():
        where = f"ref {source.ref!r}" if source.ref else str(repo)
        raise SiteError(f"{where} holds no {MARKER}/: not a Kayobe configuration to render.")
    return destination


def files(snapshot: Path) -> list[tuple[str, Path]]:
    """The snapshot's files (symlinks as themselves), sorted by their relative path."""
    return config_tree.walk(snapshot, configuration_only=True)


def _copy(repo: Path, relative: str, destination: Path, top: Sequence[PurePosixPath]) -> None:
    """One file of the working tree into the snapshot (a link as a link into the snapshot)."""
    source, target = repo / relative, destination / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        target.symlink_to(config_tree.relocated(relative, os.readlink(source), top))
    else:
        shutil.copy2(source, target)


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
            members = tar.getmembers()
            where = f"at ref {source.ref!r} ({source.commit[:12]})"
            config_tree.check_archive(repo, members, where)
            wanted = [m for m in members if not m.isdir() and is_configuration(m.name)]
            top = config_tree.roots(repo)
            for member in wanted:
                if member.issym():
                    member.linkname = config_tree.relocated(member.name, member.linkname, top)
            tar.extractall(destination, members=wanted, filter="tar")
    finally:
        archive.unlink(missing_ok=True)


def _git(repo: Path, *args: str) -> "subprocess.CompletedProcess[str]":
    return git(repo, *args, check=False)
