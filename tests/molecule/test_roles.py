"""Every role's molecule scenarios, run by the real molecule on the test engine.

molecule converges each role on a Debian trixie container (made with debootstrap, as the
image-chain tests make theirs), checks a second run changes nothing and verifies the host with
testinfra; the no-hardware scenarios check the role stops with a message naming what is
missing. ironic_flavors talks to the OpenStack API from the control host: its scenario runs on
localhost against a real Keystone and nova-api on 127.0.0.1 (tests/molecule/nova.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import containers
from tests.molecule import nova

pytestmark = pytest.mark.slow

REPO = containers.REPO
ROLES = REPO / "ansible" / "roles"
API_ROLES = {"ironic_flavors"}  # their scenarios need a cloud, not a container
SCENARIOS = sorted(
    (path.parents[2].name, path.parent.name) for path in ROLES.glob("*/molecule/*/molecule.yml")
)


@pytest.fixture(scope="module")
def engine_env() -> Iterator[dict[str, str]]:
    with containers.engine() as engine:
        containers.debian_image(engine, "trixie")
        yield {
            **engine.env,
            "PATH": f"{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "ANSIBLE_HOME": str(REPO / ".cache" / "ansible"),
            # kayobe's own filters (net_mtu...), which the site's roles use as kayobe runs them.
            "KAYOBE_FILTER_PLUGINS": str(
                Path(sys.prefix, "share", "kayobe", "ansible", "filter_plugins")
            ),
            "ANSIBLE_NOCOLOR": "1",
            "NO_COLOR": "1",
        }


@pytest.fixture(scope="module")
def cloud_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """OS_* of the admin of a Keystone and nova-api on 127.0.0.1."""
    with nova.cloud(tmp_path_factory.mktemp("cloud")) as clouds:
        yield {"OS_CLIENT_CONFIG_FILE": str(clouds), "OS_CLOUD": "refstack-test"}


def test_every_role_has_a_scenario() -> None:
    roles = {path.name for path in ROLES.iterdir() if path.is_dir()}
    assert {role for role, _ in SCENARIOS} == roles


@pytest.mark.parametrize(("role", "scenario"), SCENARIOS, ids=[f"{r}-{s}" for r, s in SCENARIOS])
def test_molecule_scenario(
    request: pytest.FixtureRequest, engine_env: dict[str, str], role: str, scenario: str
) -> None:
    env = {**engine_env, **(request.getfixturevalue("cloud_env") if role in API_ROLES else {})}
    proc = subprocess.run(
        ["molecule", "test", "--scenario-name", scenario],
        cwd=ROLES / role,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"molecule test of {role}/{scenario}:\n{proc.stdout[-6000:]}"
