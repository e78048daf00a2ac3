"""Real renders, shared by the render tests.

Each render is cached by a hash of its inputs under REPO/.cache/sitectl/render, so a second
test run costs no kayobe run unless the configuration, the toolchain or sitectl's render code
changed. Every render here uses the documented test vault password explicitly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sitectl.render import render
from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO

from .plaintexts import plaintexts

CACHE = REPO / ".cache" / "sitectl" / "render"


@pytest.fixture(scope="session")
def password() -> str:
    return EXAMPLE_PASSWORD_FILE.read_text().strip()


@pytest.fixture(scope="session")
def ci_aio() -> Path:
    """ci-aio, every service, of the working tree."""
    return render(REPO, "ci-aio", vault_password_file=EXAMPLE_PASSWORD_FILE)


@pytest.fixture(scope="session")
def example_site() -> Path:
    """example-site, nova only: the SR-IOV and InfiniBand per-host PCI settings."""
    return render(
        REPO, "example-site", services=["nova"], vault_password_file=EXAMPLE_PASSWORD_FILE
    )


@pytest.fixture(scope="session")
def secrets(password: str) -> set[str]:
    found = plaintexts([REPO / "etc", REPO / "environments"], password)
    assert len(found) > 100, "expected kolla's passwords and the sites' vaulted values"
    return found
