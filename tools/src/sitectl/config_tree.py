"""The repository's configuration as a tree of files, and the one rule for its symbolic links.

Which paths a render copies (everything git would commit but sitectl's own state and caches:
a configuration may run the repository's scripts, which may read anything in it), which of
them are configuration (what decides a render: everything but the tooling and its tests, the
pipeline, documentation and the files at the top of the repository, plus the files the
configuration names, named()), which of them the working tree holds (what git would commit),
and whether a symbolic link among them may be followed.

A file the configuration names is one whose path its text spells out, however the path is
built: `kayobe_config_path ~ '/../../tools/x.py'` still holds `tools/x.py`, and a script run so
that reads `os.path.join(root, ".gitreview")` names `.gitreview`. What a named file names is
named too. A YAML file's comments and prose are not read (`# see tools/sitectl`, a task's
`fail_msg` naming a test: no Jinja, folded or more than PROSE_WORDS words); a directory is
named by a path to it (`files/`, `tools/data`), never by a bare top-level word (`tests`);
documentation (*.md) is never configuration. The rule errs towards naming too much: a file
named by mistake only costs a render that was not needed, while one missed would let a cached
render go stale. A script's own imports (`import helper`) are not followed: only paths.

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
import posixpath
import re
import subprocess
import tarfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Protocol

import yaml

from sitectl.errors import SiteError
from sitectl.git import blobs, git, tree_files

NOT_CONFIGURATION = frozenset({"tools", "tests", "ci", ".ci"})
SKIP = frozenset({".git", "__pycache__", ".cache", ".venv", ".pytest_cache", ".mypy_cache"})
# What sitectl itself writes at the top of the repository (reports, generated pipelines,
# gitlab-ci-local's state): never part of a render, whatever .gitignore says.
STATE = frozenset({"reports", "generated", ".gitlab-ci-local"})
MAX_HOPS = 40  # links followed in one path before it counts as a loop (Linux's limit)
MAX_READ = 4 << 20  # bytes: a larger file may be named, but what it names is not looked for
LINK_MODE = "120000"  # git's mode of a symbolic link
ADVICE = (
    "sitectl never follows a link out of the repository (a render would copy what it reaches "
    "into its output, its cache and the diff's report): replace the link with the file itself, "
    "or point it at a file inside the repository."
)


def is_configuration(relative: str) -> bool:
    """Whether a file (path relative to the repository) is configuration by where it is, before
    what the configuration names (named()) is added: what decides a render."""
    parts = relative.split("/")
    return in_snapshot(relative) and not (
        len(parts) == 1 or parts[0] in NOT_CONFIGURATION or is_documentation(relative)
    )


def in_snapshot(relative: str) -> bool:
    """Whether a render copies a file of the repository: all but sitectl's own state and the
    caches (which no configuration may depend on, and which can be large)."""
    parts = relative.split("/")
    return not (parts[0] in STATE or SKIP.intersection(parts) or parts[-1].endswith(".pyc"))


def why_not_in_snapshot(relative: str) -> str | None:
    """Why in_snapshot() leaves a path out, in words (None: it does not)."""
    if in_snapshot(relative):
        return None
    if ".git" in relative.split("/"):
        return "it is git's own data, which a render never copies"
    return "it is sitectl's own state or a cache, which a render never copies"


def is_documentation(relative: str) -> bool:
    """Markdown is never configuration, even when something names it."""
    return relative.endswith(".md")


def walk(root: Path) -> list[tuple[str, Path]]:
    """The files under `root` (symlinks, to directories too, as themselves), sorted."""
    found = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP)
        for name in sorted(filenames) + [d for d in dirnames if Path(directory, d).is_symlink()]:
            path = Path(directory, name)
            found.append((path.relative_to(root).as_posix(), path))
    return sorted(found)


def working_tree_files(repo: Path) -> list[str]:
    """Files git would commit (tracked or untracked, not ignored) that exist; without git,
    every file but the usual caches."""
    result = git(repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard", check=False)
    prefix = git(repo, "rev-parse", "--show-prefix", check=False)
    if result.returncode == 0 and prefix.returncode == 0 and prefix.stdout.strip() == "":
        names = sorted({name for name in result.stdout.split("\0") if name})
        return [name for name in names if os.path.lexists(repo / name)]
    return [relative for relative, _ in walk(repo)]


# --- the rule for links ---------------------------------------------------------------------


class Tree(Protocol):
    """A repository's files as the link rule sees them."""

    def link_target(self, relative: str) -> str | None:
        """The text of the link at `relative` (no link in its parents), None: not a link."""
        ...


