"""The repository's configuration as a tree of files, and the one rule for its symbolic links.

Which paths are configuration (what a render reads: everything but the tooling and its tests,
the pipeline, documentation and the files at the top of the repository), which of them the
working tree holds (what git would commit), and whether a symbolic link among them may be
followed.

A link may be followed when what it leads to stays inside the repository: a relative link
that does not climb out, an absolute one naming a path inside the repository, and every link
it passes through on the way likewise. Anything else (an absolute link elsewhere, `../`
climbing above the repository, a chain of links that ends outside, a dangling link to the
outside) is refused before anything is copied or rendered: a render would otherwise copy what
it reaches into its output, its cache and the config diff's report. The decision is taken on
the tree itself (the working tree, or a commit's `git archive`), never on what exists outside
the repository on the machine that checks.
"""

import os
import subprocess
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Protocol

from sitectl.errors import SiteError
from sitectl.git import git

NOT_CONFIGURATION = frozenset({"tools", "tests", "ci", ".ci"})
SKIP = frozenset({".git", "__pycache__", ".cache", ".venv", ".pytest_cache", ".mypy_cache"})
MAX_HOPS = 40  # links followed in one path before it counts as a loop (Linux's limit)
ADVICE = (
    "sitectl never follows a link out of the repository (a render would copy what it reaches "
    "into its output, its cache and the diff's report): replace the link with the file itself, "
    "or point it at a file inside the repository."
)


def is_configuration(relative: str) -> bool:
    """Whether a file (path relative to the repository) is part of what a render reads."""
    parts = relative.split("/")
    return not (
        len(parts) == 1
        or parts[0] in NOT_CONFIGURATION
        or SKIP.intersection(parts)
        or parts[-1].endswith((".md", ".pyc"))
    )


def walk(root: Path, configuration_only: bool) -> list[tuple[str, Path]]:
    """The files under `root` (symlinks, to directories too, as themselves), sorted."""
    found = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP)
        for name in sorted(filenames) + [d for d in dirnames if Path(directory, d).is_symlink()]:
            path = Path(directory, name)
            relative = path.relative_to(root).as_posix()
            if not configuration_only or is_configuration(relative):
                found.append((relative, path))
    return sorted(found)


