"""Run kayobe hermetically, and turn its failures into readable, secret-free errors.

The environment kayobe gets is built from scratch (plus a few harmless variables of the
operator's, like HOME and proxies): the operator's OS_*, KOLLA_*, KAYOBE_* and ANSIBLE_*
variables would otherwise leak into the configuration (kayobe's defaults read several of them),
and kayobe runs in the repository so that $PWD-based defaults are the same for everyone.
"""

import ast
import os
import re
import shlex
import subprocess
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitectl import scratch, stopping
from sitectl.errors import SiteError
from sitectl.redact import redact_text, secrets_pattern
from sitectl.repo import cache_dir, kayobe_config_dir, venv_bin

PASSED_THROUGH = (
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "SSH_AUTH_SOCK",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
)
# kayobe keeps an environment's dependencies in a set: where the dependencies leave their
# order open (example-site's four mixins), the layering then follows Python's string hashing
# and changes from run to run, and with it every merged list. A fixed seed makes it the same
# on every run and every machine (sitectl envs names such groups).
HASH_SEED = {"PYTHONHASHSEED": "0"}
# Ansible lookup plugins of sitectl's kayobe runs (not of `sitectl kayobe`): lookups/password.py.
LOOKUPS = Path(__file__).with_name("lookups")
GENERATED = "generated-lookups.txt"  # in the run's scratch directory
# The password lookup's key when there is no vault password (a sealed render).
UNSEALED_SEED_KEY = "sitectl-without-a-vault-password"
MAX_ERROR_LINES = 20
MAX_LINE_LENGTH = 400
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# kayobe logs the output of a failed ansible-playbook as a Python bytes literal.
_BYTES_LITERAL = re.compile(r"""b'(?:[^'\\\n]|\\.)*'|b"(?:[^"\\\n]|\\.)*\"""")
# Ansible's output is a series of records, each starting with one of these lines.
_RECORD_START = re.compile(
    r"^(\[(ERROR|WARNING|DEPRECATION WARNING)\]|ERROR!|fatal:|failed:|PLAY|TASK|RUNNING)"
)
_MEANINGFUL = re.compile(
    r"^\s*(\[ERROR\]|ERROR!|fatal:|failed:|Syntax Error|The error appears|The offending line"
    r"|Origin:|Failed to|Could not)"
)
_NOISE = re.compile(r"Kayobe playbook\(s\) .* exited \d+|The output was:")


def environment(repo: Path, password: str | None, scratch: Path) -> dict[str, str]:
    """The process environment for kayobe and the Ansible it runs.

    `scratch` is a private directory that run() removes afterwards, even when interrupted:
    kayobe's dump files and Ansible's local temporary files hold variables in clear text. It
    is in the system's temporary directory, not the repository: Ansible puts a Unix socket
    in $TMPDIR, and socket paths are limited to 107 bytes (a deep checkout breaks Ansible).
    """
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(
        PATH=f"{venv_bin()}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        PWD=str(repo),
        KAYOBE_CONFIG_PATH=str(kayobe_config_dir(repo)),
        # Only where no inventory variable sets ansible_python_interpreter, i.e. the implicit
        # localhost that kayobe delegates to: it must be this python, not a pyenv shim.
        ANSIBLE_PYTHON_INTERPRETER=str(venv_bin() / "python"),
        ANSIBLE_HOST_KEY_CHECKING="False",
        ANSIBLE_HOME=str(cache_dir(repo, "ansible")),
        ANSIBLE_LOCAL_TEMP=str(scratch),
        TMPDIR=str(scratch),
        ANSIBLE_NOCOLOR="1",
        # What sitectl reads from Ansible's output must not depend on the configuration's
        # ansible.cfg: one that names a callback current Ansible removed (stdout_callback =
        # yaml) would break every dump, as it breaks no render. The same for every kayobe run
        # sitectl makes (dumps, renders).
        ANSIBLE_STDOUT_CALLBACK="default",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="False",
        # lookup('password') of a file that does not exist: a stand-in value, the same in
        # every run, and no file written (sitectl/lookups/password.py).
        ANSIBLE_LOOKUP_PLUGINS=str(LOOKUPS),
        SITECTL_LOOKUP_SEED_KEY=password or UNSEALED_SEED_KEY,
        SITECTL_LOOKUP_ROOT=str(repo),
        SITECTL_LOOKUP_GENERATED=str(scratch / GENERATED),
        **HASH_SEED,
    )
    if password is not None:
        env["KAYOBE_VAULT_PASSWORD"] = password  # never on a command line
    return env


