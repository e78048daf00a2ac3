"""The seconds each kolla-ansible role took in the latest renders of an environment, kept in
the render cache (`<cache root>/.timings/<environment>.json`): they split the next render's
genconfig into parts of equal cost (partitions.py). Timings only, nothing of the
configuration."""

import json
import os
import tempfile
from pathlib import Path

DIRECTORY = ".timings"


class Timings:
    """One environment's timings under a render cache root."""

    def __init__(self, root: Path, env: str | None) -> None:
        self.path = root / DIRECTORY / f"{env or '(base)'}.json"

    def read(self) -> dict[str, float]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)}

    def write(self, seconds: dict[str, float]) -> None:
        """Merge a render's timings in (the roles it ran replace their earlier figures)."""
        if not seconds:
            return
        merged = {**self.read(), **{role: round(took, 2) for role, took in seconds.items()}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=self.path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(merged, stream, indent=1, sort_keys=True)
        os.replace(temporary, self.path)
