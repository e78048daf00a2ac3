"""What sitectl needs from the machine besides its own virtualenv, which verbs need it, and
how to install it (Debian/Ubuntu names): `sitectl setup --check` lists them."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

# Free space below which `setup --check` warns: the toolchain takes about 1.1 GB, the machine
# cache up to 2 GB, a full test run about 10 GB more (renders, images, servers).
DISK_GIB = 12


@dataclass(frozen=True)
class Prerequisite:
    name: str
    commands: tuple[str, ...]  # any one of them will do
    needed_by: str
    install: str


PREREQUISITES = (
    Prerequisite("git", ("git",), "every verb (diffs, renders of a commit)", "apt install git"),
    Prerequisite(
        "C compiler",
        ("cc", "gcc"),
        "the tests (uwsgi, which serves their Keystone, builds from source)",
        "apt install build-essential",
    ),
    Prerequisite(
        "rsync", ("rsync",), "pipeline (gitlab-ci-local copies with it)", "apt install rsync"
    ),
    Prerequisite(
        "npm",
        ("npm",),
        "pipeline, on first use (installs gitlab-ci-local and Node.js 22)",
        "apt install npm",
    ),
    Prerequisite(
        "promtool",
        ("promtool",),
        "lint alerts (the site's Prometheus rules and their tests)",
        "apt install prometheus",
    ),
    Prerequisite(
        "container engine",
        ("docker", "podman"),
        "images build, and the tests",
        "apt install docker.io",
    ),
    Prerequisite(
        "debootstrap",
        ("debootstrap",),
        "the tests (the Debian base of their images; no registry is needed)",
        "apt install debootstrap",
    ),
    Prerequisite(
        "image registry",
        ("docker-registry",),
        "the tests (images are pushed to a local registry)",
        "apt install docker-registry",
    ),
    Prerequisite(
        "PostgreSQL",
        ("pg_ctlcluster",),
        "the tests (the Pulp server of `repos`)",
        "apt install postgresql",
    ),
)


@dataclass(frozen=True)
class Found:
    prerequisite: Prerequisite
    where: str | None  # the command found, or None


def check(path: str | None = None) -> list[Found]:
    """Each prerequisite and where it was found on PATH (`path`, default the process's)."""
    found = []
    for needed in PREREQUISITES:
        where = next((w for c in needed.commands if (w := shutil.which(c, path=path))), None)
        found.append(Found(needed, where))
    return found


def python() -> str:
    return f"{sys.version.split()[0]} ({sys.executable})"


def free_gib(directory: Path) -> float:
    return shutil.disk_usage(directory).free / 2**30
