"""A real Pulp 3 on 127.0.0.1 for the package repository tests: pulpcore and pulp_deb from PyPI
in their own cached virtualenv (tests/pulp/requirements.txt, never the toolchain's), PostgreSQL
from Debian's packages in a throwaway cluster, the API and content apps and one worker. No
Redis (Pulp's cache off) and no systemd: every process is a child of the tests, in its own
process group, stopped whatever happens.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sitectl import machine_cache
from tests.containers import ensure_installed
from tests.processes import die_with_parent, free_port, stop_group, wait_until

REQUIREMENTS = Path(__file__).with_name("requirements.txt")
PACKAGES = {"pg_ctlcluster": "postgresql", "apt-ftparchive": "apt-utils", "dpkg-deb": "dpkg"}
ADMIN_PASSWORD = "pulp-test-admin"  # a throwaway server on loopback, deleted afterwards

SETTINGS = """\
SECRET_KEY = {secret!r}
CONTENT_ORIGIN = "http://127.0.0.1:{content_port}"
DATABASES = {{"default": {{"ENGINE": "django.db.backends.postgresql", "NAME": "pulp",
    "USER": "pulp", "PASSWORD": "pulp", "HOST": "127.0.0.1", "PORT": "{db_port}"}}}}
DEPLOY_ROOT = "{work}/var"
MEDIA_ROOT = "{work}/var/media"
STATIC_ROOT = "{work}/var/assets"
WORKING_DIRECTORY = "{work}/var/tmp"
FILE_UPLOAD_TEMP_DIR = "{work}/var/tmp"
STORAGES = {{"default": {{"BACKEND": "pulpcore.app.models.storage.FileSystem"}},
    "staticfiles": {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}}}
DB_ENCRYPTION_KEY = "{work}/database_fields.symmetric.key"
ANALYTICS = False
CACHE_ENABLED = False
"""


def pulp_venv() -> Path:
    """The Pulp virtualenv's bin directory, installed once per requirements file in
    sitectl's machine cache (kind "pulp"; concurrent test runs wait for one install)."""
    key = machine_cache.key("pulp", REQUIREMENTS.read_bytes())
    return machine_cache.entry("pulp", key, _install_pulp) / "bin"


def _install_pulp(root: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
    proc = subprocess.run(
        [str(root / "bin" / "pip"), "install", "--quiet", "-r", str(REQUIREMENTS)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"pip could not install Pulp ({REQUIREMENTS.name}):\n{proc.stderr[-3000:]}")


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        pytest.fail("PostgreSQL's server is not installed (apt-get install postgresql)")
    return Path(found[-1]).parent


def _as_postgres() -> None:
    user = pwd.getpwnam("postgres")
    os.setgid(user.pw_gid)
    os.setuid(user.pw_uid)
    die_with_parent()


@dataclass
class Pulp:
    work: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    api_port: int = 0
    content_port: int = 0
    db_port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def content_url(self) -> str:
        return f"http://127.0.0.1:{self.content_port}/pulp/content"

    def start(self) -> None:
        ensure_installed(PACKAGES)
        self.bin = pulp_venv()
        self.api_port, self.content_port, self.db_port = free_port(), free_port(), free_port()
        self._postgres()
        (self.work / "var" / "tmp").mkdir(parents=True, exist_ok=True)
        (self.work / "settings.py").write_text(
            SETTINGS.format(
                secret=secrets.token_urlsafe(50),
                content_port=self.content_port,
                db_port=self.db_port,
                work=self.work,
            )
        )
        key = subprocess.run(
            [
                str(self.bin / "python"),
                "-c",
                "from cryptography.fernet import Fernet as F;print(F.generate_key().decode())",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (self.work / "database_fields.symmetric.key").write_text(key)
        self._manage("migrate", "--noinput")
        self._manage("reset-admin-password", "--password", ADMIN_PASSWORD)
        listen = ["-w", "1", "--no-control-socket"]
        self._spawn("api", "pulpcore-api", "-b", f"127.0.0.1:{self.api_port}", *listen)
        self._spawn("content", "pulpcore-content", "-b", f"127.0.0.1:{self.content_port}", *listen)
        self._spawn("worker", "pulpcore-worker")
        wait_until(self._ready, self.processes["api"], self.work / "api.log", "pulp", 120)

    def _postgres(self) -> None:
        # The cluster's user must reach its directory: not under pytest's private tmp_path.
        data = self.pg = Path(tempfile.mkdtemp(prefix="pulp-pg-", dir="/tmp"))
        data.chmod(0o755)
        os.chown(data, pwd.getpwnam("postgres").pw_uid, pwd.getpwnam("postgres").pw_gid)
        server = _postgres_bin()
        subprocess.run(
            [
                str(server / "initdb"),
                "-D",
                str(data / "data"),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            preexec_fn=_as_postgres,
            capture_output=True,
            check=True,
            cwd=data,
        )
        log = (data / "server.log").open("ab")
        self.processes["postgres"] = subprocess.Popen(
            [
                str(server / "postgres"),
                "-D",
                str(data / "data"),
                "-c",
                "listen_addresses=127.0.0.1",
                "-p",
                str(self.db_port),
                "-k",
                str(data),
                "-c",
                "fsync=off",
            ],
            preexec_fn=_as_postgres,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=data,
        )
        psql = [
            str(server / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.db_port),
            "-U",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
        ]
        wait_until(
            lambda: subprocess.run([*psql, "-c", "select 1"], capture_output=True).returncode == 0,
            self.processes["postgres"],
            data / "server.log",
            "postgresql",
            60,
        )
        subprocess.run(
            [
                *psql,
                "-c",
                "CREATE USER pulp WITH PASSWORD 'pulp'",
                "-c",
                "CREATE DATABASE pulp OWNER pulp",
            ],
            capture_output=True,
            check=True,
        )

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PULP_SETTINGS": str(self.work / "settings.py"),
            "XDG_CACHE_HOME": str(self.work / "xdg-cache"),  # pulp-cli's API doc, per server
        }

    def _manage(self, *args: str) -> None:
        proc = subprocess.run(
            [str(self.bin / "pulpcore-manager"), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if proc.returncode != 0:
            pytest.fail(f"pulpcore-manager {args[0]} failed:\n{proc.stderr[-3000:]}")

    def _spawn(self, name: str, program: str, *args: str) -> None:
        log = (self.work / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [str(self.bin / program), *args],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )

    def status(self) -> dict:
        with urllib.request.urlopen(f"{self.url}/pulp/api/v3/status/", timeout=5) as response:
            return json.load(response)

    def _ready(self) -> bool:
        try:
            status = self.status()
        except OSError:
            return False
        return bool(status["online_workers"] and status["online_content_apps"])

    def stop(self) -> None:
        for name in ("worker", "content", "api", "postgres"):  # the database last
            process = self.processes.pop(name, None)
            if process is not None:
                stop_group(process)
        if getattr(self, "pg", None):
            shutil.rmtree(self.pg, ignore_errors=True)


@contextlib.contextmanager
def server(work: Path) -> Iterator[Pulp]:
    pulp = Pulp(work)
    try:
        pulp.start()
        yield pulp
    finally:
        pulp.stop()
