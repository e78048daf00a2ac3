"""The schema virtualenvs: OpenStack services at a pinned release, each pin set installed once
per machine in sitectl's machine cache (sitectl/machine_cache.py, kind "schema"), never into
the toolchain. CURRENT is the release kolla-ansible deploys, with the
services' sdists (their oslo-config-generator files say which namespaces make each config
file); PREVIOUS is the release before it, consulted only to tell a removed option from one that
never existed. The pin sets belong to the toolchain (tools/), not to the configuration being
checked, so `sitectl --repo PATH` works on any Kayobe configuration. Concurrent callers wait
for one install."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from sitectl import machine_cache, toolchain
from sitectl.errors import SiteError
from sitectl.progress import note

TOOLS = Path(__file__).resolve().parents[3]  # tools/: sitectl's own pins
RELEASE = re.compile(r"^#\s*release:\s*(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class PinSet:
    requirements: Path
    constraints_file: Path
    with_sdists: bool

    @property
    def name(self) -> str:
        return f"tools/{self.requirements.name}"

    def _text(self) -> str:
        try:
            return self.requirements.read_text(encoding="utf-8")
        except OSError as e:
            raise SiteError(f"{self.name} cannot be read: {e.strerror}") from None

    def pins(self) -> list[str]:
        """`name==version` lines."""
        lines = [line.split("#", 1)[0].strip() for line in self._text().splitlines()]
        return [line for line in lines if line]

    def release(self) -> str:
        """The OpenStack release the set pins (its `# release:` line)."""
        found = RELEASE.search(self._text())
        return found.group(1) if found else self.name

    def constraints(self) -> str:
        """The set's constraints file without the packages the set pins itself."""
        pinned = {_project(pin) for pin in self.pins()}
        lines = self.constraints_file.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if _project(line) not in pinned]
        return "\n".join(kept) + "\n"


def _project(line: str) -> str:
    """The canonical project name of a `name==version` line."""
    return canonicalize_name(line.split("==", 1)[0].strip())


# The current release shares the toolchain's library pins; the previous one has its own
# (older oslo libraries: a removed library option must be found there too).
CURRENT = PinSet(TOOLS / "schema-requirements.txt", TOOLS / "constraints.txt", with_sdists=True)
PREVIOUS = PinSet(
    TOOLS / "schema-previous-requirements.txt",
    TOOLS / "schema-previous-constraints.txt",
    with_sdists=False,
)


def _key(pin_set: PinSet) -> str:
    return machine_cache.key("\n".join(pin_set.pins()), pin_set.constraints())


def _pip(python: Path, log: Path, *args: str, what: str) -> None:
    """pip in the schema virtualenv, its output in `log`, its progress told as it goes."""
    command = [str(python), "-m", "pip", "--disable-pip-version-check", *args]
    env = {**os.environ, "PIP_PROGRESS_BAR": "off"}
    try:
        toolchain.run_with_progress(command, log, what, lambda line: note("schema", line), env=env)
    except toolchain.ToolchainError as e:
        raise SiteError(str(e)) from None


def ensure(pin_set: PinSet = CURRENT) -> tuple[Path, Path]:
    """(the pin set's virtualenv python, the directory of its sdists), made on first use
    (a minute and a half to two minutes here; then instant)."""
    root = machine_cache.entry("schema", _key(pin_set), lambda root: _install(pin_set, root))
    return root / "venv" / "bin" / "python", root / "sdists"


def _install(pin_set: PinSet, root: Path) -> None:
    requirements = pin_set.pins()
    constraints = root / "constraints.txt"
    constraints.write_text(pin_set.constraints(), encoding="utf-8")
    python, log = root / "venv" / "bin" / "python", root / "install.log"
    started = time.monotonic()
    note(
        "schema",
        f"installing the {pin_set.release()} services' option schemas ({len(requirements)} "
        f"packages, once per pin set and machine; about two minutes; log: {log})",
    )
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
    _pip(
        python,
        log,
        "install",
        "-c",
        str(constraints),
        *requirements,
        what=f"install the packages of {pin_set.name}",
    )
    if pin_set.with_sdists:
        _pip(
            python,
            log,
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--dest",
            str(root / "sdists"),
            *requirements,
            what=f"download the service sdists of {pin_set.name}",
        )
    note(
        "schema", f"{pin_set.release()} option schemas ready in {time.monotonic() - started:.0f} s"
    )
