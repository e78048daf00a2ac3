"""Test harness: the extra kolla-build configuration this machine needs to build the site's
images, given to `sitectl images build --extra-config` (read after the site's own conf).

A real image builder needs none of it. Here:
- no Rocky mirror is reachable, only Debian's: the test images are built on Debian trixie (the
  Debian release kolla 23 supports) from a base made with debootstrap, never pulled;
- this dockerd (20.10, Debian's) has no BuildKit builder: the classic builder is used;
- opendev's tarballs are unreachable: OpenStack sources come from PyPI sdists (kolla's `local`
  sources take them), and openstack-base's `requirements` source holds an upper-constraints.txt
  derived from this project's own pins (tools/constraints.txt, the toolchain's full freeze,
  which includes keystone's own pins), not from openstack/requirements;
- kolla's Debian base fetches signing keys and enables an OpenStack repository from hosts this
  machine cannot reach: harness/machine-overrides.j2 replaces those steps.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sitectl import machine_cache
from tests.helpers import REPO

OVERRIDES = Path(__file__).parent / "harness" / "machine-overrides.j2"
BASE_SUITE = "trixie"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>[^\s;#]+)")


def pinned_version(package: str) -> str:
    for line in (REPO / "tools" / "constraints.txt").read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match and match["name"].lower() == package.lower():
            return match["version"]
    raise AssertionError(f"{package} is not pinned in tools/constraints.txt")


def upper_constraints(target: Path) -> Path:
    """requirements/upper-constraints.txt (openstack/requirements' format: name===version)
    from tools/constraints.txt."""
    lines = []
    for line in (REPO / "tools" / "constraints.txt").read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            lines.append(f"{match['name']}==={match['version']}")
    directory = target / "requirements"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "upper-constraints.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def sdist(package: str) -> Path:
    """PACKAGE's source distribution at the project's pin, from PyPI (kept in sitectl's
    machine cache, kind "sdist")."""
    version = pinned_version(package)
    key = machine_cache.key("sdist", package, version)
    entry = machine_cache.entry("sdist", key, lambda root: _download(package, version, root))
    return next(entry.glob("*.tar.gz"))


def _download(package: str, version: str, target: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--dest",
            str(target),
            f"{package}=={version}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not list(target.glob("*.tar.gz")):
        pytest.fail(f"pip could not download the {package} {version} sdist:\n{proc.stderr}")


def config(target: Path, sources: dict[str, Path]) -> Path:
    """The extra kolla-build.conf; sources: {kolla source section: local path}."""
    target.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Test harness only: see tests/images/kolla_harness.py.",
        "[DEFAULT]",
        "base = debian",
        f"base_tag = {BASE_SUITE}",
        "pull = False",
        "buildkit = False",
        "network_mode = host",
        f"template_override = {OVERRIDES}",
        "",
        "[openstack-base]",
        "type = local",
        f"location = {upper_constraints(target)}",
    ]
    for section, path in sorted(sources.items()):
        lines += ["", f"[{section}]", "type = local", f"location = {path}"]
    path = target / "machine.conf"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
