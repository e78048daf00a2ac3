"""Running real kayobe (and through it kolla-ansible) on a snapshot, without any host.

Each render gets a private scratch directory (in the system's temporary directory: Ansible's
Unix sockets need short paths), laid out as:
  repo/      the configuration snapshot (KAYOBE_CONFIG_PATH is repo/etc/kayobe)
  kolla/     KOLLA_CONFIG_PATH: kayobe writes globals.yml, the inventories and passwords.yml
             (the vault-encrypted copy) there; never copied out
  nodes/     --node-config-dir: one directory per host, what would land in /etc/kolla/
  home/      $HOME, with a stand-in SSH key pair as ~/.ssh/id_rsa[.pub]
  facts/     the pre-filled Ansible fact cache (see facts.py)
  images/    image_cache_path: stand-ins for locally built IPA images (ironic)
  bin/       a stand-in `ssh` that refuses to connect
  tmp/       TMPDIR and Ansible's local temporary files (may hold clear-text secrets)
It is removed when the render ends, however it ends.

What keeps every run local, besides the fact cache: ANSIBLE_TRANSPORT=local and
`ansible_connection=local` for kayobe (-e) and kolla-ansible (-ke); ANSIBLE_SSH_EXECUTABLE is
a script that refuses; `ansible_become=false` (nothing is written outside the scratch
directory, and no root or sudo is needed); the stand-ins in standins/ answer the one call
kolla makes to a live cloud and the container restarts its handlers request. After each run
the output is searched for any sign of an SSH attempt or an unreachable host, and the render
fails if there is one.
"""

import grp
import os
import pwd
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sitectl import kayobe, scratch, stopping
from sitectl.errors import SiteError
from sitectl.progress import note
from sitectl.render.ordering import DIRECTORY as ORDERING
from sitectl.render.standins import DIRECTORY as STANDINS
from sitectl.render.standins import MARKER as STANDIN_MARKER
from sitectl.repo import venv_bin

TAG = "render"
SSH_PRIVATE_KEY = """\
-----BEGIN OPENSSH PRIVATE KEY-----
c2l0ZWN0bC1yZW5kZXIgc3RhbmQtaW4ga2V5OyBub3QgYSByZWFsIGtleQ==
-----END OPENSSH PRIVATE KEY-----
"""
SSH_PUBLIC_KEY = "ssh-rsa c2l0ZWN0bC1yZW5kZXIgc3RhbmQtaW4ga2V5 sitectl-render-stand-in\n"
IPA_IMAGES = ("ipa.kernel", "ipa.initramfs")
REFUSING_SSH = f"""#!/bin/sh
echo "{STANDIN_MARKER}: ssh $* refused: a render never contacts a host" >&2
exit 255
"""
# Any of these in Ansible's output means something tried to reach a host.
_CONTACT = re.compile(
    rf"UNREACHABLE!|Failed to connect to the host via ssh|{STANDIN_MARKER}: ssh "
    r"|ssh: connect to host|Permission denied \(publickey"
)
_PLAY = re.compile(r"^PLAY \[(?P<name>.*)\] \*+")
_ROLE_PLAY = re.compile(r"^Apply role (?P<role>\S+)$")
SLOW_ROLE_SECONDS = 2.0
KAYOBE_STEPS = Path(__file__).with_name("kayobe_steps.py")


