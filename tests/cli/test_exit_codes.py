"""Every verb's exit status follows the README's table (sitectl.errors): 0 nothing to report,
1 something to report, 2 the operator's error, 3 sitectl's own, 130 stopped. The diff's 0 and
1 are held in tests/diff/test_cli.py, validate's in tests/validate/test_cli.py."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from sitectl import cli, errors
from sitectl.verbs import Context, Verb
from tests.conftest import run_sitectl
from tests.helpers import REPO
from tests.synthetic import add_env, make_repo


def _documented() -> dict[int, str]:
    """The README's exit status table: {status: meaning}."""
    text = REPO.joinpath("README.md").read_text(encoding="utf-8")
    section = text.split("### Exit status", 1)[1].split("\n### ", 1)[0]
    return {int(m[1]): m[2] for m in re.finditer(r"^\| (\d+) \| (.+) \|$", section, re.M)}


def test_the_readme_table_is_the_codes_sitectl_uses() -> None:
    table = _documented()
    assert sorted(table) == sorted(
        {errors.NO_CHANGE, errors.CHANGED, errors.USAGE, errors.INTERNAL, errors.INTERRUPTED}
    )
    assert "operator's error" in table[errors.USAGE]
    assert "sitectl's own" in table[errors.INTERNAL]


def _verb(monkeypatch: pytest.MonkeyPatch, run: object) -> None:
    verb = Verb("probe", "probes", lambda parser: None, run)  # type: ignore[arg-type]
    monkeypatch.setattr(cli, "VERBS", (verb,))


def test_a_bug_exits_3_in_one_paragraph_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo")

    def broken(ctx: Context, args: argparse.Namespace) -> int:
        return {"a": 1}["secret-looking value"]

    _verb(monkeypatch, broken)
    monkeypatch.delenv("SITECTL_DEBUG", raising=False)
    assert cli.main(["--repo", str(repo), "probe"]) == errors.INTERNAL
    err = capsys.readouterr().err
    assert re.match(
        r"sitectl: error: sitectl failed \(KeyError at \w+\.py:\d+\)\. This is a bug", err
    )
    assert "Traceback" not in err and "secret-looking value" not in err
    monkeypatch.setenv("SITECTL_DEBUG", "1")
    assert cli.main(["--repo", str(repo), "probe"]) == errors.INTERNAL
    assert "Traceback" in capsys.readouterr().err


def test_the_machines_errors_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = make_repo(tmp_path / "repo")

    def full_disk(ctx: Context, args: argparse.Namespace) -> int:
        raise OSError(28, "No space left on device", str(ctx.repo / ".cache" / "x.json"))

    _verb(monkeypatch, full_disk)
    assert cli.main(["--repo", str(repo), "probe"]) == errors.USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"sitectl: error: cannot use {repo}/.cache/x.json: No space left")
    assert "Free some space" in err and "Traceback" not in err


def test_a_cache_that_cannot_be_written_is_no_finding(tmp_path: Path) -> None:
    """validate with .cache in the way (here a file; read-only for non-root users): exit 2
    and one paragraph naming it, not a configuration finding blaming a bug in sitectl."""
    repo = make_repo(tmp_path / "repo")
    add_env(repo, "site")
    (repo / ".cache").write_text("in the way\n")
    result = run_sitectl("--repo", repo, "validate", "site")
    assert result.returncode == errors.USAGE, result.stdout + result.stderr
    assert "\nsitectl: error: cannot use " in result.stderr
    assert ".cache" in result.stderr
    assert "bug" not in result.stdout + result.stderr and "Traceback" not in result.stderr
