"""The git side of a merge-request diff: which commits to render, which files changed.

Merge-request semantics: the base is the target branch; the head is the MR's head merged onto
the target (as GitLab's merged-results pipelines build it), so changes that landed on the target
meanwhile do not show as reverted. The merge is made with `git merge-tree --write-tree` and
`git commit-tree`: no checkout, no index, no branch is touched, and the commit it makes is an
unreferenced object git collects in its own time.
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sitectl.errors import SiteError

IDENTITY = {
    "GIT_AUTHOR_NAME": "sitectl diff",
    "GIT_AUTHOR_EMAIL": "sitectl-diff@localhost",
    "GIT_COMMITTER_NAME": "sitectl diff",
    "GIT_COMMITTER_EMAIL": "sitectl-diff@localhost",
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
        raise SiteError("git is not installed (or not on PATH); sitectl diff needs it.") from None
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
        raise SiteError(f"{repo} is not a git repository; sitectl diff compares git revisions.")
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


def snapshot_working_tree(repo: Path) -> str:
    """A commit of the working tree as it is (tracked changes and untracked, not ignored,
    files), on top of HEAD. Uses a private index: the operator's index is not touched."""
    parent = resolve(repo, "HEAD")
    index = git(repo, "rev-parse", "--git-path", "index").stdout.strip()
    index_path = Path(index) if os.path.isabs(index) else repo / index
    with tempfile.TemporaryDirectory(prefix="sitectl-index-") as scratch:
        private = Path(scratch, "index")
        if index_path.exists():
            shutil.copyfile(index_path, private)
        env = {"GIT_INDEX_FILE": str(private)}
        git(repo, "add", "--all", "--", ".", env=env)
        tree = git(repo, "write-tree", env=env).stdout.strip()
    message = "sitectl diff: the working tree"
    return git(repo, "commit-tree", tree, "-p", parent, "-m", message).stdout.strip()


def merge_onto(repo: Path, base: str, head: str, head_label: str, base_label: str) -> str:
    """A commit of `head` merged onto `base`; a conflict is an error naming the files."""
    if is_ancestor(repo, head, base):
        return base  # already merged: the MR adds nothing
    if is_ancestor(repo, base, head):
        return head  # a fast-forward: the merge result is the head itself
    result = git(
        repo, "merge-tree", "--write-tree", "--name-only", "--no-messages", base, head, check=False
    )
    lines = result.stdout.splitlines()
    if result.returncode == 1:
        conflicts = [line for line in lines[1:] if line.strip()]
        raise SiteError(
            f"{head_label} does not merge cleanly onto {base_label}: conflicts in "
            f"{', '.join(conflicts) or 'some files'}. Merge {base_label} into the branch (or "
            f"rebase onto it) and resolve them; the diff shows what the merge would change, "
            f"so it needs a merge that exists."
        )
    if result.returncode != 0 or not lines:
        raise SiteError(
            f"cannot merge {head_label} onto {base_label} with git merge-tree "
            f"(exit {result.returncode}); git 2.38 or newer is needed.",
            details=result.stderr.strip().splitlines()[-5:],
        )
    tree = lines[0].strip()
    message = f"sitectl diff: {head_label} merged onto {base_label}"
    return git(repo, "commit-tree", tree, "-p", base, "-p", head, "-m", message).stdout.strip()


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    result = git(repo, "merge-base", "--is-ancestor", ancestor, descendant, check=False)
    return result.returncode == 0


def changed_files(repo: Path, old: str, new: str) -> list[str]:
    """Paths that differ between two commits (both names of a rename)."""
    out = git(repo, "diff", "--name-only", "--no-renames", "-z", old, new).stdout
    return sorted(path for path in out.split("\0") if path)


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
