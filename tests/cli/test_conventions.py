"""The conventions operators expect of a CLI like kayobe's: a bare `sitectl` shows what it
can do, `--version`, `-q`/`-v`, and `kayobe-env` for a plain kayobe on this repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitectl import prerequisites, progress
from tests.conftest import RunSitectl, clean_environment
from tests.helpers import EXAMPLE_PASSWORD, EXAMPLE_PASSWORD_FILE, REPO


def test_a_bare_sitectl_prints_its_help(sitectl: RunSitectl) -> None:
    bare = sitectl()
    assert bare.returncode == 0
    assert bare.stdout.startswith("usage: sitectl")
    for verb in ("render", "diff", "validate", "kayobe-env", "cache"):
        assert f"    {verb} " in bare.stdout


def test_version_names_the_toolchain(sitectl: RunSitectl) -> None:
    shown = sitectl("--version")
    assert shown.returncode == 0
    assert shown.stdout.startswith("sitectl 0.1.0 (kayobe 21.0.0, kolla-ansible 23.0.0, ")


def test_quiet_silences_progress_not_errors(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, sitectl: RunSitectl
) -> None:
    progress.note("x", "said")
    with progress.step("x", "working"):
        pass
    assert capsys.readouterr().err.startswith("[x] said\n[x] working ... done in")
    monkeypatch.setenv(progress.QUIET_VARIABLE, "1")
    progress.note("x", "said")
    with progress.step("x", "working"):
        pass
    assert capsys.readouterr().err == ""

    error = sitectl("-q", "kayobe-env", "no-such-environment")
    assert error.returncode == 2 and "unknown environment 'no-such-environment'" in error.stderr
    both = sitectl("-q", "-v", "envs")
    assert both.returncode == 2 and "not allowed with argument -q/--quiet" in both.stderr


def _evaluated(sitectl: RunSitectl, *args: str, env: dict[str, str] | None = None) -> str:
    """What a shell that evals `sitectl kayobe-env ARGS` then has, and which kayobe it runs."""
    printed = sitectl(*args, env=env)
    assert printed.returncode == 0, printed.stderr
    script = printed.stdout + (
        '\necho "config=$KAYOBE_CONFIG_PATH env=${KAYOBE_ENVIRONMENT-<unset>}'
        ' file=${ANSIBLE_VAULT_PASSWORD_FILE-<unset>} seed=$PYTHONHASHSEED"'
        "\ncommand -v kayobe\nkayobe --version >/dev/null 2>&1 && echo runs\n"
    )
    shell = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env=clean_environment({"KAYOBE_ENVIRONMENT": "stale", **(env or {})}),
    )
    assert EXAMPLE_PASSWORD not in printed.stdout + shell.stdout
    return shell.stdout


def test_kayobe_env_sets_up_a_plain_kayobe(sitectl: RunSitectl, tmp_path: Path) -> None:
    said = _evaluated(
        sitectl, "--vault-password-file", EXAMPLE_PASSWORD_FILE, "kayobe-env", "example-site"
    )
    config = REPO / "etc" / "kayobe"
    assert f"config={config} env=example-site file={EXAMPLE_PASSWORD_FILE} seed=0\n" in said
    assert said.endswith(f"\n{Path(sys.prefix) / 'bin' / 'kayobe'}\nruns\n")  # the pinned one

    base = _evaluated(sitectl, "kayobe-env", env={"KAYOBE_VAULT_PASSWORD": EXAMPLE_PASSWORD})
    assert f"config={config} env=<unset> file=<unset> seed=0\n" in base
    printed = sitectl("kayobe-env", env={"KAYOBE_VAULT_PASSWORD": EXAMPLE_PASSWORD}).stdout
    assert "# the vault password: $KAYOBE_VAULT_PASSWORD, already in your shell" in printed


def test_setup_check_lists_what_the_machine_lacks(sitectl: RunSitectl, tmp_path: Path) -> None:
    """Every prerequisite with the verbs that need it; a missing one MISSING, with how to
    install it, and exit 1; all present: exit 0."""
    venv_bin = Path(sys.prefix) / "bin"
    full = tmp_path / "full"
    full.mkdir()
    for needed in prerequisites.PREREQUISITES:
        stand_in = full / needed.commands[-1]  # a command of that name is all it looks for
        stand_in.write_text("#!/bin/sh\n")
        stand_in.chmod(0o755)
    everything = sitectl("setup", "--check", env={"PATH": f"{full}:{venv_bin}"})
    assert everything.returncode == 0, everything.stdout
    assert "MISSING" not in everything.stdout
    assert everything.stdout.startswith("python 3.12+")

    bare = tmp_path / "bin"
    bare.mkdir()
    (bare / "git").symlink_to(shutil.which("git") or "/usr/bin/git")
    lacking = sitectl("setup", "--check", env={"PATH": f"{bare}:{venv_bin}"})
    assert lacking.returncode == 1
    lines = lacking.stdout.splitlines()
    assert any(line.startswith("git ") and str(bare / "git") in line for line in lines)
    assert any(
        line.startswith("promtool ") and "MISSING, for lint alerts" in line for line in lines
    )
    assert lines[-1].startswith("to install: C compiler: apt install build-essential; rsync:")


def test_every_list_option_is_comma_separated_and_never_takes_the_environment() -> None:
    """`--services a,b` (or repeated) in every verb that takes a list; the positional after
    it stays the environment."""
    from sitectl.cli import build_parser

    parser = build_parser()
    for words in (
        ["check", "hosts", "--services", "nova,neutron", "example-site"],
        ["validate", "--rendered", "--services", "nova,neutron", "example-site"],
        ["render", "--services", "nova", "--services", "neutron", "example-site"],
        ["diff", "--services", "nova,neutron", "--env", "example-site"],
        ["repos", "status", "--only", "nova,neutron", "example-site"],
    ):
        args = parser.parse_args(words)
        chosen = getattr(args, "only", None) or args.services
        assert chosen == ["nova", "neutron"], words
        positional = getattr(args, "environment", None) or getattr(args, "environments", None)
        assert positional in ("example-site", ["example-site"], None), words
    with pytest.raises(SystemExit):
        parser.parse_args(["render", "--services", "nova,,neutron"])
