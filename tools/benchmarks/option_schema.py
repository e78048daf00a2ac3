"""Benchmark (not a test): `sitectl validate --rendered`'s option schema check of whole renders,
cold and warm, against the naive way. Measured in one run, printed as a table.

    .venv/bin/python tools/benchmarks/option_schema.py [--environment ENV ...]

For each environment (default: ci-aio and example-site) it renders every service (from the
render cache when it has one; the render is not part of what is timed), then times:
  - naive: oslo.config's own `oslo-config-validator`, one process per rendered INI file with the
    namespaces that make it (how one would script the upstream tool over a render);
  - cold: sitectl's check with an empty schema cache (installing the current and, when a render
    has an unknown option, the previous release's services into fresh virtualenvs);
  - warm: the check again with the virtualenvs cached but no file's findings kept (what a
    render with all-new files costs);
  - repeat: the check once more (every file's findings kept: what an unchanged file costs in
    the next check, e.g. the base's files in a config diff's head).
The ratio is warm / naive. The render's own time is printed for scale.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "src"))

from sitectl.render import render  # noqa: E402
from sitectl.schema import check, venv  # noqa: E402
from sitectl.schema.generators import generator_map  # noqa: E402

VAULT = REPO / "ci" / "vault-password.example"


def timed(work: object) -> tuple[float, object]:
    started = time.monotonic()
    result = work()  # type: ignore[operator]
    return time.monotonic() - started, result


def naive(render_dir: Path) -> tuple[float, int]:
    """oslo-config-validator once per rendered file the services' generator files name."""
    python, sdists = venv.ensure()
    validator = python.parent / "oslo-config-validator"
    files = generator_map(sdists)
    rendered = [
        p for p in sorted((render_dir / "config").rglob("*")) if p.is_file() and p.name in files
    ]
    started = time.monotonic()
    for path in rendered:
        namespaces = [arg for ns in files[path.name] for arg in ("--namespace", ns)]
        subprocess.run(
            [str(validator), *namespaces, "--input-file", str(path)],
            capture_output=True,
            check=False,
        )
    return time.monotonic() - started, len(rendered)


def bench(environment: str) -> dict[str, object]:
    render_seconds, rendered = timed(lambda: render(REPO, environment, vault_password_file=VAULT))
    with tempfile.TemporaryDirectory(prefix="schema-bench-") as empty:
        os.environ["SITECTL_SCHEMA_CACHE"] = empty
        try:
            cold, result = timed(lambda: check.check(REPO, rendered, environment))
            shutil.rmtree(venv.ensure()[1].parent / "results")
            warm, _ = timed(lambda: check.check(REPO, rendered, environment))
            repeat, _ = timed(lambda: check.check(REPO, rendered, environment))
            naive_seconds, files = naive(rendered)
        finally:
            del os.environ["SITECTL_SCHEMA_CACHE"]
    return {
        "environment": environment,
        "render": render_seconds,
        "files": files,
        "problems": len(result.problems),  # type: ignore[attr-defined]
        "naive": naive_seconds,
        "cold": cold,
        "warm": warm,
        "repeat": repeat,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--environment", action="append", help="an environment (repeat; default both sites)"
    )
    args = parser.parse_args()
    rows = [bench(env) for env in args.environment or ["ci-aio", "example-site"]]
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(
        "| environment | INI files | render (cached or not) | naive (oslo-config-validator "
        "per file) | sitectl cold | sitectl warm | sitectl repeat | warm / naive |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['environment']} | {row['files']} | {row['render']:.0f} s | "
            f"{row['naive']:.1f} s | {row['cold']:.1f} s | {row['warm']:.1f} s | "
            f"{row['repeat']:.1f} s | "
            f"{row['warm'] / row['naive']:.2f} |"  # type: ignore[operator]
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
