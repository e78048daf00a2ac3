"""A render with another toolchain than the one sitectl runs in (sitectl.toolchains): this
checkout's sitectl, run by that toolchain's Python, so kayobe, kolla-ansible, kolla and
ansible-core are the toolchain's own while every rule of the render stays this one's.

    render_with(toolchain, repo, env, **render's keyword arguments) -> Path

The child is `python -m sitectl.render.child` (child.py), given its arguments as JSON on stdin; it
imports the render package alone (not the command line, whose other verbs need what only
this virtualenv has). Its progress goes to stderr as any render's does; it answers on stdout
with JSON: {"path": ...} or {"error": {"message", "details", "exit_code"}}, which becomes the
same SiteError a render here would raise. It shares the render cache: its entries are keyed
by its own toolchain's versions (cache.input_hash).
"""

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from sitectl import stopping
from sitectl.errors import SiteError
from sitectl.toolchains import Toolchain

SOURCE = Path(__file__).resolve().parents[2]  # tools/src: this checkout's sitectl
PATHS = ("repo", "out", "vault_password_file", "cache_dir")


def render_with(toolchain: Toolchain, repo: Path, env: str | None, **options: Any) -> Path:
    """render(repo, env, **options) with `toolchain`'s kayobe and kolla-ansible."""
    if not toolchain.python.exists():
        raise SiteError(
            f"the toolchain at {toolchain.prefix} has no Python; remove it with "
            "`sitectl cache clear toolchain` and run this again."
        )
    request = {"repo": repo, "env": env, **options}
    payload = json.dumps(
        {
            key: str(value) if key in PATHS and value is not None else value
            for key, value in request.items()
        }
    )
    environment = {**os.environ, "PYTHONPATH": str(SOURCE), "PYTHONNOUSERSITE": "1"}
    environment.pop("VIRTUAL_ENV", None)
    with (
        subprocess.Popen(
            [str(toolchain.python), "-m", "sitectl.render.child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=environment,
            text=True,
            start_new_session=True,
        ) as process,
        stopping.registered(process),
    ):
        answer, _ = process.communicate(payload)
    return _answered(answer, process.returncode, toolchain)


def _answered(answer: str, returncode: int, toolchain: Toolchain) -> Path:
    try:
        data = json.loads(answer.strip().splitlines()[-1]) if answer.strip() else {}
    except json.JSONDecodeError:
        data = {}
    if isinstance(data.get("path"), str) and returncode == 0:
        return Path(data["path"])
    error = data.get("error")
    if isinstance(error, dict):
        raise SiteError(
            str(error.get("message", "")),
            [str(line) for line in error.get("details", ())],
            int(error.get("exit_code", 2)),
        )
    raise SiteError(
        f"the render with {toolchain.describe()} ({toolchain.prefix}) ended without an answer "
        f"(exit {returncode}); its progress above says how far it got."
    )
