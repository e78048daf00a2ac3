"""Scratch directories that hold plaintext (sitectl.scratch): private, and removed even after
the process that made them was killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sitectl import scratch
from sitectl.errors import SiteError
from sitectl.render import harness

SRC = Path(__file__).resolve().parents[2] / "tools" / "src"

# Makes a scratch directory, writes a stand-in secret in it, says where, then waits.
HOLDER = """
import sys, time
from sitectl import scratch
with scratch.directory("render-") as path:
    (path / "passwords.yml").write_text("database_password: plaintext\\n")
    print(path, flush=True)
    time.sleep(300)
"""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "scratch"
    monkeypatch.setenv(scratch.ROOT_VARIABLE, str(path))
    monkeypatch.setattr(scratch, "GRACE_SECONDS", 0.0)
    return path


def _holder() -> tuple[subprocess.Popen[str], Path]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER], env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    return process, Path(process.stdout.readline().strip())


def test_a_killed_process_leaves_nothing_readable_and_the_next_run_removes_it(root: Path) -> None:
    process, held = _holder()
    try:
        assert held.parent == root.resolve()
        assert stat.S_IMODE(root.stat().st_mode) == 0o700
        with scratch.directory("other-") as mine:
            assert held.is_dir(), "a live process's directory was swept"
            assert mine.is_dir()
        assert not mine.exists()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert (held / "passwords.yml").exists()  # SIGKILL ran no clean-up
    with scratch.directory("next-"):
        assert not held.exists(), "the orphan of a killed process was left in place"


def test_an_unsafe_root_is_refused(root: Path, tmp_path: Path) -> None:
    root.mkdir(mode=0o755)
    root.chmod(0o755)
    with pytest.raises(SiteError, match="readable by others"), scratch.directory("x-"):
        pass
    root.rmdir()
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    root.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(SiteError, match="symlink"), scratch.directory("x-"):
        pass


def test_a_render_works_in_it(root: Path) -> None:
    with harness.scratch_directory() as work:
        assert work.root.parent == root.resolve()
    assert list(root.iterdir()) == []
