"""The GitLab pipeline sitectl runs in, read from GitLab's predefined variables.

Jobs stay one-line calls because the tool, not the job's YAML, works out what a change is:

- in a merge-request pipeline ($CI_MERGE_REQUEST_IID; also inside child pipelines, where
  $CI_PIPELINE_SOURCE is "parent_pipeline") the change is the MR: its target branch is fetched
  as origin/BRANCH;
- in a branch pipeline the change is the push: $CI_COMMIT_BEFORE_SHA..HEAD when GitLab gives
  a commit the clone has (not for a new branch, where it is all zeros);
- anywhere else (a laptop, a schedule, a web run) the change is the last commit, HEAD~1..HEAD.
"""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sitectl.errors import SiteError
from sitectl.git import git
from sitectl.progress import note

NO_COMMIT = re.compile(r"^0+$")


@dataclass(frozen=True)
class Change:
    base: str  # the revision the change is compared with
    why: str  # where that came from, for the job log


def target_branch(repo: Path, environ: Mapping[str, str] = os.environ) -> str | None:
    """origin/BRANCH of the merge request's target, fetched; None outside an MR pipeline."""
    branch = environ.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
    if not environ.get("CI_MERGE_REQUEST_IID") or not branch:
        return None
    remote_ref = f"refs/remotes/origin/{branch}"
    fetched = git(
        repo,
        "fetch",
        "--quiet",
        "--no-tags",
        "origin",
        f"+refs/heads/{branch}:{remote_ref}",
        check=False,
    )
    if fetched.returncode != 0:
        raise SiteError(
            f"cannot fetch the merge request's target branch {branch!r} from origin "
            f"(git fetch exit {fetched.returncode}); the job needs the target's history: set "
            "GIT_DEPTH to 0 for it, or check the runner can reach the repository.",
            details=fetched.stderr.strip().splitlines()[-3:],
        )
    return f"origin/{branch}"


def change(repo: Path, environ: Mapping[str, str] = os.environ) -> Change:
    """The base of the change this pipeline is about (see the module's docstring)."""
    target = target_branch(repo, environ)
    if target is not None:
        merge_base = git(repo, "merge-base", target, "HEAD", check=False).stdout.strip()
        if merge_base:
            return Change(
                merge_base,
                f"merge request !{environ['CI_MERGE_REQUEST_IID']}: "
                f"where HEAD branched from {target}",
            )
        return Change(target, f"merge request: {target} (no common history with HEAD)")
    before = environ.get("CI_COMMIT_BEFORE_SHA", "")
    if before and not NO_COMMIT.match(before) and _has_commit(repo, before):
        return Change(before, "the push: the branch's previous head")
    return Change("HEAD~1", "the last commit")


def announce(tag: str, found: Change) -> str:
    note(tag, f"comparing with {found.base[:12]} ({found.why})")
    return found.base


def _has_commit(repo: Path, sha: str) -> bool:
    return git(repo, "cat-file", "-e", f"{sha}^{{commit}}", check=False).returncode == 0
