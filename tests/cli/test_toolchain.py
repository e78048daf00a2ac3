"""toolchain.py: finding Python >= 3.12, the stamp fast path, the setup steps, the launcher."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sitectl import toolchain
from sitectl.toolchain import Candidate, ToolchainError, candidates, find_interpreter, probe

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLCHAIN_PY = REPO_ROOT / "tools" / "src" / "sitectl" / "toolchain.py"
LAUNCHER = REPO_ROOT / "tools" / "sitectl"
THIS_VERSION = ".".join(map(str, sys.version_info[:3]))


def fake_python(path: Path, stdout: str = "", stderr: str = "", code: int = 0) -> Path:
    """An executable that answers the probe like an interpreter would (or fails)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["#!/bin/sh"]
    if stdout:
        lines.append(f"echo '{stdout}'")
    if stderr:
        lines.append(f"echo '{stderr}' >&2")
    lines.append(f"exit {code}")
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    return tmp_path / "bin"


def env_for(bin_dir: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"PATH": str(bin_dir), "PYENV_ROOT": str(tmp_path / "no-pyenv"), **extra}


# --- finding an interpreter -----------------------------------------------------------------


def test_candidates_order(tmp_path: Path, bin_dir: Path) -> None:
    for name in ("python3", "python3.12", "python3.14"):
        fake_python(bin_dir / name)
    pyenv = tmp_path / "pyenv"
    for version in ("3.11.9", "3.12.1", "3.13.0", "3.12.10"):
        fake_python(pyenv / "versions" / version / "bin" / "python")
    system = tmp_path / "usr-bin"
    for name in ("python3.11", "python3.12", "python3.13", "python3-config", "python3.12-config"):
        fake_python(system / name)

    found = candidates(env_for(bin_dir, tmp_path, PYENV_ROOT=str(pyenv)), [str(system)])

    # The version the pins were resolved on (3.12) first, then newer ones, newest first.
    assert [(c.label, c.path) for c in found[:4]] == [
        ("python3.12", str(bin_dir / "python3.12")),
        ("python3.14", str(bin_dir / "python3.14")),
        ("python3.13", None),
        ("python3", str(bin_dir / "python3")),
    ]
    assert [c.path for c in found[4:]] == [
        str(pyenv / "versions" / v / "bin" / "python") for v in ("3.12.10", "3.12.1", "3.13.0")
    ] + [str(system / "python3.12"), str(system / "python3.13")]


def test_pyenv_root_defaults_to_home(tmp_path: Path) -> None:
    fake_python(tmp_path / ".pyenv" / "versions" / "3.12.4" / "bin" / "python")
    found = candidates({"PATH": str(tmp_path / "empty"), "HOME": str(tmp_path)}, [])
    assert found[-1].path == str(tmp_path / ".pyenv" / "versions" / "3.12.4" / "bin" / "python")


def test_sitectl_python_is_the_only_candidate(tmp_path: Path, bin_dir: Path) -> None:
    good = fake_python(bin_dir / "python3.13", "3.13.1 ok")
    chosen = fake_python(tmp_path / "mine" / "python", "3.12.7 ok")
    env = env_for(bin_dir, tmp_path, SITECTL_PYTHON=str(chosen))
    assert candidates(env, []) == [Candidate(f"SITECTL_PYTHON={chosen}", str(chosen))]
    assert find_interpreter(env, []) == toolchain.Interpreter(str(chosen), "3.12.7")
    assert good.exists()


def test_first_usable_candidate_wins(tmp_path: Path, bin_dir: Path) -> None:
    fake_python(bin_dir / "python3.14", stderr="pyenv: python3.14: command not found", code=127)
    fake_python(bin_dir / "python3.13", "3.13.0 no-venv ModuleNotFoundError: No module named x")
    fake_python(bin_dir / "python3.12", "3.12.3 ok")
    fake_python(bin_dir / "python3", "3.12.9 ok")
    found = find_interpreter(env_for(bin_dir, tmp_path), [])
    assert found == toolchain.Interpreter(str(bin_dir / "python3.12"), "3.12.3")


