"""Fixtures for the config diff's tests: synthetic render directories, tiny git repositories
and the stand-in renderer."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from sitectl import vault
from sitectl.diff.run import Request
from sitectl.repo import cache_dir
from tests.helpers import git

from .builders import Site
from .fake_render import FakeRenderer

NOVA_CONF = """\
[DEFAULT]
debug = False

[database]
connection = mysql+pymysql://nova:vault:db@10.0.0.100/nova

[filter_scheduler]
enabled_filters = ComputeFilter,ImagePropertiesFilter
"""

FILES = {
    "README.md": "# a site\n",
    "etc/kayobe/inventory/hosts": "ctl01 controllers\nctl02 controllers\nctl03 controllers\n"
    "cmp01 compute\ncmp02 compute\n",
    "etc/kayobe/networks.yml": "internal_net_cidr: 10.0.0.0/24\ninternal_net_vlan: 100\n",
    "etc/kayobe/secrets.yml": "database_password: vault:db\n",
    "etc/kayobe/kolla/config/nova.conf": NOVA_CONF,
    "etc/kayobe/kolla/config/keystone.conf": "[DEFAULT]\ndebug = False\n",
    "environments/ci-aio/README.md": "# ci-aio\n\nThe all-in-one CI cloud.\n",
    "environments/ci-aio/ci.yml": "os_distribution: rocky\n",
    "environments/other/other.yml": "os_distribution: ubuntu\n",
    "tools/tool.py": "print('hi')\n",
}


def write(repo: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def commit(repo: Path, files: Mapping[str, str], message: str) -> str:
    write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


# Settings of the shell or CI job that would change what the diff does (post to GitLab, use
# another vault password, find another repository).
AMBIENT = (
    *("SITECTL_GITLAB_TOKEN", "GITLAB_TOKEN", "CI_API_V4_URL", "CI_PROJECT_ID"),
    *("CI_MERGE_REQUEST_IID", "CI_JOB_URL", "CI_PROJECT_DIR", "SITECTL_REPO"),
    *("KAYOBE_VAULT_PASSWORD", "KAYOBE_VAULT_PASSWORD_FILE", "KAYOBE_ENVIRONMENT"),
)


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in AMBIENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def site_repo(tmp_path: Path) -> Path:
    """A git repository (branch main) laid out like this one, small enough for FakeRenderer."""
    repo = tmp_path / "site"
    (repo / "etc" / "kayobe").mkdir(parents=True)
    (repo / "environments").mkdir()
    (repo / "etc" / "kayobe" / "environments").symlink_to(Path("..", "..", "environments"))
    git(repo, "init", "-q", "-b", "main")
    commit(repo, FILES, "initial")
    return repo


@pytest.fixture
def renderer(tmp_path: Path) -> FakeRenderer:
    return FakeRenderer(tmp_path / "renders")


@pytest.fixture
def site() -> Site:
    return Site()


def clone_on_a_branch(repo_root: Path, directory: Path, branch: str) -> Path:
    """A clone of this repository in `directory` (objects shared): its HEAD as `main`, and
    `branch` made from it and checked out."""
    clone = directory / "clone"
    subprocess.run(["git", "clone", "-q", "--shared", str(repo_root), str(clone)], check=True)
    git(clone, "checkout", "-q", "-B", "main")
    git(clone, "checkout", "-q", "-b", branch)
    return clone


def real_request(
    repo_root: Path, clone: Path, environment: str, base: str, head: str, **more: Any
) -> Request:
    """A diff of the clone with real renders: the example vault password, and this
    repository's render cache (entries depend only on their inputs, so clones share them)."""
    return Request(
        clone,
        environment,
        base,
        head,
        vault_password_file=repo_root / vault.EXAMPLE_PASSWORD_FILE,
        cache_dir=cache_dir(repo_root, "sitectl", "render"),
        **more,
    )