@dataclass(frozen=True)
class Scratch:
    root: Path

    @property
    def repo(self) -> Path:
        return self.root / "repo"

    @property
    def kolla(self) -> Path:
        return self.root / "kolla"

    @property
    def nodes(self) -> Path:
        return self.root / "nodes"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def facts(self) -> Path:
        return self.root / "facts"

    @property
    def images(self) -> Path:
        return self.root / "images"

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def ssh_private_key(self) -> Path:
        return self.home / ".ssh" / "id_rsa"

    def prepare(self) -> None:
        """Everything but the snapshot (repo/), which snapshot.materialise() writes."""
        for directory in (self.kolla, self.nodes, self.facts, self.bin, self.tmp):
            directory.mkdir(parents=True, exist_ok=True)
        (self.home / ".ssh").mkdir(parents=True, mode=0o700)
        self.ssh_private_key.write_text(SSH_PRIVATE_KEY)
        self.ssh_private_key.chmod(0o600)
        self.ssh_private_key.with_suffix(".pub").write_text(SSH_PUBLIC_KEY)
        (self.images / "ipa").mkdir(parents=True)
        for name in IPA_IMAGES:
            (self.images / "ipa" / name).write_text(
                f"{STANDIN_MARKER}: {name} (a locally built IPA image in a real deployment)\n"
            )
        ssh = self.bin / "ssh"
        ssh.write_text(REFUSING_SSH)
        ssh.chmod(0o755)


@contextmanager
def scratch_directory() -> Iterator[Scratch]:
    """A render's private scratch directory (it holds decrypted secrets): sitectl.scratch."""
    with scratch.directory("render-") as root:
        yield Scratch(root)


def environment(scratch: Scratch, password: str | None) -> dict[str, str]:
    """The process environment of every kayobe run of a render."""
    env = kayobe.environment(scratch.repo, password, scratch.tmp)
    env.update(
        HOME=str(scratch.home),
        PWD=str(scratch.repo),
        PATH=f"{scratch.bin}{os.pathsep}{env['PATH']}",
        KOLLA_CONFIG_PATH=str(scratch.kolla),
        KOLLA_VENV_PATH=sys.prefix,
        ANSIBLE_HOME=str(scratch.root / "ansible-home"),
        ANSIBLE_TRANSPORT="local",
        ANSIBLE_SSH_EXECUTABLE=str(scratch.bin / "ssh"),
        ANSIBLE_GATHERING="smart",
        ANSIBLE_CACHE_PLUGIN="jsonfile",
        ANSIBLE_CACHE_PLUGIN_CONNECTION=str(scratch.facts),
        ANSIBLE_CACHE_PLUGIN_TIMEOUT="0",
        ANSIBLE_ACTION_PLUGINS=str(STANDINS),
        # One process per task instead of writing, running and removing a module file
        # (about 5% of a render).
        ANSIBLE_PIPELINING="True",
        PYTHONDONTWRITEBYTECODE="1",
        # Reproducible host order in Ansible (see render/ordering/sitecustomize.py).
        PYTHONPATH=str(ORDERING),
    )
    for name in ("SSH_AUTH_SOCK",):  # nothing to authenticate to
        env.pop(name, None)
    return env


def local_vars(scratch: Scratch) -> list[str]:
    """-e for kayobe's playbooks."""
    return [
        "-e",
        "ansible_connection=local",
        "-e",
        f"ansible_python_interpreter={sys.executable}",
        "-e",
        "ansible_become=false",
        "-e",
        f"ssh_private_key_path={scratch.ssh_private_key}",
        "-e",
        f"ssh_public_key_path={scratch.ssh_private_key}.pub",
        "-e",
        f"image_cache_path={scratch.images}",
    ]


def kolla_local_vars() -> list[str]:
    """-ke for kolla-ansible: local connection, no become, files owned by whoever renders."""
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    return [
        "-ke",
        "ansible_connection=local",
        "-ke",
        f"ansible_python_interpreter={sys.executable}",
        "-ke",
        "ansible_become=false",
        "-ke",
        f"config_owner_user={user}",
        "-ke",
        f"config_owner_group={group}",
    ]


