"""`sitectl setup [--force | --check]`: show the toolchain (the launcher has just made sure it
is current), or what else the machine has of what sitectl needs."""

import argparse
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

from sitectl import prerequisites, toolchain
from sitectl.errors import SiteError
from sitectl.verbs import Context, Verb

PACKAGES = ("kayobe", "kolla-ansible", "kolla", "ansible-core")


def configure(parser: argparse.ArgumentParser) -> None:
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "--force", action="store_true", help="recreate the virtualenv from scratch first"
    )
    action.add_argument(
        "--check",
        action="store_true",
        help="list what sitectl needs from the machine, which verbs need it and how to install "
        "what is missing (exit 1 when something is)",
    )


def run(ctx: Context, args: argparse.Namespace) -> int:
    venv = Path(sys.prefix)
    if args.check:
        return check(ctx.repo)
    if args.force:
        rebuild(ctx.repo, venv)
    print(f"python         {platform.python_version()} ({sys.executable})")
    for package in PACKAGES:
        print(f"{package:<14} {installed_version(package)}")
    state = "current" if toolchain.is_current(ctx.repo, venv) else "not built from the current pins"
    print(f"venv           {venv} ({state})")
    return 0


def check(repo: Path) -> int:
    found = prerequisites.check()
    width = max(len(item.prerequisite.name) for item in found)
    print(f"{'python 3.12+':<{width}}  {prerequisites.python()}, for every verb")
    for item in found:
        needed = item.prerequisite
        print(f"{needed.name:<{width}}  {item.where or 'MISSING'}, for {needed.needed_by}")
    free = prerequisites.free_gib(repo)
    low = free < prerequisites.DISK_GIB
    note = f"; less than the {prerequisites.DISK_GIB} GiB a full test run wants" if low else ""
    print(f"{'disk':<{width}}  {free:.1f} GiB free at {repo}{note}")
    missing = [item.prerequisite for item in found if item.where is None]
    if missing:
        print("to install: " + "; ".join(f"{p.name}: {p.install}" for p in missing))
    return 1 if missing else 0


def installed_version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def rebuild(repo: Path, venv: Path) -> None:
    """Recreate the virtualenv this process runs in, then start again in the new one."""
    if not (venv / toolchain.STAMP_NAME).exists():
        raise SiteError(
            f"{venv} is not a virtualenv made by sitectl (no {toolchain.STAMP_NAME}); "
            "refusing to recreate it. Run tools/sitectl setup --force instead."
        )
    try:
        toolchain.ensure(repo, venv, force=True)
    except toolchain.ToolchainError as e:
        raise SiteError(str(e)) from None
    python = str(toolchain.venv_python(venv))
    sys.stdout.flush()
    os.execv(python, [python, "-m", "sitectl", "--repo", str(repo), "setup"])


VERB = Verb("setup", "create or update the toolchain virtualenv and show it", configure, run)
