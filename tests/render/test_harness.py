"""The harness's verdicts on a kayobe run, with a fake kayobe: contact with a host, a refused
stand-in call, a failure (secrets redacted in what is shown)."""

from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitectl.errors import SiteError
from sitectl.render import harness
from sitectl.render.redaction import Redactor

SECRET = "Very-Secret-Password-99"


@pytest.fixture
def scratch() -> Iterator[harness.Scratch]:
    with harness.scratch_directory() as scratch:
        scratch.prepare()
        scratch.repo.mkdir()
        yield scratch


def fake_kayobe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stdout: str, exit_code: int
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "kayobe"
    script.write_text(f"#!/bin/sh\ncat <<'EOF'\n{textwrap.dedent(stdout)}EOF\nexit {exit_code}\n")
    script.chmod(0o755)
    monkeypatch.setattr(harness, "venv_bin", lambda: bin_dir)


def run(scratch: harness.Scratch) -> str:
    redactor = Redactor("key", [SECRET])
    return harness.run(scratch, ["x"], env=dict(os.environ), tidy=redactor.text, label="kayobe x")


def test_success_returns_stdout(
    scratch: harness.Scratch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_kayobe(tmp_path, monkeypatch, '{"aio": {}}\n', 0)
    assert run(scratch) == '{"aio": {}}\n'


def test_any_contact_with_a_host_fails_the_run(
    scratch: harness.Scratch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_kayobe(
        tmp_path,
        monkeypatch,
        'fatal: [ctl01]: UNREACHABLE! => {"msg": "Failed to connect to the host via ssh"}\n',
        0,
    )
    with pytest.raises(SiteError, match="tried to contact a host"):
        run(scratch)


def test_the_refusing_ssh_stand_in(scratch: harness.Scratch) -> None:
    result = subprocess.run(
        [str(scratch.bin / "ssh"), "stack@10.0.0.1"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 255
    assert "refused" in result.stderr


def test_a_refused_stand_in_call_is_named(
    scratch: harness.Scratch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_kayobe(
        tmp_path,
        monkeypatch,
        'fatal: [ctl01]: FAILED! => {"msg": "sitectl-render-stand-in: kolla_toolbox '
        'community.mysql.mysql_db (name=nova) is a live call"}\n',
        2,
    )
    with pytest.raises(SiteError, match="live call that the render harness does not stand in"):
        run(scratch)


def test_failures_show_ansibles_errors_redacted(
    scratch: harness.Scratch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_kayobe(
        tmp_path,
        monkeypatch,
        f"""\
        TASK [x] ****
        fatal: [aio]: FAILED! => {{"msg": "bad value {SECRET} in networks.yml"}}
        """,
        2,
    )
    with pytest.raises(SiteError) as raised:
        run(scratch)
    shown = raised.value.render()
    assert "kayobe x failed (exit 2)" in shown
    assert "networks.yml" in shown
    assert SECRET not in shown
    assert "<redacted:" in shown