class ReadableTree(Tree, Protocol):
    """A repository's files as named() reads them."""

    def texts(self, relatives: Sequence[str]) -> dict[str, str]:
        """The text of each regular file among `relatives` (links, binary files and files too
        large to read are left out)."""
        ...


class DiskTree:
    """A directory on disk (the working tree, or a snapshot of it)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def link_target(self, relative: str) -> str | None:
        path = self.root / relative
        return os.readlink(path) if path.is_symlink() else None

    def texts(self, relatives: Sequence[str]) -> dict[str, str]:
        found = {}
        for relative in relatives:
            path = self.root / relative
            if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_READ:
                text = _decoded(path.read_bytes())
                if text is not None:
                    found[relative] = text
        return found


class CommitTree:
    """A commit's tree as git stores it, read without a checkout (the diff's planner)."""

    def __init__(self, repo: Path, commit: str) -> None:
        self.repo = repo
        self.files = tree_files(repo, commit)
        links = {path: b.object for path, b in self.files.items() if b.mode == LINK_MODE}
        read = blobs(repo, list(links.values()))
        self.links = {path: read[obj].decode(errors="replace") for path, obj in links.items()}

    def link_target(self, relative: str) -> str | None:
        return self.links.get(relative)

    def texts(self, relatives: Sequence[str]) -> dict[str, str]:
        wanted = {
            relative: self.files[relative].object
            for relative in relatives
            if relative in self.files
            and relative not in self.links
            and self.files[relative].size <= MAX_READ
        }
        read = blobs(self.repo, list(wanted.values()))
        decoded = {relative: _decoded(read[obj]) for relative, obj in wanted.items()}
        return {relative: text for relative, text in decoded.items() if text is not None}


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


def followable(
    tree: Tree, names: Sequence[str], top: Sequence[PurePosixPath], where: str
) -> list[str]:
    """`names` without the links that lead outside the repository. A configuration link that
    does is refused (SiteError): a render reads it. Any other is left out of the copy: a render
    must not copy what it reaches, and the configuration does not read it (when it names it
    after all, the render fails and its error says why the file is missing)."""
    found = escapes(tree, names, top)
    refusing = [e for e in found if is_configuration(e.link)]
    if refusing:
        raise refused(refusing, where)
    leaving = {e.link for e in found}
    return [name for name in names if name not in leaving]


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


# --- the files the configuration names --------------------------------------------------------

_PATH_TOKEN = re.compile(r"[\w.@+/-]+")  # a run of the characters paths are written with
_YAML = (".yml", ".yaml")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PROSE_WORDS = 8  # a YAML value of more words, without Jinja, is a message or a description


def named(
    tree: ReadableTree,
    names: Sequence[str],
    base: Callable[[str], bool],
    top: Sequence[PurePosixPath],
) -> dict[str, frozenset[str]]:
    """The files among `names` (the tree's files) outside `base` (the configuration by where
    it is) that the configuration names, directly or through other named files, each with
    the `base` files that lead to it (a change to it matters as much as a change to them)."""
    bases = [name for name in names if base(name)]
    index = _Index(name for name in names if not base(name) and not is_documentation(name))
    graph: dict[str, frozenset[str]] = {}
    pending = bases
    while pending:
        graph.update(_names_in(tree, pending, index, top))
        pending = sorted({name for found in graph.values() for name in found} - graph.keys())
    return _reached_from(graph, bases)


def named_at(repo: Path, commit: str, base: Callable[[str], bool]) -> dict[str, frozenset[str]]:
    """named() on the tree of `commit`, read from git."""
    tree = CommitTree(repo, commit)
    names = [name for name in tree.files if in_snapshot(name)]
    return named(tree, names, base, roots(repo))


def spellings(token: str, directory: str) -> list[str]:
    """The repository paths `token` may spell in a file of `directory`: the path from the top
    of the repository and each tail of it (for a path that begins outside the repository:
    `kayobe_config_path ~ '/../../tools/x.py'`, an absolute path), and the path relative to
    `directory` (a script's `lib/helper.py`, `../.gitreview`). A token that names nothing
    by name (`.`, `../..`) spells no path."""
    if not set(token.split("/")) - {"", ".", ".."}:
        return []
    parts = [part for part in posixpath.normpath("/" + token).split("/") if part]
    found = ["/".join(parts[index:]) for index in range(len(parts))]
    if directory:
        relative = posixpath.normpath(posixpath.join(directory, token.lstrip("/")))
        if relative != "." and relative.split("/")[0] != "..":
            found.append(relative)
    return found


def may_name_directory(token: str, path: str) -> bool:
    """Whether `token`, spelling `path`, names the directory there: a path to it does
    (`files/`, `tools/data`), a bare word at the top does not (`tests` in prose)."""
    return "/" in token or "/" in path


def path_tokens(relative: str, text: str) -> set[str]:
    """The words of a file's text that could be paths: of a YAML file, its keys and the values
    that are not prose, without its comments (when it parses as YAML: Jinja-templated YAML may
    not); of any other file, its whole text."""
    if relative.endswith(_YAML):
        try:
            scanned = yaml.scan(text, Loader=_LOADER)
            text = "\n".join(t.value for t in scanned if _read_for_paths(t))
        except yaml.YAMLError:
            pass
    return set(_PATH_TOKEN.findall(text))


def _read_for_paths(token: yaml.Token) -> bool:
    """Whether a YAML token is a value that can make a render read a file: one with Jinja, a
    path, a short command or a literal block (a script); not prose (folded text, or a long
    sentence without Jinja), which only messages and descriptions hold, and which may well
    mention the repository's tests or tools."""
    if not isinstance(token, yaml.ScalarToken):
        return False
    value = token.value
    if "{{" in value or "{%" in value:
        return True
    return token.style != ">" and (token.style == "|" or len(value.split()) <= PROSE_WORDS)


class _Index:
    """The files named() may find, and the directories that hold them."""

    def __init__(self, files: Iterable[str]) -> None:
        self.files = set(files)
        self.under: dict[str, list[str]] = {}
        for name in sorted(self.files):
            parts = name.split("/")
            for depth in range(1, len(parts)):
                self.under.setdefault("/".join(parts[:depth]), []).append(name)

    def lookup(self, path: str, directory: bool) -> list[str]:
        """The file at `path`, or (when `directory` may be named) the files under it."""
        if path in self.files:
            return [path]
        return self.under.get(path, []) if directory else []


def _names_in(
    tree: ReadableTree, files: Sequence[str], index: _Index, top: Sequence[PurePosixPath]
) -> dict[str, frozenset[str]]:
    """What each of `files` names among the indexed files: a link, what it leads to; a text
    file, the paths its text spells."""
    texts = tree.texts(files)
    found = {}
    for relative in files:
        if tree.link_target(relative) is not None:
            leads_to = resolve(tree, relative, top).path
            found[relative] = frozenset(index.lookup(leads_to, True) if leads_to else ())
        else:
            found[relative] = _spelled(relative, texts.get(relative, ""), index)
    return found


def _spelled(relative: str, text: str, index: _Index) -> frozenset[str]:
    """The indexed files whose paths the text of the file at `relative` spells."""
    directory = posixpath.dirname(relative)
    found: set[str] = set()
    for token in path_tokens(relative, text):
        for path in spellings(token, directory):
            found.update(index.lookup(path, may_name_directory(token, path)))
    found.discard(relative)
    return frozenset(found)


def _reached_from(
    graph: Mapping[str, frozenset[str]], bases: Sequence[str]
) -> dict[str, frozenset[str]]:
    """{file: the bases that lead to it} for every file a base leads to through `graph`."""
    reached: dict[str, set[str]] = {}
    for base in bases:
        seen: set[str] = set()
        pending = list(graph.get(base, ()))
        while pending:
            name = pending.pop()
            if name not in seen:
                seen.add(name)
                pending.extend(graph.get(name, ()))
        for name in seen:
            reached.setdefault(name, set()).add(base)
    return {name: frozenset(bases_) for name, bases_ in sorted(reached.items())}


def _decoded(data: bytes) -> str | None:
    """A file's text; None for a binary file (what it names cannot be read)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