def generated_secrets(scratch: Path) -> set[str]:
    """The stand-in values the password lookup made up in runs with this scratch directory."""
    try:
        text = (scratch / GENERATED).read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    return {line for line in text.splitlines() if line}


def operator_environment(
    repo: Path,
    password: str | None,
    *,
    drop_prefixes: tuple[str, ...] = (),
    venv_first: bool = True,
    tools: Path | None = None,
) -> dict[str, str]:
    """The process environment for kayobe run against real hosts (`sitectl kayobe`, the
    all-in-one steps): the operator's own (SSH agent, proxies...), less the variables that
    start with `drop_prefixes`, with this repository's configuration, the pinned venv's bin
    directory (or `tools`, another toolchain's) on PATH (first, or after the operator's own
    tools), the fixed hash seed and the vault password.
    Renders and dumps use environment() instead: only PASSED_THROUGH, so that nothing of the
    machine reaches their output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop_prefixes or ("\0",))}
    path, bin_dir = env.get("PATH", os.defpath), tools or venv_bin()
    env["PATH"] = f"{bin_dir}{os.pathsep}{path}" if venv_first else f"{path}{os.pathsep}{bin_dir}"
    env["KAYOBE_CONFIG_PATH"] = str(kayobe_config_dir(repo))
    env.update(HASH_SEED)  # the same environment layering as every render and CI run
    if password is not None:
        env["KAYOBE_VAULT_PASSWORD"] = password  # never on a command line
    return env


def command_line(repo: Path, args: Sequence[str]) -> str:
    """How an operator reproduces a run by hand (the password stays in their environment)."""
    kayobe = shlex.join([str(venv_bin() / "kayobe"), *args])
    return (
        f"cd {shlex.quote(str(repo))} && KAYOBE_CONFIG_PATH=etc/kayobe "
        f"KAYOBE_VAULT_PASSWORD=<the vault password> {kayobe}"
    )


@dataclass(frozen=True)
class Output:
    stdout: str
    generated: frozenset[str]  # stand-in values the password lookup made up (secrets)


def run(
    repo: Path, args: Sequence[str], *, password: str | None, secrets: Collection[str] = ()
) -> Output:
    """Run `kayobe ARGS` in `repo`: its stdout and the values it made up; SiteError
    (secret-free) on failure."""
    kayobe = venv_bin() / "kayobe"
    if not kayobe.exists():
        raise SiteError(f"{kayobe} does not exist (no toolchain); run tools/sitectl setup.")
    with (
        scratch.directory("kayobe-") as private,
        subprocess.Popen(
            [str(kayobe), *args],
            cwd=repo,
            env=environment(repo, password, private),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its ansible-playbook runs die with it (stopping.py)
        ) as process,
        stopping.registered(process),
    ):
        stdout, stderr = process.communicate()
        generated = frozenset(generated_secrets(private))
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    if result.returncode == 0:
        return Output(result.stdout, generated)
    pattern = secrets_pattern({*secrets, *generated, *([password] if password else [])})
    said = [redact_text(line, pattern) for line in ansible_errors(result.stderr + result.stdout)]
    raise SiteError(
        f"kayobe {shlex.join(args[:2])} failed (exit {result.returncode}). What it said "
        "(secrets redacted), and how to rerun it by hand:",
        details=[*said, "", redact_text(command_line(repo, args), pattern)],
    )


def ansible_errors(output: str) -> list[str]:
    """The lines of kayobe/Ansible output that say what went wrong (with file and line)."""
    text = _BYTES_LITERAL.sub(_decode_bytes_literal, _ANSI.sub("", output))
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    chosen = []
    in_warning = False
    for line in lines:
        if _RECORD_START.match(line):
            in_warning = "WARNING]" in line
        if not in_warning and _MEANINGFUL.match(line) and not _NOISE.search(line):
            chosen.append(line[:MAX_LINE_LENGTH])
    chosen = list(dict.fromkeys(chosen))  # the same error is often reported twice
    return chosen[:MAX_ERROR_LINES] if chosen else lines[-15:]


def _decode_bytes_literal(match: re.Match[str]) -> str:
    try:
        return ast.literal_eval(match.group(0)).decode("utf-8", errors="replace")
    except (ValueError, SyntaxError):
        return match.group(0)
