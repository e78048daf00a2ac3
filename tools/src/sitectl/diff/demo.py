"""`sitectl diff --demo`: the diff of a small, realistic change, made without touching anything.

The demo change (overcommit ratios in the nova.conf override every Nova service reads) is
written into a commit on top of HEAD with git plumbing and a private index: the working tree,
the index and every branch stay as they are; the commit is unreferenced and git collects it in
its own time. Its diff against HEAD is then an ordinary `sitectl diff HEAD <commit>`, and shares
the render cache with the operator's own diffs.
"""

import tempfile
from pathlib import Path

from sitectl import git, vault
from sitectl.errors import SiteError
from sitectl.progress import note

ENVIRONMENT = "ci-aio"
FILE = "etc/kayobe/kolla/config/nova.conf"
ANCHOR = "[filter_scheduler]"
ADDITION = """\
[DEFAULT]
# Overcommit: 4 vCPUs per physical core, no RAM overcommit (sitectl diff --demo).
cpu_allocation_ratio = 4.0
ram_allocation_ratio = 1.0

"""
DESCRIPTION = f"overcommit ratios added to {FILE}, which every Nova service reads"


def password_file(repo: Path, given: Path | None) -> Path | None:
    """The vault password for the demo: the operator's if there is one, else the documented
    test password the example environments are encrypted with."""
    if vault.find_password(repo, given) is not None:
        return given
    example = repo / vault.EXAMPLE_PASSWORD_FILE
    if example.is_file():
        note("diff", f"demo: no vault password given; using the example one ({example.name})")
        return example
    return given


def change(text: str) -> str:
    """nova.conf with the demo's [DEFAULT] section before its first section."""
    if ANCHOR not in text:
        raise SiteError(f"the demo expects a {ANCHOR} section in {FILE}; it has none.")
    return text.replace(ANCHOR, ADDITION + ANCHOR, 1)


def make_commit(repo: Path, parent: str = "HEAD") -> str:
    """A commit: `parent` plus the demo change. Nothing else in the repository changes."""
    parent_commit = git.resolve(repo, parent)
    original = git.git(repo, "show", f"{parent_commit}:{FILE}", check=False)
    if original.returncode != 0:
        raise SiteError(f"the demo changes {FILE}, which {parent} does not have.")
    blob = git.git(repo, "hash-object", "-w", "--stdin", input=change(original.stdout))
    mode = git.git(repo, "ls-tree", parent_commit, FILE).stdout.split()[0]
    with tempfile.TemporaryDirectory(prefix="sitectl-demo-") as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch, "index"))}
        git.git(repo, "read-tree", parent_commit, env=env)
        git.git(
            repo, "update-index", "--cacheinfo", f"{mode},{blob.stdout.strip()},{FILE}", env=env
        )
        tree = git.git(repo, "write-tree", env=env).stdout.strip()
    message = f"sitectl diff --demo: {DESCRIPTION}"
    return git.git(repo, "commit-tree", tree, "-p", parent_commit, "-m", message).stdout.strip()
