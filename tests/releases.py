"""The previous release's pins (tests/diff/previous_release/: kayobe 20.2.0, kolla-ansible
22.2.0, kolla 22.2.0, ansible-core 2.20.10, and a constraints file resolved for them), for
the tests that need a commit which pins it. Its virtualenv is the machine cache's (kind
"toolchain", keyed by the pins' digest): made once, shared by every test and run."""

from __future__ import annotations

import re
from pathlib import Path

from sitectl import toolchains
from tests.helpers import REPO

PREVIOUS = REPO / "tests" / "diff" / "previous_release"
_PIN = re.compile(r"^([A-Za-z0-9._-]+)==")


def previous_requirements(current: str) -> str:
    """requirements.txt with the render packages' pins of previous_release/ in place."""
    pins = {
        match.group(1): line
        for line in (PREVIOUS / "requirements.txt").read_text().splitlines()
        if (match := _PIN.match(line))
    }
    lines = [
        pins.get(match.group(1), line) if (match := _PIN.match(line)) else line
        for line in current.splitlines()
    ]
    return "\n".join(lines) + "\n"


def pin_previous(repo: Path) -> None:
    """Make `repo`'s pin files (this repository's, when it has none) pin the previous
    release."""
    requirements = repo / toolchains.REQUIREMENTS
    current = requirements if requirements.exists() else REPO / toolchains.REQUIREMENTS
    requirements.write_text(previous_requirements(current.read_text()))
    constraints = repo / toolchains.CONSTRAINTS
    constraints.parent.mkdir(parents=True, exist_ok=True)
    constraints.write_text((PREVIOUS / "constraints.txt").read_text())


def pin_current(repo: Path) -> None:
    """Give `repo` this repository's pin files (the running toolchain's)."""
    for name in toolchains.PIN_FILES:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text((REPO / name).read_text())
