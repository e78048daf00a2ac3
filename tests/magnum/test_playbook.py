"""ansible/magnum-cluster-templates.yml run by real ansible-playbook, up to the OpenStack API:
off when Magnum is off, a repeated name stopped before any API call, and a valid list reaching
openstack.cloud.coe_cluster_template, whose argument spec accepts every parameter the playbook
builds (it then stops at authentication: no cloud is configured here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import clean_environment
from tests.helpers import REPO

pytestmark = pytest.mark.slow

PLAYBOOK = REPO / "ansible" / "magnum-cluster-templates.yml"
TEMPLATE = {
    "name": "kubernetes-hpc",
    "image": "ubuntu-noble-kube-v1.33",
    "flavor": "baremetal.hpc",
    "master_flavor": "m1.large",
    "external_network": "public",
    "extra_networks": ["provider-10g", "hpc-ib"],
    "labels": {"boot_volume_size": "0"},
}


def _play(tmp_path: Path, **variables: object) -> subprocess.CompletedProcess[str]:
    env = clean_environment({"OS_CLIENT_CONFIG_FILE": str(tmp_path / "clouds.yaml")})
    env.pop("OS_CLOUD", None)
    (tmp_path / "clouds.yaml").write_text("clouds: {}\n")
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            str(PLAYBOOK),
            "-e",
            json.dumps(variables),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )


def test_nothing_to_do_when_magnum_is_off(tmp_path: Path) -> None:
    proc = _play(tmp_path, kolla_enable_magnum="no", magnum_cluster_templates=[TEMPLATE])
    assert proc.returncode == 0, proc.stdout
    assert "Nothing to do, kolla_enable_magnum is false." in proc.stdout
    assert "coe_cluster_template" not in proc.stdout


def test_a_repeated_name_stops_before_the_api(tmp_path: Path) -> None:
    proc = _play(tmp_path, kolla_enable_magnum="yes", magnum_cluster_templates=[TEMPLATE] * 2)
    assert proc.returncode == 2, proc.stdout
    assert "names a template more than once: kubernetes-hpc, kubernetes-hpc" in proc.stdout
    assert "Create the cluster templates" not in proc.stdout


def test_a_valid_list_reaches_the_module(tmp_path: Path) -> None:
    proc = _play(tmp_path, kolla_enable_magnum="yes", magnum_cluster_templates=[TEMPLATE])
    assert proc.returncode == 2, proc.stdout
    assert "Create the cluster templates" in proc.stdout
    # Past the module's argument validation (an unknown or mistyped parameter would fail
    # there), stopped by openstacksdk: there is no cloud to talk to.
    assert "auth_url" in proc.stdout, proc.stdout[-3000:]
    assert "Unsupported parameters" not in proc.stdout
