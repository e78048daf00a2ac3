"""Merge-request semantics for the config diff: which commit is the head.

The base is the target branch; the head is the MR's head merged onto the target (as GitLab's
merged-results pipelines build it), so changes that landed on the target meanwhile do not show
as reverted. The merge is made with `git merge-tree --write-tree` and `git commit-tree`: no
checkout, no index, no branch is touched, and the commit it makes is an unreferenced object git
collects in its own time.
"""

import os
import shutil
import tempfile
from pathlib import Path

from sitectl.errors import SiteError
from sitectl.git import git, is_ancestor, resolve
from sitectl.repo import STATE


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
        # sitectl's own state stays out whatever the repository's .gitignore says: the
        # index would copy it into .git/objects (generated passwords included).
        state = [f":(exclude,top){name}" for name in STATE]
        git(repo, "add", "--all", "--", ".", *state, env=env)
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
