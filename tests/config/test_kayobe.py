"""kayobe.py: the hermetic environment, error extraction, secret-free failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitectl import kayobe
from sitectl import scratch as sitectl_scratch
from sitectl.errors import SiteError

SECRET = "Hunter2-Hunter2"

YAML_FAILURE = """\
[WARNING]: Failed to parse inventory with 'yaml' plugin: YAML parsing failed.
Origin: /repo/environments/e1/broken.yml:2:4

1 bad: [1, 2
     ^ column 4

[WARNING]: Unable to parse /repo/etc/kayobe/inventory as an inventory source
[ERROR]: YAML parsing failed: While parsing a flow sequence did not find expected ',' or ']'.
Origin: /repo/environments/e1/broken.yml:2:4

1 bad: [1, 2
2 foo: bar
     ^ column 4

\x1b[31;20m[ERROR]: Kayobe playbook(s) /venv/share/kayobe/ansible/dump-config.yml exited 4\x1b[0m
"""

# kayobe logs a failed playbook's output as a Python bytes literal.
TASK_FAILURE = (
    "\x1b[31;20m[ERROR]: Kayobe playbook(s) dump-config.yml exited 2\x1b[0m\n"
    "\x1b[31;20m[ERROR]: The output was:\n"
    "b'\\nPLAY [Dump] ***\\n\\nTASK [Write host variable to file] ***\\n"
    "[ERROR]: Task failed: Variable \\'nonexistent\\' not found for host \\'ctl0\\'\\n"
    "Origin: /venv/share/kayobe/ansible/dump-config.yml:37:7\\n\\n"
    'fatal: [ctl0 -> localhost]: FAILED! => {"msg": "password ' + SECRET + ' rejected"}\\n'
    "\\nPLAY RECAP ***\\nctl0 : ok=1 failed=1\\n'\x1b[0m\n"
)


def test_errors_come_from_error_records_not_warnings() -> None:
    assert kayobe.ansible_errors(YAML_FAILURE) == [
        "[ERROR]: YAML parsing failed: While parsing a flow sequence did not find expected ',' or "
        "']'.",
        "Origin: /repo/environments/e1/broken.yml:2:4",
    ]


def test_errors_inside_kayobes_bytes_literal_are_decoded() -> None:
    assert kayobe.ansible_errors(TASK_FAILURE) == [
        "[ERROR]: Task failed: Variable 'nonexistent' not found for host 'ctl0'",
        "Origin: /venv/share/kayobe/ansible/dump-config.yml:37:7",
        'fatal: [ctl0 -> localhost]: FAILED! => {"msg": "password ' + SECRET + ' rejected"}',
    ]


def test_without_a_recognisable_error_the_last_lines_are_shown() -> None:
    output = "\n".join(f"line {n}" for n in range(40))
    assert kayobe.ansible_errors(output) == [f"line {n}" for n in range(25, 40)]


def test_long_lines_are_cut() -> None:
    (line,) = kayobe.ansible_errors("fatal: " + "x" * 5000)
    assert len(line) == kayobe.MAX_LINE_LENGTH


def test_environment_is_hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "OS_PASSWORD": "cloud-admin",
        "KOLLA_SOURCE_PATH": "/elsewhere",
        "KAYOBE_ENVIRONMENT": "prod",
        "KAYOBE_VAULT_PASSWORD": "operators",
        "ANSIBLE_VAULT_PASSWORD_FILE": "/x",
        "ANSIBLE_CONFIG": "/y",
        "HOME": "/home/op",
    }.items():
        monkeypatch.setenv(name, value)

    env = kayobe.environment(tmp_path, password=None, scratch=tmp_path / "scratch")

    for leaked in (
        "OS_PASSWORD",
        "KOLLA_SOURCE_PATH",
        "KAYOBE_ENVIRONMENT",
        "KAYOBE_VAULT_PASSWORD",
        "ANSIBLE_VAULT_PASSWORD_FILE",
        "ANSIBLE_CONFIG",
    ):
        assert leaked not in env
    assert env["HOME"] == "/home/op"
    assert env["PWD"] == str(tmp_path)
    assert env["KAYOBE_CONFIG_PATH"] == str(tmp_path / "etc" / "kayobe")
    assert env["PATH"].startswith(str(kayobe.venv_bin()) + ":")
    assert env["ANSIBLE_PYTHON_INTERPRETER"] == str(kayobe.venv_bin() / "python")
    assert env["ANSIBLE_HOST_KEY_CHECKING"] == "False"
    assert env["ANSIBLE_NOCOLOR"] == "1"
    assert env["ANSIBLE_HOME"] == str(tmp_path / ".cache" / "ansible")
    assert env["ANSIBLE_LOCAL_TEMP"] == env["TMPDIR"] == str(tmp_path / "scratch")


def test_password_goes_in_the_environment_only(tmp_path: Path) -> None:
    env = kayobe.environment(tmp_path, password=SECRET, scratch=tmp_path)
    assert env["KAYOBE_VAULT_PASSWORD"] == SECRET
    assert SECRET not in kayobe.command_line(tmp_path, ["configuration", "dump"])


@pytest.fixture
def fake_kayobe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `kayobe` in a fake venv bin/: replays the script written to it."""
    bin_dir = tmp_path / "venv-bin"
    bin_dir.mkdir()
    monkeypatch.setattr(kayobe, "venv_bin", lambda: bin_dir)
    return bin_dir / "kayobe"


def write_script(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def test_run_returns_stdout_and_passes_the_password(tmp_path: Path, fake_kayobe: Path) -> None:
    write_script(fake_kayobe, 'echo "$KAYOBE_VAULT_PASSWORD|$1 $2|$PWD"\n')
    assert kayobe.run(tmp_path, ["configuration", "dump"], password=SECRET).stdout == (
        f"{SECRET}|configuration dump|{tmp_path}\n"
    )


def test_scratch_directory_is_removed_after_the_run(tmp_path: Path, fake_kayobe: Path) -> None:
    write_script(fake_kayobe, 'echo "cleartext" > "$TMPDIR/dump.yml"; echo "$TMPDIR"\n')
    output = kayobe.run(tmp_path, ["configuration", "dump"], password=None)
    scratch = Path(output.stdout.strip())
    assert scratch.name.startswith("kayobe-") and scratch.parent == sitectl_scratch.root()
    assert not scratch.exists()


def test_failure_is_one_error_without_secrets(tmp_path: Path, fake_kayobe: Path) -> None:
    (tmp_path / "err.txt").write_text(TASK_FAILURE)
    write_script(fake_kayobe, f"cat {tmp_path / 'err.txt'} >&2\nexit 2\n")
    with pytest.raises(SiteError) as caught:
        kayobe.run(
            tmp_path,
            ["configuration", "dump", "--environment", "e1"],
            password="vault-pw",
            secrets={SECRET},
        )
    error = caught.value
    text = error.render()
    assert error.message.startswith("kayobe configuration dump failed (exit 2)")
    assert "Variable 'nonexistent' not found" in text
    assert SECRET not in text
    assert "vault-pw" not in text
    assert "password <redacted> rejected" in text
    assert "kayobe configuration dump --environment e1" in error.details[-1]
    assert "KAYOBE_VAULT_PASSWORD=<the vault password>" in error.details[-1]


def test_missing_kayobe_says_run_setup(tmp_path: Path, fake_kayobe: Path) -> None:
    with pytest.raises(SiteError, match="run tools/sitectl setup"):
        kayobe.run(tmp_path, ["configuration", "dump"], password=None)
