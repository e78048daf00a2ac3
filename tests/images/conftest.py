"""Shared fixtures of the image tests: a scratch git copy of this repository with example
changes on branches, and kolla renders (cached by input hash, so each is rendered once)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sitectl.images import plan as planner
from sitectl.images.kolla import BuildConfig, Render
from sitectl.images.plan import Plan
from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO, copy_tree, git

SITE = "example-site"  # has the infiniband mixin
NO_IB = "ci-aio"  # has not

# Example changes: branch -> {path: new content (None: delete)}.
NEUTRON_BASE_OVERRIDE = """\
{% extends parent_template %}

{% block neutron_base_footer %}
RUN echo "site: neutron-base override" > /etc/neutron/site-base.txt
{% endblock %}
"""


def _edit_text(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    return text.replace(old, new, 1)


@pytest.fixture(scope="session")
def scratch_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """This repository's files (tracked and untracked, not ignored) committed as `main` in a
    fresh git repository, with one branch per example change."""
    root = tmp_path_factory.mktemp("images") / "site"
    copy_tree(REPO, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")

    def branch(name: str, changes: dict[str, str | None]) -> None:
        git(root, "checkout", "-q", "-b", name, "main")
        for path, content in changes.items():
            if content is None:
                (root / path).unlink()
            else:
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_text(content, encoding="utf-8")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", name)
        git(root, "checkout", "-q", "main")

    server = "kolla-images/templates/neutron-server.j2"
    branch(
        "neutron-server-override",
        {server: _edit_text(root / server, "RUN ls /plugins", "RUN ls -l /plugins")},
    )
    branch(
        "neutron-base-override",
        {"kolla-images/templates/neutron-base.j2": NEUTRON_BASE_OVERRIDE},
    )
    branch("docs", {"README.md": (root / "README.md").read_text() + "\nA docs change.\n"})
    images_yml = "etc/kayobe/kolla-images.yml"
    branch(
        "base-tag",
        {
            images_yml: (root / images_yml).read_text()
            + "\n# The base image tag: a newer Rocky Linux 10 minor release.\n"
            + 'kolla_base_distro_version: "10.1"\n'
        },
    )
    ipa = "etc/kayobe/ipa.yml"
    branch(
        "ipa-packages",
        {ipa: _edit_text(root / ipa, "  - lshw\n", "  - lshw\n  - ipmitool\n")},
    )
    pins = "etc/kayobe/kolla-image-tags.yml"
    branch(
        "pin-update",
        {pins: (root / pins).read_text() + '  neutron-server: "2026.2-rocky-10-42-0123abcd"\n'},
    )
    versions = "etc/kayobe/pulp-repo-versions.yml"
    branch(
        "snapshot-bump",
        {
            versions: _edit_text(
                root / versions,
                "snapshot: rocky-10-crb-20261201T0200\n    version: 1",
                "snapshot: rocky-10-crb-20261215T0200\n    version: 2",
            )
        },
    )
    magnum = "environments/magnum/magnum.yml"
    branch(
        "magnum-driver-bump",
        {
            magnum: _edit_text(
                root / magnum,
                "magnum_capi_helm_version: 1.4.0",
                "magnum_capi_helm_version: 1.4.1",
            )
        },
    )
    aio_kolla = "environments/ci-aio/kolla.yml"
    branch(
        "enable-magnum",
        {
            aio_kolla: (root / aio_kolla).read_text()
            + "\n# Container clusters on the throwaway cloud.\n"
            + '#kolla_enable_magnum: "no"\nkolla_enable_magnum: "yes"\n'
        },
    )
    yield root


@pytest.fixture(scope="session")
def plan_of(scratch_repo: Path) -> Callable[..., Plan]:
    """plan_of(branch, env=SITE): the planner's Plan for main..branch (memoised)."""
    memo: dict[tuple[str, str], Plan] = {}

    def run(branch: str, env: str = SITE) -> Plan:
        if (branch, env) not in memo:
            memo[branch, env] = planner.plan(
                scratch_repo, env, "main", branch, EXAMPLE_PASSWORD_FILE
            )
        return memo[branch, env]

    return run


@pytest.fixture(scope="session")
def site_render(scratch_repo: Path) -> Callable[[str], tuple[BuildConfig, Render]]:
    """site_render(env): (BuildConfig, Render) of this repository's working tree (as copied to
    the scratch repository, whose render cache the planner's renders of `main` share)."""
    memo: dict[str, tuple[BuildConfig, Render]] = {}

    def run(env: str) -> tuple[BuildConfig, Render]:
        if env not in memo:
            memo[env] = planner.site_render(
                planner.checkout(scratch_repo, "main"), env, EXAMPLE_PASSWORD_FILE, scratch_repo
            )
        return memo[env]

    return run


@pytest.fixture(scope="session")
def builder_vars(scratch_repo: Path) -> Callable[[str], dict]:
    """builder_vars(env): the image builder host's resolved variables (the same cached dump
    the renders use)."""

    def run(env: str) -> dict:
        tree = planner.checkout(scratch_repo, "main")
        return dict(planner.builder_variables(tree, env, EXAMPLE_PASSWORD_FILE))

    return run
