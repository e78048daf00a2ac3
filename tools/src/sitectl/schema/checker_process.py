"""Running checker.py in a schema virtualenv: JSON in, JSON out, one clear error otherwise."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from sitectl.errors import SiteError

CHECKER = Path(__file__).with_name("checker.py")


def ask(python: Path, request: dict[str, Any]) -> dict[str, Any]:
    """The checker's answer, run by the schema virtualenv's `python`; it keeps the options it
    loads beside that virtualenv."""
    opts_cache = python.parents[2] / "opts"
    proc = subprocess.run(
        [str(python), str(CHECKER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SCHEMA_OPTS_CACHE": str(opts_cache)},
    )
    if proc.returncode != 0:
        raise SiteError("the option schema check failed:", proc.stderr.strip().splitlines()[-15:])
    return json.loads(proc.stdout)
