"""The schema virtualenv: the OpenStack services of tools/schema-requirements.txt, installed
once per pin set under .cache/sitectl/schema/ (or $SITECTL_SCHEMA_CACHE, which clones of one
repository may share), never into the toolchain; and their sdists, whose oslo-config-generator
files say which namespaces make each config file. Concurrent callers wait for one install."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from sitectl.errors import SiteError
from sitectl.progress import step
from sitectl.repo import cache_dir

REQUIREMENTS = Path("tools", "schema-requirements.txt")
CONSTRAINTS = Path("tools", "constraints.txt")
COMPLETE = ".complete"


def pins(repo: Path) -> list[str]:
    """`name==version` lines of the schema requirements."""
    try:
        text = (repo / REQUIREMENTS).read_text(encoding="utf-8")
    except OSError as e:
        raise SiteError(f"{REQUIREMENTS} cannot be read: {e.strerror}") from None
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return [line for line in lines if line]


def _key(repo: Path) -> str:
    digest = hashlib.sha256()
    for part in (
        "\n".join(pins(repo)),
        (repo / CONSTRAINTS).read_text(encoding="utf-8"),
        f"{sys.version_info.major}.{sys.version_info.minor}",
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _pip(python: Path, *args: str, what: str) -> None:
    proc = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SiteError(
            f"pip could not {what} (exit {proc.returncode}):",
            [line for line in proc.stderr.splitlines() if "WARNING: Location" not in line][-12:],
        )


def ensure(repo: Path) -> tuple[Path, Path]:
    """(the schema virtualenv's python, the directory of the services' sdists), made on first
    use (about a minute and a half here; then instant)."""
    shared = os.environ.get("SITECTL_SCHEMA_CACHE")
    parent = Path(shared) if shared else cache_dir(repo, "sitectl", "schema")
    root = parent / _key(repo)
    python, sdists = root / "venv" / "bin" / "python", root / "sdists"
    if (root / COMPLETE).exists():
        return python, sdists
    parent.mkdir(parents=True, exist_ok=True)
    with (parent / f".{root.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (root / COMPLETE).exists():
            _install(repo, root, python, sdists)
    return python, sdists


def _install(repo: Path, root: Path, python: Path, sdists: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    requirements = pins(repo)
    with step(
        "schema",
        f"installing the services' option schemas ({len(requirements)} packages, once per pin set)",
    ):
        subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
        constraints = ["-c", str(repo / CONSTRAINTS)]
        _pip(
            python,
            "install",
            "--quiet",
            *constraints,
            *requirements,
            what="install the service packages of " + str(REQUIREMENTS),
        )
        _pip(
            python,
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--dest",
            str(sdists),
            *requirements,
            what="download the service sdists of " + str(REQUIREMENTS),
        )
    (root / COMPLETE).write_text("\n".join(requirements) + "\n", encoding="utf-8")
