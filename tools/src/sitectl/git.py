"""git, as every part of sitectl runs it: plumbing commands with a fixed identity and locale,
clear errors (which command, which repository, git's own last lines), and the queries several
features share (resolving revisions, changed files, a tree at a commit)."""

import os
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sitectl.errors import SiteError

IDENTITY = {
    "GIT_AUTHOR_NAME": "sitectl",
    "GIT_AUTHOR_EMAIL": "sitectl@localhost",
    "GIT_COMMITTER_NAME": "sitectl",
    "GIT_COMMITTER_EMAIL": "sitectl@localhost",
}


def git(
    repo: Path,
    *args: str,
    env: dict[str, str] | None = None,
    check: bool = True,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            text=True,
            env={**os.environ, "LC_ALL": "C", **IDENTITY, **(env or {})},
            input=input,
            check=False,
        )
    except FileNotFoundError:
        raise SiteError("git is not installed (or not on PATH); sitectl needs it.") from None
    if check and result.returncode != 0:
        raise SiteError(
            f"git {' '.join(args[:3])} failed in {repo} (exit {result.returncode}).",
            details=result.stderr.strip().splitlines()[-5:],
        )
    return result


def is_repository(repo: Path) -> bool:
    return git(repo, "rev-parse", "--git-dir", check=False).returncode == 0


def resolve(repo: Path, ref: str) -> str:
    """The commit `ref` names, or a clear error."""
    if not is_repository(repo):
        raise SiteError(f"{repo} is not a git repository; sitectl compares git revisions.")
    if not ref or ref.startswith("-"):
        raise SiteError(f"{ref!r} is not a git revision.")
    result = git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if result.returncode != 0 or not result.stdout.strip():
        raise SiteError(
            f"unknown git revision {ref!r} in {repo}: no branch, tag or commit of that name. "
            f"List branches with `git branch -a`; in CI, fetch the target branch first (git "
            f"fetch origin $CI_MERGE_REQUEST_TARGET_BRANCH_NAME) and name it origin/BRANCH."
        )
    return result.stdout.strip()


def short(commit: str) -> str:
    return commit[:10]


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    result = git(repo, "merge-base", "--is-ancestor", ancestor, descendant, check=False)
    return result.returncode == 0


def changed_files(repo: Path, old: str, new: str) -> list[str]:
    """Paths that differ between two commits (both names of a rename)."""
    out = git(repo, "diff", "--name-only", "--no-renames", "-z", old, new).stdout
    return sorted(path for path in out.split("\0") if path)


@dataclass(frozen=True)
class Blob:
    """A file of a commit's tree, as git stores it."""

    mode: str  # "100644", "100755", "120000" (a symbolic link)
    object: str
    size: int


def tree_files(repo: Path, commit: str) -> dict[str, Blob]:
    """Every file of the tree at `commit` (links too; not submodules), by path."""
    out = git(repo, "ls-tree", "-r", "-z", "--long", "--full-tree", commit).stdout
    files = {}
    for entry in filter(None, out.split("\0")):
        meta, _, path = entry.partition("\t")
        mode, kind, obj, size = meta.split()
        if kind == "blob":
            files[path] = Blob(mode, obj, int(size))
    return files


def blobs(repo: Path, objects: Sequence[str]) -> dict[str, bytes]:
    """The content of each blob in `objects` (ids), read by one `git cat-file --batch`."""
    wanted = list(dict.fromkeys(objects))
    if not wanted:
        return {}
    result = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        input="".join(f"{obj}\n" for obj in wanted).encode(),
        capture_output=True,
        env={**os.environ, "LC_ALL": "C"},
        check=False,
    )
    if result.returncode != 0:
        raise SiteError(
            f"git cat-file failed in {repo} (exit {result.returncode}).",
            details=result.stderr.decode(errors="replace").strip().splitlines()[-5:],
        )
    return dict(zip(wanted, _batch_contents(result.stdout), strict=True))


def _batch_contents(out: bytes) -> Iterator[bytes]:
    """The contents in `git cat-file --batch` output: each is a line `<id> <type> <size>`, that
    many bytes, and a newline."""
    at = 0
    while at < len(out):
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        yield out[header_end + 1 : header_end + 1 + size]
        at = header_end + 1 + size + 1


def symlinks(repo: Path, commit: str, directory: str) -> dict[str, str]:
    """Symbolic links directly inside `directory` at `commit`: {path: target}."""
    out = git(repo, "ls-tree", "-z", commit, directory.rstrip("/") + "/", check=False).stdout
    links = {}
    for entry in out.split("\0"):
        if not entry.startswith("120000 "):
            continue
        meta, path = entry.split("\t", 1)
        target = git(repo, "cat-file", "blob", meta.split()[2]).stdout.strip()
        links[path] = target
    return links


@contextmanager
def exported(repo: Path, commit: str, paths: Sequence[str] = ()) -> Iterator[Path]:
    """A temporary plain copy of the tree at `commit` (or only `paths` of it)."""
    with tempfile.TemporaryDirectory(prefix="sitectl-tree-") as scratch:
        archive = subprocess.run(
            ["git", "-C", str(repo), "archive", "--format=tar", commit, *paths],
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            raise SiteError(
                f"git archive of {short(commit)} failed in {repo}.",
                details=archive.stderr.decode(errors="replace").strip().splitlines()[-5:],
            )
        subprocess.run(
            ["tar", "-x", "-C", scratch], input=archive.stdout, check=True, capture_output=True
        )
        yield Path(scratch)
