"""Fixtures for tests that read the repository's configuration through real kayobe.

Resolved configurations come from sitectl's dump, which runs
`kayobe configuration dump`, redacts secrets and caches the redacted result
by a hash of its inputs, so each environment costs one kayobe run per change.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sitectl.dump import dump
from tests.helpers import REPO

from .mini_site import add_mini_site, copy_repository

EXAMPLE_VAULT_PASSWORD = REPO / "ci" / "vault-password.example"

Resolved = Callable[[str], dict[str, dict]]


@pytest.fixture(scope="session", autouse=True)
def example_vault_password() -> Iterator[Path]:
    """Every environment here is encrypted with the documented test password."""
    previous = os.environ.get("KAYOBE_VAULT_PASSWORD_FILE")
    os.environ["KAYOBE_VAULT_PASSWORD_FILE"] = str(EXAMPLE_VAULT_PASSWORD)
    yield EXAMPLE_VAULT_PASSWORD
    if previous is None:
        os.environ.pop("KAYOBE_VAULT_PASSWORD_FILE", None)
    else:
        os.environ["KAYOBE_VAULT_PASSWORD_FILE"] = previous


@pytest.fixture(scope="session")
def environment_names() -> list[str]:
    return sorted(p.name for p in (REPO / "environments").iterdir() if p.is_dir())


@pytest.fixture(scope="session")
def resolved() -> Resolved:
    """Per-host resolved variables of one of the repository's environments."""
    seen: dict[str, dict[str, dict]] = {}

    def resolve(env: str) -> dict[str, dict]:
        if env not in seen:
            seen[env] = dump(REPO, env)
        return seen[env]

    return resolve


@pytest.fixture(scope="session")
def mini_site(tmp_path_factory: pytest.TempPathFactory) -> Resolved:
    """Per-host variables of a one-controller, one-hypervisor site using one mixin."""
    repo = copy_repository(REPO, tmp_path_factory.mktemp("mini-repo"))
    seen: dict[str, dict[str, dict]] = {}

    def resolve(mixin: str) -> dict[str, dict]:
        if mixin not in seen:
            seen[mixin] = dump(repo, add_mini_site(repo, mixin))
        return seen[mixin]

    return resolve
