"""Fixtures of the validator's tests: a temporary copy of the repository holding one small
broken environment per rule, validated through real kayobe (once per environment and
session), and the resolved data of clean environments for the fuzz tests."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from config.mini_site import copy_repository

from sitectl.dump import dump
from sitectl.validate import EnvironmentReport, validate
from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO

from .cases import CASES, build_case_environments

Validated = Callable[[str], EnvironmentReport]


@pytest.fixture(scope="session", autouse=True)
def no_operator_vault_password() -> Iterator[None]:
    """The tests give the password explicitly: none may come from the environment."""
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("KAYOBE_VAULT_")}
    yield
    os.environ.update(saved)


@pytest.fixture(scope="session")
def case_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's configuration with every case's environment added."""
    repo = copy_repository(REPO, tmp_path_factory.mktemp("validate-cases"))
    build_case_environments(repo, CASES)
    return repo


@pytest.fixture(scope="session")
def validated(case_repo: Path) -> Validated:
    """The report of one case environment (validated once per session)."""
    seen: dict[str, EnvironmentReport] = {}

    def report(environment: str) -> EnvironmentReport:
        if environment not in seen:
            seen[environment] = validate(case_repo, environment, EXAMPLE_PASSWORD_FILE)
        return seen[environment]

    return report


@pytest.fixture(scope="session")
def clean_dump(case_repo: Path, validated: Validated) -> Callable[[str], dict]:
    """The resolved configuration of a clean case environment (from the dump cache)."""

    def resolved(environment: str) -> dict:
        validated(environment)  # kayobe runs at most once per environment
        return dump(case_repo, environment, vault_password_file=EXAMPLE_PASSWORD_FILE)

    return resolved
