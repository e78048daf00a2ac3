"""The toolchain a commit pins: the kayobe, kolla-ansible, kolla and ansible-core that render
that commit's configuration.

A commit's pins are its `requirements.txt` and `tools/constraints.txt` (what `sitectl setup`
installs from), compared without comments or blank lines. When they are the pins of the
virtualenv sitectl runs in, that virtualenv renders the commit. Otherwise the commit gets a
virtualenv of its own in the machine cache (kind "toolchain", keyed by the pins' digest),
made on first use with the commit's pins of the render packages alone and reused by every
later render; sitectl's own code (this checkout's) drives it (render/child.py).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from packaging.utils import canonicalize_name

from sitectl import git, machine_cache, readers, toolchain
from sitectl.errors import SiteError
from sitectl.progress import note

TAG = "toolchain"
KIND = "toolchain"
REQUIREMENTS = "requirements.txt"
CONSTRAINTS = "tools/constraints.txt"
PIN_FILES = (REQUIREMENTS, CONSTRAINTS)
# What a render runs; the report names their versions.
RENDER_PACKAGES = ("kayobe", "kolla-ansible", "kolla", "ansible-core")
OWN_REPOSITORY = Path(__file__).resolve().parents[3]  # the checkout sitectl runs from
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EXACT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)")


@dataclass(frozen=True)
class Pins:
    """What a commit pins: the text of each pin file it has (a missing one is left out)."""

    files: dict[str, str] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """The same for two commits whose pins differ only in comments or blank lines."""
        hashed = hashlib.sha256()
        for name in PIN_FILES:
            hashed.update(f"{name}\0".encode())
            hashed.update("\n".join(_meaningful(self.files.get(name, ""))).encode())
            hashed.update(b"\0")
        return hashed.hexdigest()[:16]

    def render_requirements(self) -> list[str]:
        """requirements.txt's lines that name a render package, as written."""
        wanted = {canonicalize_name(name) for name in RENDER_PACKAGES}
        return [
            line
            for line in _meaningful(self.files.get(REQUIREMENTS, ""))
            if (found := _NAME.match(line)) and canonicalize_name(found.group(1)) in wanted
        ]

    def pinned(self) -> dict[str, str]:
        """{render package: version} for those pinned with `==` (in requirements.txt, or
        else in the constraints)."""
        found: dict[str, str] = {}
        for name in (CONSTRAINTS, REQUIREMENTS):  # requirements.txt wins
            for line in _meaningful(self.files.get(name, "")):
                match = _EXACT.match(line)
                if match and canonicalize_name(match.group(1)) in _RENDER_NAMES:
                    found[_RENDER_NAMES[canonicalize_name(match.group(1))]] = match.group(2)
        return {name: found[name] for name in RENDER_PACKAGES if name in found}


_RENDER_NAMES = {canonicalize_name(name): name for name in RENDER_PACKAGES}


def _meaningful(text: str) -> list[str]:
    lines = (line.split(" #", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@dataclass(frozen=True)
class Toolchain:
    """A virtualenv that renders: where it is, the digest of its pins, its versions."""

    prefix: Path
    digest: str
    versions: dict[str, str]

    @property
    def python(self) -> Path:
        return self.prefix / "bin" / "python"

    @property
    def is_running(self) -> bool:
        """Whether it is the virtualenv sitectl itself runs in."""
        return self.prefix == Path(sys.prefix)

    def describe(self) -> str:
        return ", ".join(f"{name} {version}" for name, version in self.versions.items())


def pins_at(repo: Path, commit: str | None) -> Pins:
    """The pins of `commit` (None: the working tree). A pin file that is a symbolic link is
    refused: what it points at is not the commit's."""
    if commit is None:
        return _pins_on_disk(repo)
    blobs = git.tree_files(repo, commit)
    present = {name: blobs[name] for name in PIN_FILES if name in blobs}
    for name, blob in present.items():
        if blob.mode == "120000":
            raise SiteError(
                f"{name} at {git.short(commit)} is a symbolic link: sitectl reads a commit's "
                "pins from the commit itself. Make it a regular file."
            )
    texts = git.blobs(repo, [blob.object for blob in present.values()])
    return Pins(
        {name: texts[blob.object].decode("utf-8", "replace") for name, blob in present.items()}
    )


def _pins_on_disk(repo: Path) -> Pins:
    files = {}
    for name in PIN_FILES:
        path = repo / name
        if path.is_symlink():
            raise SiteError(
                f"{path} is a symbolic link: sitectl reads the pins from the repository's own "
                "files. Make it a regular file."
            )
        if path.is_file():
            files[name] = path.read_text(encoding="utf-8", errors="replace")
    return Pins(files)


@cache
def running() -> Toolchain:
    """The virtualenv sitectl runs in (made from its own checkout's pins)."""
    return Toolchain(Path(sys.prefix), _pins_on_disk(OWN_REPOSITORY).digest, _versions(None))


def for_commit(repo: Path, commit: str | None) -> Toolchain:
    """The toolchain that renders `commit` of `repo`: the running one when the commit pins
    what it was made from (or pins no render package at all), else the commit's own."""
    pins = pins_at(repo, commit)
    if not pins.render_requirements() or pins.digest == running().digest:
        return running()
    return ensure(pins, f"{git.short(commit)}" if commit else "the working tree")


def ensure(pins: Pins, whose: str) -> Toolchain:
    """The virtualenv of `pins`, made on first use (a few minutes; then instant)."""
    root = machine_cache.entry(
        KIND, machine_cache.key(pins.digest), lambda root: _install(pins, whose, root)
    )
    prefix = root / "venv"
    return Toolchain(prefix, pins.digest, _versions(prefix))


def _install(pins: Pins, whose: str, root: Path) -> None:
    requirements = pins.render_requirements()
    constraints = root / "constraints.txt"
    constraints.write_text(pins.files.get(CONSTRAINTS, ""), encoding="utf-8")
    python, log = root / "venv" / "bin" / "python", root / "install.log"
    started = time.monotonic()
    wanted = ", ".join(requirements)
    note(
        TAG,
        f"{whose} pins another toolchain ({wanted}): installing it once per machine "
        f"(a few minutes; log: {log})",
    )
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
    command = [str(python), "-m", "pip", "--disable-pip-version-check", "install"]
    try:
        toolchain.run_with_progress(
            [*command, "-c", str(constraints), *requirements],
            log,
            f"install the toolchain {whose} pins",
            lambda line: note(TAG, line),
            env={**os.environ, "PIP_PROGRESS_BAR": "off"},
        )
    except toolchain.ToolchainError as e:
        raise SiteError(
            f"the toolchain {whose} pins cannot be installed, so that side cannot be rendered: {e}"
        ) from None
    note(TAG, f"the toolchain {whose} pins is ready in {time.monotonic() - started:.0f} s")


def _versions(prefix: Path | None) -> dict[str, str]:
    """The render packages' versions in the virtualenv at `prefix` (None: the running one);
    those it lacks are left out."""
    found = readers.versions(prefix)
    return {name: version for name, version in found.items() if version != readers.ABSENT}
