"""Rendering a git ref, and the `sitectl render` command."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from sitectl.render import render, snapshot
from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO

from .conftest import CACHE

pytestmark = pytest.mark.slow

RunSitectl = Callable[..., "subprocess.CompletedProcess[str]"]  # tests/conftest.py's fixture


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_a_ref_renders_its_own_tree(tmp_path: Path) -> None:
    """In a clone: a ref renders its commit's tree, the working tree renders what is on disk
    (uncommitted edits included), and a clean working tree renders the same files as HEAD."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    head = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    options = {
        "services": ["keystone"],
        "vault_password_file": EXAMPLE_PASSWORD_FILE,
        "cache_dir": CACHE,
    }
    at_head = render(clone, "ci-aio", ref=head, **options)  # type: ignore[arg-type]
    meta = json.loads((at_head / "render.json").read_text())
    assert (meta["ref"], meta["commit"], meta["services"]) == (head, head, ["keystone"])
    keystone_conf = Path("config", "aio", "keystone-api", "keystone.conf")
    assert (at_head / keystone_conf).is_file()

    clean = render(clone, "ci-aio", **options)  # type: ignore[arg-type]
    assert json.loads((clean / "render.json").read_text())["commit"] == snapshot.WORKING_TREE
    assert without_meta(files(clean)) == without_meta(files(at_head))

    override = clone / "etc" / "kayobe" / "kolla" / "config" / "keystone.conf"
    override.write_text("[DEFAULT]\n# an uncommitted edit\nmax_param_size = 321\n")
    edited = render(clone, "ci-aio", **options)  # type: ignore[arg-type]
    assert "max_param_size = 321" in (edited / keystone_conf).read_text()
    again = render(clone, "ci-aio", ref=head, **options)  # type: ignore[arg-type]
    assert "max_param_size" not in (again / keystone_conf).read_text()


def without_meta(found: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in found.items() if name != "render.json"}


def test_the_command_prints_the_render_directory(ci_aio: Path, sitectl: RunSitectl) -> None:
    result = sitectl("--vault-password-file", EXAMPLE_PASSWORD_FILE, "render", "ci-aio")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{ci_aio}\n"
    assert "[render] ci-aio (working tree), all services: cached" in result.stderr


def test_the_command_reports_bad_input_in_one_paragraph(
    tmp_path: Path, sitectl: RunSitectl
) -> None:
    out = tmp_path / "out"
    result = sitectl(
        "--vault-password-file",
        EXAMPLE_PASSWORD_FILE,
        "render",
        "ci-aio",
        "--ref",
        "no-such-ref",
        "--out",
        out,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("sitectl: error: unknown git ref 'no-such-ref'")
    assert "Traceback" not in result.stderr
    assert not out.exists()