def working_tree_files(repo: Path) -> list[str]:
    """Files git would commit (tracked or untracked, not ignored) that exist; without git,
    every file but the usual caches."""
    result = git(repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard", check=False)
    prefix = git(repo, "rev-parse", "--show-prefix", check=False)
    if result.returncode == 0 and prefix.returncode == 0 and prefix.stdout.strip() == "":
        names = sorted({name for name in result.stdout.split("\0") if name})
        return [name for name in names if os.path.lexists(repo / name)]
    return [relative for relative, _ in walk(repo, configuration_only=False)]


# --- the rule for links ---------------------------------------------------------------------


class Tree(Protocol):
    """A repository's files as the link rule sees them."""

    def link_target(self, relative: str) -> str | None:
        """The text of the link at `relative` (no link in its parents), None: not a link."""
        ...


class DiskTree:
    """A directory on disk (the working tree, or a snapshot of it)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def link_target(self, relative: str) -> str | None:
        path = self.root / relative
        return os.readlink(path) if path.is_symlink() else None


class ArchiveTree:
    """A commit's tree, as the members of its `git archive`."""

    def __init__(self, members: Iterable[tarfile.TarInfo]) -> None:
        self.links = {_member_name(m): m.linkname for m in members if m.issym()}

    def link_target(self, relative: str) -> str | None:
        return self.links.get(relative)


@dataclass(frozen=True)
class Resolved:
    """Where a path leads: `path` inside the repository ("" its top; None: a loop), or
    `outside`, the absolute path where it leaves it."""

    path: str | None
    outside: str | None = None


@dataclass(frozen=True)
class Escape:
    """A link that leads outside the repository."""

    link: str  # relative to the repository
    target: str  # the link's own text
    reaches: str  # the absolute path where it leaves the repository

    def problem(self) -> str:
        """What is wrong, after the link's name: "is a symbolic link to ..."."""
        return f"is a symbolic link to {self.target}, outside the repository{self._via()}"

    def describe(self) -> str:
        """`LINK -> TARGET`, and where it leads when the target does not say."""
        return f"{self.link} -> {self.target}{self._via()}"

    def _via(self) -> str:
        return "" if self.reaches == self.target else f" (it leads to {self.reaches})"


def roots(repo: Path) -> tuple[PurePosixPath, ...]:
    """The absolute paths that name the repository (as given, and with its links resolved)."""
    given = PurePosixPath(os.path.abspath(repo))
    real = PurePosixPath(os.path.realpath(repo))
    return (given,) if given == real else (given, real)


def resolve(tree: Tree, relative: str, top: Sequence[PurePosixPath]) -> Resolved:
    """Follow `relative` through the tree's links, as the kernel would, without leaving it:
    every component that is a link is replaced by its target. `top`: roots()."""
    done: list[str] = []
    pending = relative.split("/")[::-1]  # a stack: the next component last
    hops = 0
    while pending:
        part = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            if not done:
                climbed = os.path.normpath(os.path.join(top[0].parent, *reversed(pending)))
                return Resolved(None, climbed)
            done.pop()
            continue
        target = tree.link_target("/".join([*done, part]))
        if target is None:
            done.append(part)
            continue
        hops += 1
        if hops > MAX_HOPS:
            return Resolved(None)  # a loop: it leads nowhere, inside or out
        if target.startswith("/"):
            rest = inside(target, top)
            if rest is None:
                return Resolved(None, os.path.normpath(target))
            done = []
            pending.extend(reversed(rest))
        else:
            pending.extend(reversed(target.split("/")))
    return Resolved("/".join(done))


def inside(absolute: str, top: Sequence[PurePosixPath]) -> list[str] | None:
    """The components of an absolute link target after the repository's root (None: it is
    not under the root). Up to the root `..` is taken literally: no path outside the
    repository is looked at."""
    stack: list[str] = []
    parts = absolute.split("/")
    for index, part in enumerate([*parts, ""]):
        if any(tuple(stack) == root.parts[1:] for root in top):
            return [p for p in parts[index:] if p]
        if part == "..":
            stack = stack[:-1]
        elif part not in ("", "."):
            stack.append(part)
    return None


def escape(tree: Tree, link: str, top: Sequence[PurePosixPath]) -> Escape | None:
    """How the link at `link` leaves the repository, or None when it stays inside."""
    target = tree.link_target(link)
    if target is None:
        return None
    outside = resolve(tree, link, top).outside
    return Escape(link, target, outside) if outside is not None else None


def escapes(tree: Tree, links: Iterable[str], top: Sequence[PurePosixPath]) -> list[Escape]:
    """The links among `links` that lead outside the repository."""
    found = (escape(tree, link, top) for link in links)
    return [e for e in found if e is not None]


def relocated(link: str, target: str, top: Sequence[PurePosixPath]) -> str:
    """The target to give a copy of the link: an absolute target inside the repository
    becomes the same path relative to the link, so that a copy of the tree points into
    itself, never back into the repository; other targets stay as they are."""
    rest = inside(target, top) if target.startswith("/") else None
    if rest is None:
        return target
    climb = [".."] * (len(PurePosixPath(link).parts) - 1)
    return "/".join([*climb, *rest]) or "."


def refused(found: Sequence[Escape], where: str) -> SiteError:
    """The error for links that lead outside the repository (`where`: whose tree, e.g. "in
    the working tree")."""
    if len(found) == 1:
        what = f"{found[0].link} {found[0].problem()}"
    else:
        listed = "; ".join(e.describe() for e in found)
        what = f"{len(found)} symbolic links lead outside the repository: {listed}"
    return SiteError(f"{where}, {what}. {ADVICE}")


def check_working_tree(repo: Path, names: Iterable[str], where: str) -> None:
    """SiteError when a link among `names` (paths of the working tree) leads outside."""
    found = escapes(DiskTree(repo), names, roots(repo))
    if found:
        raise refused(found, where)


def check_archive(repo: Path, members: Sequence[tarfile.TarInfo], where: str) -> None:
    """SiteError when a configuration link among a commit's archive members leads outside
    (`repo`: where the repository is, for absolute links into it)."""
    tree = ArchiveTree(members)
    wanted = [name for name in tree.links if is_configuration(name)]
    found = escapes(tree, sorted(wanted), roots(repo))
    if found:
        raise refused(found, where)


def check_commit(repo: Path, commit: str, where: str) -> None:
    """check_archive() on the tree of `commit`, read from `git archive` as it streams."""
    with subprocess.Popen(
        ["git", "-C", str(repo), "archive", "--format=tar", commit],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        members = _links_of(process.stdout) if process.stdout is not None else []
        said = process.stderr.read() if process.stderr is not None else b""
    if process.returncode != 0:
        raise SiteError(
            f"{where}: git archive of {commit} failed in {repo}.",
            details=said.decode(errors="replace").strip().splitlines()[-5:],
        )
    check_archive(repo, members, where)


def _links_of(stream: IO[bytes]) -> list[tarfile.TarInfo]:
    """The symbolic-link members of a tar stream (the rest is read past, never kept)."""
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        links = [member for member in archive if member.issym()]
    while stream.read(1 << 16):  # git's padding after the archive's end: let git finish
        pass
    return links


def _member_name(member: tarfile.TarInfo) -> str:
    return member.name.removeprefix("./").rstrip("/")
