"""Test harness: a real Docker engine, a real image registry and a Debian base image, all on
this machine, started by the tests and stopped by them whatever happens.

Everything here is what this machine needs and a real image builder does not; none of it is in
tools/ or changes what a site builds:
- dockerd runs with its networking features off (this sandbox has no iptables or bridges), its
  default ulimits at the host's, and its state under .cache/test-engine (a warm layer cache
  for the next run on the same machine);
- no image registry is reachable, so the base image is made here with debootstrap (its root
  file system kept in sitectl's machine cache, as nothing under test) and `docker import`,
  and the registry is Debian's docker-registry on 127.0.0.1;
- Debian's docker.io, debootstrap and docker-registry are installed with apt when missing.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitectl import machine_cache
from tests.helpers import REPO
from tests.processes import die_gracefully_with_parent, die_with_parent, free_port, wait_until

STATE = REPO / ".cache" / "test-engine"
# binary: the Debian package that provides it
PACKAGES = {
    "dockerd": "docker.io",
    "debootstrap": "debootstrap",
    "docker-registry": "docker-registry",
}
DEBIAN_MIRROR = "http://deb.debian.org/debian"


def ensure_installed(binaries: dict[str, str] = PACKAGES) -> None:
    """apt-get install the packages of missing binaries; a failed test says which and why."""
    missing = sorted({pkg for binary, pkg in binaries.items() if shutil.which(binary) is None})
    if not missing:
        return
    if os.geteuid() != 0:
        pytest.fail(f"the container tests need {', '.join(missing)}: install them (as root).")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    proc = subprocess.run(install, capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:  # perhaps stale package lists: refresh them once
        subprocess.run(["apt-get", "update"], capture_output=True, check=False, env=env)
        proc = subprocess.run(install, capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        pytest.fail(
            f"apt-get could not install {', '.join(missing)} (exit {proc.returncode}); the "
            "container tests need them:\n" + "\n".join(proc.stderr.splitlines()[-10:])
        )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass
class Engine:
    """A running dockerd; `env` is what a client (docker, kolla-build, sitectl) is given."""

    host: str  # DOCKER_HOST
    process: subprocess.Popen
    log: Path

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DOCKER_HOST": self.host}

    def docker(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            ["docker", *args], capture_output=True, text=True, check=False, env=self.env
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"docker {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
        return proc

    def has_image(self, reference: str) -> bool:
        return self.docker("image", "inspect", reference, check=False).returncode == 0


@contextmanager
def engine() -> Iterator[Engine]:
    """dockerd on a private socket, stopped by its pid at the end."""
    ensure_installed()
    data_root = STATE / "docker"
    data_root.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="ste-", dir="/tmp"))  # short: socket paths
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    host = f"unix://{run_dir}/docker.sock"
    log = STATE / "dockerd.log"
    command = [
        "dockerd",
        "--iptables=false",
        "--ip6tables=false",
        "--ip-forward=false",
        "--ip-masq=false",
        "--bridge=none",
        "--storage-driver=overlay2",
        f"--data-root={data_root}",
        f"--exec-root={run_dir / 'exec'}",
        f"--pidfile={run_dir / 'docker.pid'}",
        f"--host={host}",
        f"--default-ulimit=nofile={soft}:{hard}",
    ]
    with log.open("w") as sink:
        process = subprocess.Popen(
            command,
            stdout=sink,
            stderr=subprocess.STDOUT,
            preexec_fn=die_gracefully_with_parent,  # a killed test worker leaves no engine
        )
    try:
        started = Engine(host, process, log)
        wait_until(
            lambda: started.docker("version", check=False).returncode == 0,
            process,
            log,
            "dockerd",
            timeout=60,
        )
        yield started
    finally:
        _stop(process)
        _unmount_under(run_dir)  # dockerd leaves its network namespace mounted there
        shutil.rmtree(run_dir, ignore_errors=True)


@dataclass(frozen=True)
class Registry:
    address: str  # HOST:PORT

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(f"http://{self.address}{path}", timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def answers(self) -> bool:
        try:
            self.get("/v2/")
        except (OSError, urllib.error.URLError, ValueError):
            return False
        return True


@contextmanager
def registry(root: Path) -> Iterator[Registry]:
    """Debian's docker-registry (the CNCF distribution registry) on 127.0.0.1."""
    ensure_installed()
    address = f"127.0.0.1:{free_port()}"
    config = root / "registry.yml"
    (root / "storage").mkdir(parents=True, exist_ok=True)
    config.write_text(
        "version: 0.1\n"
        "log: {level: warn}\n"
        f"storage: {{filesystem: {{rootdirectory: {root / 'storage'}}}}}\n"
        f"http: {{addr: {address}}}\n",
        encoding="utf-8",
    )
    log = root / "registry.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            ["docker-registry", "serve", str(config)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
    try:
        started = Registry(address)
        wait_until(started.answers, process, log, "docker-registry", timeout=30)
        yield started
    finally:
        _stop(process)


def debian_image(engine: Engine, suite: str) -> str:
    """`debian:SUITE` in the engine, made with debootstrap (minbase) and `docker import`; the
    root file system is kept as a tarball in sitectl's machine cache (kind "debootstrap")."""
    reference = f"debian:{suite}"
    if engine.has_image(reference):
        return reference
    key = machine_cache.key("debootstrap --variant=minbase", suite, DEBIAN_MIRROR)
    _unmount_under(machine_cache.root() / "debootstrap" / key)  # a killed run's /proc
    tarball = machine_cache.entry("debootstrap", key, lambda root: _debootstrap(root, suite))
    with (tarball / ROOT_TARBALL).open("rb") as data:
        proc = subprocess.run(
            ["docker", "import", "-", reference],
            stdin=data,
            capture_output=True,
            text=True,
            check=False,
            env=engine.env,
        )
    if proc.returncode != 0:
        pytest.fail(f"docker import of {tarball} failed: {proc.stderr}")
    return reference


ROOT_TARBALL = "root.tar"


def _debootstrap(root: Path, suite: str) -> None:
    target = root / "root"
    try:
        proc = subprocess.run(
            ["debootstrap", "--variant=minbase", suite, str(target), DEBIAN_MIRROR],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:  # an interrupted debootstrap leaves /proc mounted in the target
        _unmount_under(target)
    if proc.returncode != 0:
        pytest.fail(f"debootstrap {suite} failed:\n{proc.stdout[-2000:]}{proc.stderr}")
    subprocess.run(["tar", "-C", str(target), "-cf", str(root / ROOT_TARBALL), "."], check=True)
    shutil.rmtree(target)


def _unmount_under(path: Path) -> None:
    """Unmount what is mounted at or under `path`, deepest first."""
    prefix = str(path.resolve())
    with open("/proc/mounts", encoding="utf-8") as mounts:
        points = [line.split()[1] for line in mounts]
    for point in sorted(points, key=len, reverse=True):
        if point == prefix or point.startswith(prefix + "/"):
            subprocess.run(["umount", "--lazy", point], check=False, capture_output=True)