@pytest.mark.parametrize(
    ("stdout", "stderr", "code", "expected"),
    [
        ("3.11.7 ok", "", 0, "-> 3.11.7 (too old)"),
        ("2.7.18 ok", "", 0, "-> 2.7.18 (too old)"),
        (
            "",
            "pyenv: python3.12: command not found",
            127,
            "failed to run (exit 127: pyenv: python3.12",
        ),
        ("", "", 1, "failed to run (exit 1: no output)"),
        ("garbage", "", 0, "failed to run (exit 0: no output)"),
        (
            "3.12.1 no-venv ModuleNotFoundError: ensurepip",
            "",
            0,
            "without a working venv/ensurepip",
        ),
    ],
)
def test_probe_answers(tmp_path: Path, stdout: str, stderr: str, code: int, expected: str) -> None:
    path = fake_python(tmp_path / "python3.12", stdout, stderr, code)
    answer = probe(Candidate("python3.12", str(path)))
    assert answer.problem is not None
    assert expected in answer.describe()


def test_probe_of_a_pyenv_shim_says_so(tmp_path: Path) -> None:
    path = fake_python(tmp_path / "shims" / "python3.12", code=127)
    assert "(pyenv shim?)" in probe(Candidate("python3.12", str(path))).describe()


def test_probe_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "slow"
    path.write_text("#!/bin/sh\nsleep 5\n")
    path.chmod(0o755)
    monkeypatch.setattr(toolchain, "PROBE_TIMEOUT", 0.3)
    assert "did not answer" in (probe(Candidate("slow", str(path))).problem or "")


def test_probe_of_a_real_interpreter() -> None:
    answer = probe(Candidate("this", sys.executable))
    assert answer.problem is None
    assert answer.version == THIS_VERSION


def test_none_found_lists_every_candidate_and_the_fixes(tmp_path: Path, bin_dir: Path) -> None:
    fake_python(bin_dir / "python3", "3.11.7 ok")
    fake_python(bin_dir / "python3.12", stderr="pyenv: python3.12: command not found", code=127)
    fake_python(tmp_path / "no-pyenv" / "versions" / "3.13.0" / "bin" / "python", code=1)
    with pytest.raises(ToolchainError) as caught:
        find_interpreter(env_for(bin_dir, tmp_path), [])
    message = str(caught.value)
    assert "\n" not in message, "one paragraph"
    assert "Python >= 3.12 with a working venv" in message
    assert f"python3 ({bin_dir / 'python3'}) -> 3.11.7 (too old)" in message
    assert "python3.12 (" in message
    assert "pyenv: python3.12: command not found" in message
    assert "versions/3.13.0/bin/python -> failed to run (exit 1" in message
    assert "Not found: python3.14, python3.13." in message
    for fix in ("apt install python3.12 python3.12-venv", "pyenv install 3.12", "SITECTL_PYTHON="):
        assert fix in message


