"""A real Keystone (from the toolchain's PyPI install) on 127.0.0.1, for the integration test.

sqlite database, fernet tokens, one uwsgi worker (sqlite takes one writer) on a free loopback
port, in its own process group so that stop() ends uwsgi and everything it forked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.processes import die_with_parent, free_port, stop_group

BIN = Path(sys.executable).parent
ADMIN_PASSWORD = "refstack-test-admin"  # a throwaway cloud on loopback, deleted afterwards
REGION = "RegionOne"

CONFIG = """\
[DEFAULT]
log_file = {work}/keystone.log
[database]
connection = sqlite:///{work}/keystone.db
[token]
provider = fernet
[fernet_tokens]
key_repository = {work}/fernet-keys
[credential]
key_repository = {work}/credential-keys
[oslo_policy]
enforce_new_defaults = true
enforce_scope = true
"""


@dataclass
class Keystone:
    work: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    started_in: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v3"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["OS_KEYSTONE_CONFIG_FILES"] = str(self.work / "keystone.conf")
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        return env

    def manage(self, *args: str) -> None:
        subprocess.run(
            [
                str(BIN / "keystone-manage"),
                "--config-file",
                str(self.work / "keystone.conf"),
                *args,
            ],
            env=self.env(),
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        started = time.monotonic()
        self.work.mkdir(parents=True, exist_ok=True)
        for keys in ("fernet-keys", "credential-keys"):
            (self.work / keys).mkdir(mode=0o700, exist_ok=True)
        (self.work / "keystone.conf").write_text(CONFIG.format(work=self.work))
        self.manage("db_sync")
        user = ["--keystone-user", str(os.getuid()), "--keystone-group", str(os.getgid())]
        self.manage("fernet_setup", *user)
        self.manage("credential_setup", *user)
        for attempt in range(3):
            self.port = free_port()
            self.manage(
                "bootstrap",
                "--bootstrap-password",
                ADMIN_PASSWORD,
                "--bootstrap-public-url",
                self.url,
                "--bootstrap-internal-url",
                self.url,
                "--bootstrap-admin-url",
                self.url,
                "--bootstrap-region-id",
                REGION,
            )
            if self._serve():
                self.started_in = time.monotonic() - started
                return
            if attempt == 2:
                raise RuntimeError(f"keystone did not start; see {self.work}/uwsgi.log")

    def _serve(self) -> bool:
        log = (self.work / "uwsgi.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(BIN / "uwsgi"),
                "--http-socket",
                f"127.0.0.1:{self.port}",
                "--module",
                "keystone.wsgi.api:application",
                "--master",
                "--processes",
                "1",
                "--threads",
                "1",
                "--die-on-term",
                "--need-app",
                "--add-header",
                "Connection: close",
            ],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return True
            except OSError:
                time.sleep(0.2)
        self.stop()
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        stop_group(process)

    def clouds_yaml(self, path: Path, cloud: str = "refstack-test") -> Path:
        path.write_text(
            f"""clouds:
  {cloud}:
    auth:
      auth_url: {self.url}
      username: admin
      password: {ADMIN_PASSWORD}
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: {REGION}
    identity_api_version: 3
    interface: public
"""
        )
        path.chmod(0o600)
        return path
