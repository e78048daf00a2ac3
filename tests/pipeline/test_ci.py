"""Which change a GitLab pipeline is about (sitectl.ci), on real git repositories, and the
predefined variables each simulated pipeline kind sets (sitectl.gitlab_local)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from sitectl import ci, gitlab_local
from sitectl.errors import SiteError
from tests.helpers import REPO, git


def commit(repo: Path, name: str) -> str:
    (repo / name).write_text(name)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", name)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A runner's clone: origin has main (two commits) and feature (branched at the first)."""
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    commit(origin, "one")
    git(origin, "checkout", "-q", "-b", "feature")
    commit(origin, "feature-work")
    git(origin, "checkout", "-q", "main")
    commit(origin, "two")
    work = tmp_path / "work"
    subprocess.run(
        ["git", "clone", "-q", "--branch", "feature", str(origin), str(work)], check=True
    )
    git(work, "update-ref", "-d", "refs/remotes/origin/main")  # as a single-branch fetch
    return work


def test_outside_gitlab_the_change_is_the_last_commit(clone: Path) -> None:
    assert ci.change(clone, {}).base == "HEAD~1"
    assert ci.target_branch(clone, {}) is None


def test_a_push_is_compared_with_the_previous_head(clone: Path) -> None:
    before = git(clone, "rev-parse", "HEAD~1")
    assert ci.change(clone, {"CI_COMMIT_BEFORE_SHA": before}).base == before
    # A new branch (all zeros) or a commit the clone lacks: the last commit.
    assert ci.change(clone, {"CI_COMMIT_BEFORE_SHA": "0" * 40}).base == "HEAD~1"
    assert ci.change(clone, {"CI_COMMIT_BEFORE_SHA": "ab" * 20}).base == "HEAD~1"


def test_a_merge_request_fetches_its_target_and_branches_from_it(clone: Path) -> None:
    environ = {"CI_MERGE_REQUEST_IID": "3", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"}
    assert ci.target_branch(clone, environ) == "origin/main"
    assert git(clone, "log", "-1", "--format=%s", "origin/main") == "two"
    found = ci.change(clone, environ)
    # Where the MR branched from main, not main's tip: main's later commits are not the MR's.
    assert git(clone, "log", "-1", "--format=%s", found.base) == "one"
    assert "merge request !3" in found.why


def test_a_missing_target_branch_is_one_clear_error(clone: Path) -> None:
    environ = {"CI_MERGE_REQUEST_IID": "3", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "stable"}
    with pytest.raises(SiteError, match="cannot fetch the merge request's target branch"):
        ci.target_branch(clone, environ)


def arguments(kind: str, **variables: str) -> tuple[dict[str, str], list[str]]:
    args = gitlab_local.pipeline_arguments(kind, "main", variables)
    values = dict(args[i + 1].split("=", 1) for i, a in enumerate(args) if a == "--variable")
    unset = [args[i + 1] for i, a in enumerate(args) if a == "--unset-variable"]
    return values, unset


def test_an_mr_pipeline_looks_like_gitlab_s() -> None:
    values, unset = arguments("mr")
    assert values["CI_PIPELINE_SOURCE"] == "merge_request_event"
    assert values["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] == "main"
    assert values["CI_MERGE_REQUEST_IID"]
    assert unset == ["CI_COMMIT_BRANCH"]  # GitLab sets no branch in MR pipelines


def test_other_kinds_and_given_variables() -> None:
    assert arguments("branch") == ({}, [])
    assert arguments("schedule")[0] == {"CI_PIPELINE_SOURCE": "schedule"}
    values, _ = arguments("web", KOLLA_IMAGE_REGEX="^nova-")
    assert values == {"CI_PIPELINE_SOURCE": "web", "KOLLA_IMAGE_REGEX": "^nova-"}
    with pytest.raises(SiteError, match="no pipeline kind 'nightly'"):
        gitlab_local.pipeline_arguments("nightly")


class _GitLabLoader(yaml.SafeLoader):
    """GitLab's YAML: `!reference [job, key]` kept as the list it names."""


_GitLabLoader.add_constructor("!reference", lambda loader, node: loader.construct_sequence(node))


def _machine_cache_kinds() -> set[str]:
    """Every kind of machine cache entry sitectl and its tests make (`machine_cache.entry`'s
    first argument: a string, or a constant of the same file)."""
    kinds = set()
    sources = [*(REPO / "tools" / "src").rglob("*.py"), *(REPO / "tests").rglob("*.py")]
    for path in sources:
        if path.name == "test_machine_cache.py":  # the cache's own tests, with a made-up kind
            continue
        text = path.read_text()
        for argument in re.findall(r"machine_cache\.entry\(\s*(\"[^\"]+\"|[A-Z_]+)", text):
            constant = re.search(rf'^{argument} = "([^"]+)"', text, re.MULTILINE)
            kinds.add(argument.strip('"') if argument.startswith('"') else constant.group(1))
    return kinds


def test_what_depends_only_on_the_pins_is_cached_by_the_pins() -> None:
    """The machine cache (schema virtualenvs, gitlab-ci-local: about 2 GB) is kept once per
    pin set, not once per branch, in the build directory where GitLab's cache can reach it;
    the other toolchains (the base's of a merge request that moves the pins) by the pins."""
    pipeline = yaml.load((REPO / ".gitlab-ci.yml").read_text(), Loader=_GitLabLoader)
    sitectl_job = pipeline[".sitectl"]
    assert sitectl_job["variables"]["SITECTL_CACHE"] == "$CI_PROJECT_DIR/.cache/machine"
    assert len(sitectl_job["cache"]) <= 4  # GitLab's limit per job
    caches = {tuple(entry["paths"]): entry["key"] for entry in sitectl_job["cache"]}
    machine_paths = next(paths for paths in caches if ".cache/machine/schema/" in paths)
    machine = caches[machine_paths]
    assert machine["files"] == [
        "tools/schema-requirements.txt",
        "tools/schema-previous-requirements.txt",
    ]
    toolchains = caches[(".cache/machine/toolchain/",)]
    assert toolchains["files"] == ["requirements.txt", "tools/constraints.txt"]
    # Every kind is in one of the two, once.
    kinds = _machine_cache_kinds()
    assert {"schema", "gitlab-ci-local", "read-index", "toolchain", "release-notes"} <= kinds
    cached = [*machine_paths, ".cache/machine/toolchain/"]
    assert sorted(cached) == sorted(f".cache/machine/{kind}/" for kind in kinds)
    assert "CI_COMMIT_REF_SLUG" not in str(machine) + str(toolchains)
    per_branch = caches[(".cache/sitectl/",)]
    assert "CI_COMMIT_REF_SLUG" in per_branch  # renders and dumps: per branch
