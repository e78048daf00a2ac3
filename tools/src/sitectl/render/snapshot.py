"""The configuration to render, copied into a scratch directory: a git ref's tree, or the
working tree as it is on disk.

A render never runs kayobe in the repository itself: kayobe writes into the configuration it
is given (e.g. kolla's passwords.yml when it completes it), and operators and other tools work
in the repository concurrently.

The snapshot is the repository: every file git would commit (for the working tree: tracked
and untracked files that are not ignored; for a ref: its tree), except sitectl's own state
and caches (.git, .cache, .venv, reports/, generated/, .gitlab-ci-local/, __pycache__;
config_tree.in_snapshot()). A configuration may run the repository's own scripts
(`lookup('pipe', kayobe_config_path ~ '/../../tools/x.py')`), which may read any file of it,
so nothing else is left out. When a render fails on a file that was left out, its error says
which file and why (left_out()).

What decides a render is narrower (files(), the input hash's view): the configuration
(config_tree.is_configuration: not the tooling and its tests, the pipeline, documentation
or the files at the top of the repository) and the files it names (config_tree.named():
`tools/x.py` above, and what that script names in turn, such as `.gitreview`). A change to
anything else (a README, tests/) renders nothing new.

Symbolic links are copied as links, and only when they stay inside the repository
(sitectl.config_tree): a configuration link leading outside is an error before anything is
copied; any other such link is left out. An absolute link into the repository is made
relative in the copy, so the copy never points back into the repository.
"""

import os
import posixpath
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sitectl import config_tree
from sitectl.config_tree import is_configuration
from sitectl.errors import SiteError
from sitectl.git import git
from sitectl.render.normalise import PLACEHOLDER
from sitectl.repo import MARKER

WORKING_TREE = "working-tree"
# A path of the snapshot as a failed render's error shows it (normalise.py's placeholder).
_MENTIONED = re.compile(re.escape(PLACEHOLDER.format("repo")) + r"/([\w.@+/-]+)")

__all__ = [
    "WORKING_TREE",
    "Source",
    "files",
    "is_configuration",
    "left_out",
    "materialise",
    "resolve",
]


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
    """Write the repository at `source` into `destination` (created), sitectl's state aside;
    returns it. SiteError, with nothing written, when one of its configuration links leads
    outside the repository."""
    if source.commit == WORKING_TREE:
        top = config_tree.roots(repo)
        names = [name for name in config_tree.working_tree_files(repo) if _copied(repo, name)]
        names = config_tree.followable(
            config_tree.DiskTree(repo), names, top, "in the working tree"
        )
        destination.mkdir(parents=True)
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
    """The snapshot's files that decide a render (symlinks as themselves), sorted by their
    relative path: the configuration and the files it names."""
    every = config_tree.walk(snapshot)
    tree = config_tree.DiskTree(snapshot)
    top = config_tree.roots(snapshot)
    named = config_tree.named(tree, [name for name, _ in every], is_configuration, top)
    return [(name, path) for name, path in every if is_configuration(name) or name in named]


def _copied(repo: Path, relative: str) -> bool:
    """Whether a file git would commit goes into the snapshot (a submodule's directory does
    not: git archive leaves its content out of a ref's tree too)."""
    path = repo / relative
    return config_tree.in_snapshot(relative) and (path.is_symlink() or not path.is_dir())


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
            top = config_tree.roots(repo)
            copied = [m for m in members if not m.isdir() and config_tree.in_snapshot(m.name)]
            tree = config_tree.ArchiveTree(members)
            kept = set(config_tree.followable(tree, [m.name for m in copied], top, where))
            wanted = [member for member in copied if member.name in kept]
            for member in wanted:
                if member.issym():
                    member.linkname = config_tree.relocated(member.name, member.linkname, top)
            tar.extractall(destination, members=wanted, filter="tar")
    finally:
        archive.unlink(missing_ok=True)


def _git(repo: Path, *args: str) -> "subprocess.CompletedProcess[str]":
    return git(repo, *args, check=False)


# --- when a render fails on a file it does not have ---------------------------------------


def left_out(repo: Path, source: Source, snapshot: Path, said: str) -> list[str]:
    """Why files are missing that a failed render needed, one line each: the snapshot's paths
    its error (`said`) mentions that the snapshot does not hold, and the files that those it
    does hold name (a script the configuration ran, and what the script reads) that it does
    not. Only files the snapshot left out of the repository are explained (sitectl's state, a
    file git ignores or a ref lacks, a link leading outside): a path that exists nowhere is
    the configuration's own mistake, which the error already shows."""
    lines = []
    for mentioned in dict.fromkeys(_MENTIONED.findall(said)):
        relative = posixpath.normpath(mentioned)
        if relative.split("/")[0] == "..":
            continue
        if os.path.lexists(snapshot / relative):
            for name, why in _missing_named(repo, source, snapshot, relative):
                lines.append(f"{relative} names {name}, which the render does not have: {why}.")
        else:
            why = _why_missing(repo, source, relative)
            if why is not None:
                lines.append(f"{relative} is not in the render's copy of the repository: {why}.")
    return lines


def _missing_named(
    repo: Path, source: Source, snapshot: Path, relative: str
) -> Iterator[tuple[str, str]]:
    """The paths the text of the snapshot's file `relative` spells that the snapshot left out,
    with why."""
    text = config_tree.DiskTree(snapshot).texts([relative]).get(relative, "")
    directory = posixpath.dirname(relative)
    seen: set[str] = set()
    for token in sorted(config_tree.path_tokens(relative, text)):
        for path in config_tree.spellings(token, directory):
            if path in seen or os.path.lexists(snapshot / path):
                continue
            seen.add(path)
            is_directory = (repo / path).is_dir() and not (repo / path).is_symlink()
            if is_directory and not config_tree.may_name_directory(token, path):
                continue
            why = _why_missing(repo, source, path)
            if why is not None:
                yield path, why


def _why_missing(repo: Path, source: Source, relative: str) -> str | None:
    """Why the snapshot does not hold a path of the repository (None: the repository has no
    such file either, or nothing explains it)."""
    path = repo / relative
    if not os.path.lexists(path):
        return None
    state = config_tree.why_not_in_snapshot(relative)
    if state is not None:
        return state
    if path.is_symlink() and config_tree.escapes(
        config_tree.DiskTree(repo), [relative], config_tree.roots(repo)
    ):
        return "it is a symbolic link leading outside the repository, which a render never copies"
    if source.commit != WORKING_TREE:
        return (
            f"it is not in the tree of {source.ref} ({source.commit[:12]}): a render of a ref "
            "copies what that commit holds (commit the file, or render the working tree)"
        )
    if _git(repo, "check-ignore", "-q", "--", relative).returncode == 0:
        return (
            "git ignores it (.gitignore), and a render copies only what git would commit "
            "(un-ignore it and commit it, or have the configuration not read it)"
        )
    return None
