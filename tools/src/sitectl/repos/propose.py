"""A merge request with new pins: the pin file committed on a branch of its own and pushed with
GitLab's push options (merge_request.create ...), so the push itself opens the merge request
and its pipeline tests the snapshots. The token goes in an HTTP header git is configured with
through its environment: it never appears in a URL, an argument or a message."""

from __future__ import annotations

import base64
from pathlib import Path

from sitectl.git import git
from sitectl.repos.pins import PATH


def propose(
    repo: Path, remote: str, target: str, when: str, token: str | None = None
) -> str | None:
    """Push the changed pin file as branch repos/snapshot-WHEN, asking GitLab for a merge
    request into `target`; the branch, or None when the pins did not change."""
    if not git(repo, "status", "--porcelain", "--", str(PATH)).stdout.strip():
        return None
    branch = f"repos/snapshot-{when}"
    title = f"Package snapshots of {when}"
    git(repo, "commit", "-q", "--only", "-m", title, "--", str(PATH))
    options = [
        "merge_request.create",
        f"merge_request.target={target}",
        f"merge_request.title={title}",
        "merge_request.remove_source_branch",
    ]
    env = {}
    if token:
        basic = base64.b64encode(f"oauth2:{token}".encode()).decode()
        env = {
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "http.extraHeader",
            "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
        }
    push = ["push", "-q", *(f"--push-option={o}" for o in options)]
    git(repo, *push, remote, f"HEAD:refs/heads/{branch}", env=env)
    return branch
