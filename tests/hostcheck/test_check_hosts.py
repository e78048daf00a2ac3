"""`sitectl check hosts` against a real SSH-reachable host stand-in (tests/hostcheck/host.py):
every check passes on a host that is what its configuration says, and each seeded fault (wrong
MTU, missing interface, a stopped container, too few virtual functions, chrony stopped, a host
that is not there) fails its check with a message naming what is wrong."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitectl import kolla_playbooks
from sitectl.hostcheck.plan import containers_of
from sitectl.render import render
from tests import containers
from tests.conftest import run_sitectl
from tests.hostcheck import host, site
from tests.shapes.builder import PASSWORD

pytestmark = pytest.mark.slow

SSH = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=3"


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostcheck")


@pytest.fixture(scope="module")
def password(work: Path) -> Path:
    path = work / "vault-password"
    path.write_text(PASSWORD + "\n")
    return path


@pytest.fixture(scope="module")
def key(work: Path) -> Path:
    path = work / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def configuration(work: Path, key: Path) -> Path:
    return site.build(work / "site", key)


@pytest.fixture(scope="module")
def node(work: Path, configuration: Path, key: Path, password: Path) -> Iterator[host.Node]:
    """node1 running, with the containers a keystone render gives it."""
    rendered = render(configuration, None, services=["keystone"], vault_password_file=password)
    directories = containers_of(rendered, "node1")
    names = kolla_playbooks.container_names()
    running = tuple(names.get(d, d) for d in directories)
    context = work / "image"
    context.mkdir()
    with (
        containers.engine() as engine,
        host.node1(engine, key.with_suffix(".pub"), context, directories, running) as started,
    ):
        yield started


def check(
    configuration: Path, password: Path, out: Path, *limit: str
) -> tuple[subprocess.CompletedProcess[str], dict]:
    proc = run_sitectl(
        "--repo", configuration, "check", "hosts", *limit, "--services", "keystone",
        "--ssh-extra-args", SSH, "--out", out,
        env={"KAYOBE_VAULT_PASSWORD_FILE": str(password)}, timeout=900,
    )  # fmt: skip
    assert (out / "report.json").exists(), proc.stderr[-3000:]
    return proc, json.loads((out / "report.json").read_text())


def test_a_host_as_configured_passes_every_check(
    node: host.Node, configuration: Path, password: Path, work: Path
) -> None:
    proc, report = check(configuration, password, work / "pass", "--limit", "node1")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    results = {c["check"]: c["result"] for c in report["checks"]}
    assert set(results.values()) == {"passed"}
    expected = {
        "reachable over SSH (as kayobe logs in)",
        "interface eth0 (admin_net)",
        "interface eth1 (internal_net)",
        "interface br-ex (external_net)",
        "SR-IOV ens2f0 virtual functions",
        "time synchronised (chrony)",
    } | {f"container {name}" for name in node.kolla_containers}
    assert set(results) == expected
    assert {"keystone_api", "keystone_fernet", "keystone_ssh"} <= set(node.kolla_containers)
    # Progress: a line per check on stderr; JUnit for GitLab's widget; Markdown and HTML.
    assert "[check] node1: interface eth1 (internal_net): ok" in proc.stderr
    suite = ET.parse(work / "pass" / "junit.xml").getroot()
    assert suite.get("tests") == str(len(expected)) and suite.get("failures") == "0"
    assert "✅ **node1**" in (work / "pass" / "report.md").read_text()
    assert "<td>interface br-ex (external_net)</td>" in (work / "pass" / "report.html").read_text()


def test_seeded_faults_fail_with_what_is_wrong(
    node: host.Node, configuration: Path, password: Path, work: Path
) -> None:
    node.sh(
        "ip link set eth1 mtu 1500 && ip link del br-ex"
        f" && echo 4 > {site.SYSFS}/class/net/ens2f0/device/sriov_numvfs"
        " && kill $(pidof chronyd)"
    )
    node.engine.docker("stop", "-t", "1", "keystone_fernet")
    proc, report = check(configuration, password, work / "faults")
    assert proc.returncode == 1
    problems = {(c["host"], c["check"]): c["problems"] for c in report["checks"] if c["problems"]}
    chrony = problems.pop(("node1", "time synchronised (chrony)"))
    assert len(chrony) == 1 and chrony[0].startswith("chronyc tracking failed (is chronyd")
    assert "\n" not in chrony[0] and "Warning" not in chrony[0]  # ssh's and sudo's noise
    (unreachable,) = problems.pop(("node2", "reachable over SSH (as kayobe logs in)"))
    assert unreachable.startswith(f"cannot log in as stack@{site.NODE2_ADMIN}:22: ")
    assert problems == {
        ("node1", "interface eth1 (internal_net)"): [
            "eth1 has MTU 1500, configured 9000 (internal_net_mtu)"
        ],
        ("node1", "interface br-ex (external_net)"): [
            "br-ex does not exist (external_net_interface says it should)"
        ],
        ("node1", "SR-IOV ens2f0 virtual functions"): [
            "ens2f0 has 4 virtual functions, configured 8 (sriov_numvfs)"
        ],
        ("node1", "container keystone_fernet"): ["keystone_fernet is exited (exit code 137)"],
    }
    skipped = [c for c in report["checks"] if c["host"] == "node2" and c["result"] == "skipped"]
    assert {c["check"] for c in skipped} == {
        "interface eth0 (admin_net)",
        "interface eth1 (internal_net)",
        "time synchronised (chrony)",
    }
    assert "FAIL node1: interface eth1 (internal_net): eth1 has MTU 1500" in proc.stdout
    failures = ET.parse(work / "faults" / "junit.xml").getroot().get("failures")
    assert failures == "6"
