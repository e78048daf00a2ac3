"""Rendering a git ref, and the `sitectl render` command."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from sitectl.render import render, snapshot

from .conftest import PASSWORD_FILE, REPO

pytestmark = pytest.mark.slow

RunSitectl = Callable[..., "subprocess.CompletedProcess[str]"]  # tests/conftest.py's fixture


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def tree(root: Path) -> list[tuple[str, bytes | str]]:
    return [
        (name, os.readlink(path) if path.is_symlink() else path.read_bytes())
        for name, path in snapshot.files(root)
    ]


def test_a_ref_renders_its_own_tree(tmp_path: Path) -> None:
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    at_head = render(
        REPO, "ci-aio", ref=head, services=["keystone"], vault_password_file=PASSWORD_FILE
    )
    meta = json.loads((at_head / "render.json").read_text())
    assert (meta["ref"], meta["commit"], meta["services"]) == (head, head, ["keystone"])
    assert (at_head / "config" / "aio" / "keystone-api" / "keystone.conf").is_file()
    # The same configuration in the working tree renders the same files.
    committed = snapshot.materialise(REPO, snapshot.resolve(REPO, head), tmp_path / "head")
    working = snapshot.materialise(REPO, snapshot.resolve(REPO, None), tmp_path / "wt")
    if tree(committed) == tree(working):
        here = render(REPO, "ci-aio", services=["keystone"], vault_password_file=PASSWORD_FILE)
        before, after = files(at_head), files(here)
        assert {k: v for k, v in before.items() if k != "render.json"} == {
            k: v for k, v in after.items() if k != "render.json"
        }


def test_the_command_prints_the_render_directory(ci_aio: Path, sitectl: RunSitectl) -> None:
    result = sitectl("--vault-password-file", PASSWORD_FILE, "render", "ci-aio")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{ci_aio}\n"
    assert "[render] ci-aio (working tree), all services: cached" in result.stderr


def test_the_command_reports_bad_input_in_one_paragraph(
    tmp_path: Path, sitectl: RunSitectl
) -> None:
    out = tmp_path / "out"
    result = sitectl(
        "--vault-password-file",
        PASSWORD_FILE,
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