def test_script_runs_standalone_without_site_packages(tmp_path: Path, bin_dir: Path) -> None:
    """-I: no site-packages, no sitectl on the path: stdlib only."""
    result = subprocess.run(
        [sys.executable, "-I", str(TOOLCHAIN_PY), "find"],
        env={**env_for(bin_dir, tmp_path), "SITECTL_PYTHON": "/bin/false"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("sitectl: error: sitectl needs Python >= 3.12")
    assert "SITECTL_PYTHON=/bin/false -> failed to run (exit 1: no output)" in result.stderr
    assert "Traceback" not in result.stderr


def older_pythons() -> list[str]:
    """Interpreters 3.9-3.11 on this machine (the launcher may bootstrap with one)."""
    found = []
    for name in ("python3.9", "python3.10", "python3.11", "python3"):
        path = shutil.which(name)
        if path:
            answer = probe(Candidate(name, path))
            if answer.version and (3, 9) <= toolchain._version_key(answer.version)[:2] < (3, 12):
                found.append(path)
    return found[:1]


@pytest.mark.parametrize("python", older_pythons() or [pytest.param("", marks=pytest.mark.skip)])
def test_script_runs_on_older_python(python: str, tmp_path: Path) -> None:
    repo, venv = fake_venv(tmp_path)
    result = subprocess.run(
        [python, str(TOOLCHAIN_PY), "ensure", "--repo", str(repo), "--venv", str(venv)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")


# --- the stamp and the setup steps ----------------------------------------------------------


def fake_venv(tmp_path: Path, version: str = "3.12.1") -> tuple[Path, Path]:
    """A repository with the stamp inputs, and a virtualenv stamped as built from them."""
    repo = tmp_path / "repo"
    (repo / "tools").mkdir(parents=True)
    (repo / "requirements.txt").write_text("kayobe==21.0.0\n")
    (repo / "tools" / "constraints.txt").write_text("pbr==7.1.3\n")
    (repo / "tools" / "pyproject.toml").write_text("[project]\nname = 'sitectl'\n")
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {version}\n")
    (venv / "bin" / "python").symlink_to(sys.executable)
    (venv / toolchain.STAMP_NAME).write_text(toolchain.stamp(repo, version, venv) + "\n")
    (venv / toolchain.LOCATION_NAME).write_text(f"{venv}\n")
    return repo, venv


def test_current_venv_is_left_alone_without_starting_a_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, venv = fake_venv(tmp_path)

    def no_process(*args: object, **kwargs: object) -> None:
        raise AssertionError("the fast path must not start a process")

    monkeypatch.setattr(subprocess, "run", no_process)
    started = time.perf_counter()
    for _ in range(10):
        assert toolchain.ensure(repo, venv) is False
    assert (time.perf_counter() - started) / 10 < 0.02


@pytest.mark.parametrize(
    "change",
    [
        lambda repo, venv: (repo / "requirements.txt").write_text("kayobe==22.0.0\n"),
        lambda repo, venv: (repo / "tools" / "constraints.txt").write_text("pbr==8\n"),
        lambda repo, venv: (repo / "tools" / "pyproject.toml").write_text("changed"),
        lambda repo, venv: (venv / "pyvenv.cfg").write_text("version = 3.13.0\n"),
        lambda repo, venv: (venv / toolchain.STAMP_NAME).unlink(),
        lambda repo, venv: (venv / "bin" / "python").unlink(),
        lambda repo, venv: (venv / "pyvenv.cfg").unlink(),
    ],
    ids=["requirements", "constraints", "pyproject", "python", "no-stamp", "no-python", "no-cfg"],
)
def test_any_input_change_makes_the_venv_stale(
    tmp_path: Path, change: Callable[[Path, Path], object]
) -> None:
    repo, venv = fake_venv(tmp_path)
    assert toolchain.is_current(repo, venv)
    change(repo, venv)
    assert not toolchain.is_current(repo, venv)


def test_a_moved_venv_or_checkout_is_stale_and_the_venv_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copied checkout with its .venv (or a .venv restored from a cache into another build
    directory) would run the first checkout's sitectl: it is made again, not updated."""
    repo, venv = fake_venv(tmp_path, version=THIS_VERSION)
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy / "repo")
    shutil.copytree(venv, copy / "venv", symlinks=True)
    assert toolchain.is_current(repo, venv)
    assert not toolchain.is_current(copy / "repo", venv)  # another checkout, same venv
    assert not toolchain.is_current(copy / "repo", copy / "venv")
    assert toolchain.moved(copy / "venv") and not toolchain.moved(venv)

    recreated = []
    monkeypatch.setattr(toolchain, "find_interpreter", lambda env: toolchain.Interpreter("p", "3"))
    monkeypatch.setattr(toolchain, "_create_venv", lambda path, i: recreated.append(path))
    monkeypatch.setattr(toolchain, "_run_logged", Recorder())
    assert toolchain.ensure(copy / "repo", copy / "venv") is True
    assert recreated == [copy / "venv"]
    assert not toolchain.moved(copy / "venv")


def test_two_checkouts_sharing_a_venv_set_it_up_one_at_a_time(tmp_path: Path) -> None:
    """The set-up lock belongs to the virtualenv: a second checkout's setup waits."""
    _, venv = fake_venv(tmp_path)
    program = (
        "import sys, time\n"
        f"sys.path.insert(0, {str(Path(toolchain.__file__).parent)!r})\n"
        "import toolchain\n"
        "from pathlib import Path\n"
        "with toolchain._setup_lock(Path(sys.argv[1])):\n"
        "    print('locked', flush=True)\n"
    )
    with toolchain._setup_lock(venv):
        other = subprocess.Popen(
            [sys.executable, "-c", program, str(venv)], stdout=subprocess.PIPE, text=True
        )
        time.sleep(1.5)
        assert other.poll() is None
        elsewhere = subprocess.run(
            [sys.executable, "-c", program, str(tmp_path / "other-venv")],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert elsewhere.stdout == "locked\n"
    assert other.communicate(timeout=60)[0] == "locked\n"


def test_broken_python_symlink_is_stale(tmp_path: Path) -> None:
    repo, venv = fake_venv(tmp_path)
    (venv / "bin" / "python").unlink()
    (venv / "bin" / "python").symlink_to(tmp_path / "uninstalled-python")
    assert not toolchain.is_current(repo, venv)


class Recorder:
    """Stands in for the pip runs: records them, optionally fails one."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.commands: list[list[str]] = []
        self.fail_on = fail_on

    def __call__(self, command: list[str], log: Path, what: str) -> None:
        self.commands.append(list(command))
        if len(self.commands) == self.fail_on:
            raise ToolchainError(f"{what} failed")


def test_stale_venv_is_updated_in_place_and_stamped_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, venv = fake_venv(tmp_path, version=THIS_VERSION)
    (repo / "requirements.txt").write_text("changed\n")
    pip = Recorder()
    monkeypatch.setattr(toolchain, "_run_logged", pip)
    monkeypatch.setattr(toolchain, "_create_venv", lambda *a: pytest.fail("must not recreate"))

    assert toolchain.ensure(repo, venv) is True

    python = str(venv / "bin" / "python")
    assert pip.commands == [
        [python, "-m", "pip", "install", "--upgrade", "pip"],
        [
            python,
            "-m",
            "pip",
            "install",
            "-r",
            str(repo / "requirements.txt"),
            "-e",
            str(repo / "tools"),
        ],
    ]
    assert toolchain.is_current(repo, venv)


def test_interrupted_install_leaves_no_stamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, venv = fake_venv(tmp_path, version=THIS_VERSION)
    (repo / "requirements.txt").write_text("changed\n")
    monkeypatch.setattr(toolchain, "_run_logged", Recorder(fail_on=2))
    with pytest.raises(ToolchainError):
        toolchain.ensure(repo, venv)
    assert not (venv / toolchain.STAMP_NAME).exists()
    assert not toolchain.is_current(repo, venv)


def test_missing_venv_is_created_with_the_found_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = fake_venv(tmp_path)
    venv = tmp_path / "new-venv"
    created = []

    def create(path: Path, interpreter: toolchain.Interpreter) -> None:
        created.append((path, interpreter))
        fake = fake_venv(tmp_path / "made", version=interpreter.version)[1]
        shutil.copytree(fake, path, symlinks=True)
        (path / toolchain.STAMP_NAME).unlink()

    interpreter = toolchain.Interpreter("/opt/python3.12", "3.12.5")
    monkeypatch.setattr(toolchain, "find_interpreter", lambda env: interpreter)
    monkeypatch.setattr(toolchain, "_create_venv", create)
    monkeypatch.setattr(toolchain, "_run_logged", Recorder())

    assert toolchain.ensure(repo, venv) is True
    assert created == [(venv, interpreter)]
    assert toolchain.is_current(repo, venv)


def test_force_recreates_a_current_venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, venv = fake_venv(tmp_path)
    recreated = []
    monkeypatch.setattr(
        toolchain, "find_interpreter", lambda env: toolchain.Interpreter("p", "3.12.1")
    )
    monkeypatch.setattr(toolchain, "_create_venv", lambda path, i: recreated.append(path))
    monkeypatch.setattr(toolchain, "_run_logged", Recorder())
    assert toolchain.ensure(repo, venv, force=True) is True
    assert recreated == [venv]


def test_pip_failure_shows_the_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "setup.log"
    command = [sys.executable, "-c", "print('resolver says no'); raise SystemExit(3)"]
    with pytest.raises(ToolchainError) as caught:
        toolchain._run_logged(command, log, "installing the pinned toolchain")
    message = str(caught.value)
    assert "installing the pinned toolchain failed (exit 3)" in message
    assert str(log) in message
    assert "resolver says no" in message


def test_a_long_install_is_never_silent(tmp_path: Path) -> None:
    """pip's progress, repeated at least every `every` seconds while it works, its output in
    the log; a step that prints nothing for a while is still reported as working."""
    log = tmp_path / "setup.log"
    program = (
        "import time\n"
        "print('Collecting kayobe==21.0.0', flush=True)\n"
        "time.sleep(2.5)\n"
        "print('Collecting kolla==23.0.0', flush=True)\n"
        "print('  some detail', flush=True)\n"
        "time.sleep(1.5)\n"
        "print('Successfully installed kayobe kolla', flush=True)\n"
    )
    told: list[tuple[float, str]] = []
    started = time.monotonic()
    toolchain.run_with_progress(
        [sys.executable, "-c", program],
        log,
        "installing",
        lambda line: told.append((time.monotonic() - started, line)),
        every=1.0,
    )
    said = [line for _, line in told]
    assert len(said) >= 3, said
    assert any("1 packages collected; Collecting kayobe==21.0.0" in line for line in said)
    assert any("2 packages collected; Collecting kolla==23.0.0" in line for line in said)
    gaps = [b - a for (a, _), (b, _) in zip([(0.0, ""), *told], told, strict=False)]
    assert max(gaps) < 2.0, told
    text = log.read_text()
    assert "Collecting kolla==23.0.0\n  some detail\nSuccessfully installed" in text


def test_refuses_to_replace_a_directory_that_is_not_a_venv(tmp_path: Path) -> None:
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    with pytest.raises(ToolchainError, match="is not a virtualenv; refusing"):
        toolchain._create_venv(precious, toolchain.Interpreter(sys.executable, "3.12.1"))
    assert (precious / "thesis.tex").exists()


# --- the launcher ---------------------------------------------------------------------------


def test_launcher_without_any_python(tmp_path: Path) -> None:
    tools = tmp_path / "only-bash"
    tools.mkdir()
    for tool in ("bash", "dirname", "readlink"):
        (tools / tool).symlink_to(shutil.which(tool))
    result = subprocess.run(
        [str(tools / "bash"), str(LAUNCHER), "envs"],
        env={"PATH": str(tools), "SITECTL_VENV": str(tmp_path / "venv")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("sitectl: error: no working python3 (>= 3.9)")


def test_launcher_when_no_interpreter_qualifies(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(LAUNCHER), "envs"],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("SITECTL_", "KAYOBE_"))},
            "SITECTL_PYTHON": shutil.which("false") or "/bin/false",
            "SITECTL_VENV": str(tmp_path / "v"),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("sitectl: error: sitectl needs Python >= 3.12")
    assert result.stderr.count("\n") == 1
    assert "SITECTL_PYTHON=" in result.stderr
    assert not (tmp_path / "v").exists()


def test_launcher_is_executable() -> None:
    assert os.access(LAUNCHER, os.X_OK)


def test_the_tests_extras_are_installed_once_and_again_when_their_pins_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operator's toolchain lacks what only the tests need; `sitectl test` adds it to the
    same virtualenv, once, and again when tests/requirements.txt or the toolchain changes."""
    repo, venv = fake_venv(tmp_path)
    (repo / "tests").mkdir()
    (repo / "tests" / "requirements.txt").write_text("pytest-xdist==3.8.0\n")
    pip = Recorder()
    monkeypatch.setattr(toolchain, "_run_logged", pip)

    assert toolchain.ensure_tests(repo, venv) is True
    assert pip.commands == [
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-r",
            str(repo / "tests" / "requirements.txt"),
        ]
    ]
    assert toolchain.ensure_tests(repo, venv) is False  # current: nothing run
    assert len(pip.commands) == 1
    (repo / "tests" / "requirements.txt").write_text("pytest-xdist==3.9.0\n")
    assert toolchain.ensure_tests(repo, venv) is True
    (venv / toolchain.STAMP_NAME).write_text("another toolchain\n")
    assert toolchain.ensure_tests(repo, venv) is True
    assert len(pip.commands) == 3

    failing = Recorder(fail_on=1)
    monkeypatch.setattr(toolchain, "_run_logged", failing)
    (repo / "tests" / "requirements.txt").write_text("broken\n")
    with pytest.raises(ToolchainError):
        toolchain.ensure_tests(repo, venv)
    assert not (venv / toolchain.TEST_STAMP_NAME).exists()  # redone next time
