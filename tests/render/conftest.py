"""Real renders, shared by the render tests.

Each render is cached by a hash of its inputs under REPO/.cache/sitectl/render, so a second
test run costs no kayobe run unless the configuration, the toolchain or sitectl's render code
changed. Every render here uses the documented test vault password explicitly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sitectl.dump import dump
from sitectl.render import render, snapshot

from .plaintexts import plaintexts

REPO = Path(__file__).resolve().parents[2]
PASSWORD_FILE = REPO / "ci" / "vault-password.example"
CACHE = REPO / ".cache" / "sitectl" / "render"


@pytest.fixture(scope="session")
def password() -> str:
    return PASSWORD_FILE.read_text().strip()


@pytest.fixture(scope="session")
def ci_aio() -> Path:
    """ci-aio, every service, of the working tree."""
    return render(REPO, "ci-aio", vault_password_file=PASSWORD_FILE)


def mixed_physical_networks(env: str) -> list[str]:
    """The controllers' external networks lacking a physical_network while others have one:
    kayobe refuses that (kolla-ansible.yml, "Some external networks have a
    'physical_network' attribute defined but the following do not")."""
    hostvars = dump(REPO, env, host="ctl01", vault_password_file=PASSWORD_FILE)
    names = [hostvars["provision_wl_net_name"], hostvars["cleaning_net_name"]]
    names += hostvars["external_net_names"]
    physical = {name: hostvars.get(f"{name}_physical_network") for name in dict.fromkeys(names)}
    if all(physical.values()) or not any(physical.values()):
        return []
    return [name for name, value in physical.items() if not value]


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """example-site, nova only: the SR-IOV and InfiniBand per-host PCI settings.

    While the committed example-site has external networks with and without a physical
    network (which kayobe rejects; see test_example_site_renders_as_committed), this renders
    a copy that names the missing ones after themselves, so that the render's per-host
    results are still checked.
    """
    lacking = mixed_physical_networks("example-site")
    repo = REPO
    if lacking:
        repo = snapshot.materialise(
            REPO, snapshot.resolve(REPO, None), tmp_path_factory.mktemp("example-site") / "repo"
        )
        networks = repo / "environments" / "example-site" / "networks.yml"
        workaround = "".join(f"{name}_physical_network: {name}\n" for name in lacking)
        networks.write_text(networks.read_text() + "\n# test workaround\n" + workaround)
    return render(
        repo, "example-site", services=["nova"], vault_password_file=PASSWORD_FILE, cache_dir=CACHE
    )


@pytest.fixture(scope="session")
def secrets(password: str) -> set[str]:
    found = plaintexts([REPO / "etc", REPO / "environments"], password)
    assert len(found) > 100, "expected kolla's passwords and the sites' vaulted values"
    return found
