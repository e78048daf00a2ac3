"""Test harness only: node1 of tests/hostcheck/site.py as a container on the test engine,
reached over SSH on its admin address.

The container has no network of the engine's (`--network none`); the harness gives it the
interfaces the configuration names, as veth pairs whose other ends stay on this machine
(this kernel has veth and bridges, not dummy or VLAN devices): eth0 on the admin network
(this machine's end has the gateway address, so SSH reaches node1 as kayobe would reach it),
eth1 with jumbo frames, and the bridge br-ex with eth2 as its port. It also gets an SR-IOV
sysfs stand-in under sriov_sysfs_root, the kolla config directories of the containers the
render gives node1, and those containers themselves, idle, on the same engine.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests import containers
from tests.hostcheck import site

IMAGE = "sitectl-test-host:trixie"
NAME = "hostcheck-node1"
HERE = Path(__file__).parent


@dataclass(frozen=True)
class Node:
    engine: containers.Engine
    kolla_containers: tuple[str, ...]  # container names on the engine

    def sh(self, command: str) -> str:
        return self.engine.docker("exec", NAME, "sh", "-c", command).stdout


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


def _build(engine: containers.Engine, public_key: Path, context: Path) -> None:
    base = containers.debian_image(engine, "trixie")
    shutil.copy(HERE / "Dockerfile", context / "Dockerfile")
    shutil.copy(shutil.which("docker") or "/usr/bin/docker", context / "docker")
    shutil.copy(public_key, context / "authorized_keys")
    engine.docker(
        "build", "--network", "host", "--build-arg", f"BASE_IMAGE={base}", "-t", IMAGE,
        str(context),
    )  # fmt: skip


def _veth(pid: str, inside: str, outside: str) -> None:
    """A veth pair: one end moved into the container's network namespace and named `inside`
    there (this machine may have a device of that name), `outside` up here."""
    moving = f"{outside}-c"
    _ip("link", "add", outside, "type", "veth", "peer", "name", moving)
    _ip("link", "set", moving, "netns", pid)
    _ip("link", "set", outside, "up")
    subprocess.run(
        ["nsenter", "-t", pid, "-n", "ip", "link", "set", moving, "name", inside],
        check=True,
        capture_output=True,
    )


@contextmanager
def node1(
    engine: containers.Engine, public_key: Path, work: Path, config_dirs: tuple[str, ...],
    container_names: tuple[str, ...],
) -> Iterator[Node]:  # fmt: skip
    """node1, running and configured as the test configuration says; removed at the end."""
    containers.ensure_installed({"ip": "iproute2", "nsenter": "util-linux"})
    _build(engine, public_key, work)
    engine.docker("rm", "-f", NAME, *container_names, check=False)
    engine.docker(
        "run", "-d", "--name", NAME, "--hostname", "node1", "--network", "none",
        "--cap-add", "NET_ADMIN", "-v", f"{engine.host.removeprefix('unix://')}:/var/run/docker.sock",
        IMAGE,
    )  # fmt: skip
    try:
        pid = engine.docker("inspect", "-f", "{{.State.Pid}}", NAME).stdout.strip()
        for inside, outside in (("eth0", "hc-admin"), ("eth1", "hc-internal"), ("eth2", "hc-ext")):
            _veth(pid, inside, outside)
        _ip("addr", "add", f"{site.GATEWAY}/24", "dev", "hc-admin")
        node = Node(engine, container_names)
        node.sh(
            "echo '127.0.1.1 node1' >> /etc/hosts"
            f" && ip addr add {site.NODE1_ADMIN}/24 dev eth0 && ip link set eth0 up"
            " && ip link set eth1 mtu 9000 && ip addr add 10.98.0.11/24 dev eth1"
            " && ip link set eth1 up"
            " && ip link add br-ex type bridge && ip link set eth2 master br-ex"
            " && ip link set eth2 up && ip addr add 10.97.0.11/24 dev br-ex"
            " && ip link set br-ex up"
            f" && mkdir -p {site.SYSFS}/class/net/ens2f0/device"
            f" && echo {site.NUMVFS} > {site.SYSFS}/class/net/ens2f0/device/sriov_numvfs"
            + "".join(f" && mkdir -p /etc/kolla/{d}" for d in config_dirs)
        )
        for name in container_names:
            engine.docker(
                "run", "-d", "--name", name, "--network", "none",
                "--health-cmd", "true", "--health-interval", "1s",
                "debian:trixie", "sleep", "infinity",
            )  # fmt: skip
        _wait_healthy(engine, container_names)
        yield node
    finally:
        engine.docker("rm", "-f", NAME, *container_names, check=False)
        for outside in ("hc-admin", "hc-internal", "hc-ext"):
            subprocess.run(["ip", "link", "del", outside], capture_output=True, check=False)


def _wait_healthy(engine: containers.Engine, names: tuple[str, ...], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while names:
        states = engine.docker("inspect", "-f", "{{.State.Health.Status}}", *names).stdout.split()
        if all(state == "healthy" for state in states):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the stand-in containers are not healthy: {states}")
        time.sleep(0.5)
