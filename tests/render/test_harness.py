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
from sitectl.render import harness, pipeline
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


def test_role_progress_names_its_render_and_stops_at_the_recap(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each progress line says which render it is about (two run at once in a diff), and the
    time after the last play (Ansible's recap and exit) is charged to no role."""
    now = [0.0]
    monkeypatch.setattr(harness.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(harness, "SLOW_ROLE_SECONDS", 5.0)
    seconds: dict[str, float] = {}
    tracker = harness._RoleTracker("ci-aio at main (0123456789ab)", seconds)
    for at, line in (
        (1.0, "PLAY [Gather facts for all hosts] ****"),
        (2.0, "PLAY [Apply role nova] ****"),
        (3.0, "PLAY [Apply role skyline] ****"),
        (10.0, "PLAY RECAP ****"),
    ):
        now[0] = at
        tracker.line(line)
    now[0] = 31.0
    tracker.finish()
    assert seconds == {"nova": 1.0, "skyline": 7.0}  # not the 21 s after the recap
    said = capsys.readouterr().err.splitlines()
    assert said == [
        "[render] ci-aio at main (0123456789ab): kolla-ansible genconfig started at 1 s",
        "[render] ci-aio at main (0123456789ab): skyline took 7.0 s (at 10 s)",
    ]


def test_a_side_is_named_once_by_its_commit() -> None:
    commit = "0123456789abcdef" * 2 + "01234567"
    assert pipeline.side_label("ci-aio", None, commit) == "ci-aio (working tree)"
    assert pipeline.side_label("ci-aio", "main", commit) == "ci-aio at main (0123456789ab)"
    assert pipeline.side_label("ci-aio", commit, commit) == "ci-aio at 0123456789ab"
    assert pipeline.side_label("ci-aio", commit[:9], commit) == "ci-aio at 0123456789ab"
