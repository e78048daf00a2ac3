"""Rally, kept to this repository: its database and verifier under REPO/.cache/.

Rally keeps verifiers in its database and under ~/.rally/verification/, so each Rally home
(a database, a HOME for the verifier's files, and a lock) is a cache directory keyed by the
tempest sdist's hash and the Rally versions: a second run reuses the verifier (seconds)
instead of creating it again. Credentials reach Rally only in its process environment
(`rally deployment create --fromenv`), never on a command line or in a file.
"""

import fcntl
import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from sitectl.errors import SiteError
from sitectl.repo import cache_dir

_VERIFICATION_UUID = re.compile(r"Starting verification \(UUID=([0-9a-f-]{36})\)")
# Rally's own variables that would point it elsewhere.
_DROPPED = ("RALLY_", "OS_")


def versions() -> str:
    return ",".join(
        f"{name}={metadata.version(name)}" for name in ("rally", "rally-openstack", "tempest")
    )


class Rally:
    def __init__(self, repo: Path, tempest_sha256: str) -> None:
        key = hashlib.sha256(f"{tempest_sha256}|{versions()}|{sys.version}".encode()).hexdigest()
        self.home = cache_dir(repo, "sitectl", "refstack", f"rally-{key[:16]}")
        self.config = self.home / "rally.conf"
        self.bin = Path(sys.executable).parent

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED)}
        env["HOME"] = str(self.home / "home")  # ~/.rally/verification lives here
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', os.defpath)}"
        env.update(extra or {})
        return env

    def run(
        self,
        *args: str,
        extra_env: Mapping[str, str] | None = None,
        ok: Sequence[int] = (0,),
        what: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.bin / "rally"), "--config-file", str(self.config), *args],
            env=self.environment(extra_env),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if result.returncode not in ok:
            tail = (result.stdout + result.stderr).strip().splitlines()[-12:]
            raise SiteError(
                f"rally {what or ' '.join(args[:2])} failed (exit {result.returncode}); "
                f"Rally's home is {self.home}. The end of its output:",
                details=tail,
            )
        return result

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One sitectl at a time per Rally home (its sqlite database and verifier files)."""
        (self.home / "home").mkdir(parents=True, exist_ok=True)
        with (self.home / "lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def ensure_database(self) -> None:
        if not self.config.exists():
            self.config.write_text(
                f"[database]\nconnection = sqlite:///{self.home / 'rally.sqlite'}\n"
            )
        if not (self.home / "rally.sqlite").exists():
            self.run("db", "ensure")

    def has_verifier(self, name: str) -> bool:
        result = self.run("verify", "show-verifier", "--id", name, ok=range(256))
        return result.returncode == 0 and "installed" in result.stdout

    def create_verifier(self, name: str, source: Path, version: str) -> None:
        self.run("verify", "delete-verifier", "--id", name, "--force", ok=range(256))
        self.run(
            "verify",
            "create-verifier",
            "--type",
            "tempest",
            "--name",
            name,
            "--source",
            str(source),
            "--version",
            version,
            "--system-wide",
            "--no-use",
            what="verify create-verifier",
        )

    def verifier_tests(self, name: str) -> list[str]:
        """Every test id the verifier knows (cached next to the database)."""
        cached = self.home / f"tests-{name}.txt"
        if cached.exists():
            return cached.read_text().split()
        out = self.run("verify", "list-verifier-tests", "--id", name).stdout
        tests = [line.strip() for line in out.splitlines() if line.startswith("tempest.")]
        if not tests:
            raise SiteError(f"Rally's verifier {name} lists no tempest tests.")
        cached.write_text("\n".join(tests) + "\n")
        return tests

    def create_deployment(self, name: str, credentials: Mapping[str, str]) -> None:
        self.run(
            "deployment",
            "create",
            "--name",
            name,
            "--fromenv",
            "--no-use",
            extra_env=credentials,
            what="deployment create",
        )

    def destroy_deployment(self, name: str) -> None:
        self.run("deployment", "destroy", "--deployment", name, ok=range(256))

    def configure(self, verifier: str, deployment: str, tempest_conf: Path) -> None:
        self.run(
            "verify",
            "configure-verifier",
            "--id",
            verifier,
            "--env",
            deployment,
            "--reconfigure",
            "--extend",
            str(tempest_conf),
            what="verify configure-verifier",
        )

    def start(
        self,
        verifier: str,
        deployment: str,
        load_list: Path,
        skip_list: Path | None,
        xfail_list: Path | None,
        concurrency: int,
        log: Path,
    ) -> str:
        """Run the tests; the verification's UUID. Test failures are not an error here."""
        args = ["verify", "start", "--id", verifier, "--env", deployment]
        args += ["--load-list", str(load_list), "--concurrency", str(concurrency), "--no-use"]
        if skip_list is not None:
            args += ["--skip-list", str(skip_list)]
        if xfail_list is not None:
            args += ["--xfail-list", str(xfail_list)]
        # Rally exits 0 when all passed, 2 or 3 when tests failed (it depends on the version).
        result = self.run(*args, ok=(0, 1, 2, 3), what="verify start")
        log.write_text(result.stdout + result.stderr)
        found = _VERIFICATION_UUID.findall(result.stdout + result.stderr)
        if result.returncode == 1 or not found:
            raise SiteError(
                f"rally verify start did not run the tests (exit {result.returncode}); "
                f"its output is in {log}. The end of it:",
                details=(result.stdout + result.stderr).strip().splitlines()[-12:],
            )
        return found[-1]

    def reports(self, uuid: str, targets: Mapping[str, Path]) -> None:
        """Write reports of a verification, {type: path} (junit-xml, html, json), through
        Rally's API in one process: each `rally` command costs seconds of plugin loading."""
        result = subprocess.run(
            [str(self.bin / "python"), "-c", _REPORTS, str(self.config), uuid]
            + [f"{kind}={path}" for kind, path in targets.items()],
            env=self.environment(),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        missing = [str(path) for path in targets.values() if not Path(path).exists()]
        if result.returncode != 0 or missing:
            raise SiteError(
                f"Rally's reports of verification {uuid} failed (exit {result.returncode}).",
                details=(result.stdout + result.stderr).strip().splitlines()[-8:],
            )


# Run in Rally's environment: python -c _REPORTS CONFIG UUID TYPE=PATH...
_REPORTS = """
import os, sys
from rally import api, plugins
plugins.load()
rally = api.API(config_file=sys.argv[1])
for target in sys.argv[3:]:
    kind, _, path = target.partition("=")
    result = rally.verification.report(uuids=[sys.argv[2]], output_type=kind, output_dest=path)
    for name, text in result.get("files", {}).items():
        with open(name, "w") as f:
            f.write(text)
"""