def run(
    scratch: Scratch,
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    tidy: Callable[[str], str],
    label: str,
    step: str | None = None,
    follow_roles: bool = False,
    role_seconds: dict[str, float] | None = None,
    side: str = "",
) -> str:
    """Run `kayobe ARGS` (with `step`: that step of kayobe_steps.py, ARGS being the generate
    command's) in the snapshot; its stdout, or a SiteError saying what went wrong (stderr
    goes to a file in the scratch directory: it may hold secrets).

    Whatever of its output is shown goes through `tidy` first (normalisation and redaction).
    With `follow_roles`, kolla-ansible's progress is reported: each role that takes a while,
    as it finishes, each line labelled with `side` (which render: two may run at once); and
    each role's time is added to `role_seconds` when given.
    """
    executable = venv_bin() / "kayobe"
    if not executable.exists():
        raise SiteError(f"{executable} does not exist (no toolchain); run tools/sitectl setup.")
    program = [str(executable)]
    if step is not None:
        program = [str(venv_bin() / "python"), str(KAYOBE_STEPS), step]
    lines: list[str] = []
    tracker = _RoleTracker(side or label, role_seconds) if follow_roles else None
    with (
        tempfile.TemporaryFile("w+", dir=scratch.tmp, errors="replace") as stderr,
        subprocess.Popen(
            [*program, *args],
            cwd=scratch.repo,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            start_new_session=True,  # its ansible-playbook runs die with it (stopping.py)
        ) as process,
        stopping.registered(process),
    ):
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if tracker is not None:
                tracker.line(line)
        returncode = process.wait()
        stderr.seek(0)
        errors = stderr.read()
    if tracker is not None:
        tracker.finish()
    output = "".join(lines)
    lines += errors.splitlines(keepends=True)
    contact = [line.strip() for line in lines if _CONTACT.search(line)]
    if contact:
        raise SiteError(
            f"{label}: something tried to contact a host (a render must stay local); the "
            "render harness let it fail. What Ansible said (secrets redacted):",
            details=[tidy(line)[:400] for line in dict.fromkeys(contact)][:10],
        )
    if returncode == 0:
        return output
    said = [tidy(line) for line in kayobe.ansible_errors(errors + output)]
    if re.search(rf"{STANDIN_MARKER}: kolla_(toolbox|container) ", errors + output):
        raise SiteError(
            f"{label}: kolla-ansible made a live call that the render harness does not "
            "stand in for (the render stopped rather than guess its answer). Either the "
            "configuration enables something that needs a live cloud (e.g. Octavia's amphora "
            "driver) or kolla-ansible gained a new lookup; what it said:",
            details=said,
        )
    raise SiteError(
        f"{label} failed (exit {returncode}); kayobe rejected the configuration or "
        "kolla-ansible could not generate it. What it said (secrets redacted), and the "
        "command (run in a snapshot of the configuration; <render:...> are scratch paths):",
        details=[*said, "", tidy(f"kayobe {shlex.join(args)}")],
    )


class _RoleTracker:
    """Turns kolla-ansible's `PLAY [Apply role X]` lines into progress notes."""

    def __init__(self, label: str, seconds: dict[str, float] | None = None) -> None:
        self.label = label
        self.seconds = seconds if seconds is not None else {}
        self.started = time.monotonic()
        self.role: str | None = None
        self.role_started = self.started
        self.roles = 0
        self.in_kolla = False

    def line(self, line: str) -> None:
        if line.startswith("PLAY RECAP"):  # the end of the plays: no role's time
            self._close()
            return
        match = _PLAY.match(line)
        if match is None:
            return
        name = match.group("name")
        if not self.in_kolla and name == "Gather facts for all hosts":
            self.in_kolla = True
            note(TAG, f"{self.label}: kolla-ansible genconfig started at {self._elapsed()}")
        role = _ROLE_PLAY.match(name)
        self._close()
        if role is not None:
            self.role = role.group("role")
            self.role_started = time.monotonic()
            self.roles += 1

    def finish(self) -> None:
        self._close()

    def _close(self) -> None:
        if self.role is None:
            return
        took = time.monotonic() - self.role_started
        self.seconds[self.role] = self.seconds.get(self.role, 0.0) + took
        if took >= SLOW_ROLE_SECONDS:
            note(TAG, f"{self.label}: {self.role} took {took:.1f} s (at {self._elapsed()})")
        self.role = None

    def _elapsed(self) -> str:
        return f"{time.monotonic() - self.started:.0f} s"
