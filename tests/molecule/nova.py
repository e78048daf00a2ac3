"""A real Nova API on 127.0.0.1, behind the test Keystone, for the ironic_flavors scenario.

nova-api comes from the option-schema virtualenv (tools/schema-requirements.txt: nova at the
release kolla-ansible deploys, installed apart from the toolchain), its api-paste.ini from
nova's own sdist there. sqlite databases (flavors live in the API database), the fake message
transport (the flavor API sends nothing), keystonemiddleware validating tokens against the
Keystone. One process, in its own process group, stopped whatever happens.
"""

from __future__ import annotations

import contextlib
import subprocess
import tarfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openstack

from sitectl.schema import venv
from tests.processes import die_with_parent, free_port, stop_group, wait_until
from tests.refstack.keystone import ADMIN_PASSWORD, REGION, Keystone

CONFIG = """\
[DEFAULT]
transport_url = fake:/
state_path = {work}
log_file = {work}/nova-api.log
[api_database]
connection = sqlite:///{work}/nova_api.db
[database]
connection = sqlite:///{work}/nova.db
[oslo_concurrency]
lock_path = {work}/lock
[keystone_authtoken]
www_authenticate_uri = {keystone}
auth_url = {keystone}
auth_type = password
username = admin
password = {password}
project_name = admin
user_domain_name = Default
project_domain_name = Default
region_name = {region}
"""

# wsgiref serves nova's WSGI application: one request at a time is all a test needs.
SERVE = """\
import os, sys
port = int(sys.argv[1])
sys.argv = sys.argv[:1]  # nova's WSGI setup parses the command line as its own
os.environ["OS_NOVA_CONFIG_DIR"] = sys.argv[0].rsplit("/", 1)[0]
from wsgiref.simple_server import make_server
from nova.wsgi.osapi_compute import application
make_server("127.0.0.1", port, application).serve_forever()
"""


@dataclass
class NovaApi:
    work: Path
    keystone: Keystone
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2.1"

    def start(self) -> None:
        python, sdists = venv.ensure()
        bin_dir = python.parent
        self.work.mkdir(parents=True, exist_ok=True)
        (self.work / "nova.conf").write_text(
            CONFIG.format(
                work=self.work, keystone=self.keystone.url, password=ADMIN_PASSWORD, region=REGION
            )
        )
        (self.work / "api-paste.ini").write_bytes(_api_paste(sdists))
        (self.work / "serve.py").write_text(SERVE)
        for database in ("api_db", "db"):
            subprocess.run(
                [str(bin_dir / "nova-manage"), "--config-file", "nova.conf", database, "sync"],
                cwd=self.work,
                check=True,
                capture_output=True,
                timeout=300,
            )
        self.port = free_port()
        self._register()
        log = (self.work / "serve.log").open("ab")
        self.process = subprocess.Popen(
            [str(python), "-W", "ignore", str(self.work / "serve.py"), str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        wait_until(self._answers, self.process, self.work / "serve.log", "nova-api", 90)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def _register(self) -> None:
        """The compute service and its endpoints in the Keystone catalogue."""
        conn = openstack.connect(
            auth_url=self.keystone.url,
            username="admin",
            password=ADMIN_PASSWORD,
            project_name="admin",
            user_domain_name="Default",
            project_domain_name="Default",
            region_name=REGION,
        )
        try:
            service = conn.identity.create_service(name="nova", type="compute")
            for interface in ("public", "internal", "admin"):
                conn.identity.create_endpoint(
                    service_id=service.id, interface=interface, url=self.url, region_id=REGION
                )
        finally:
            conn.close()

    def stop(self) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        stop_group(process)


def _api_paste(sdists: Path) -> bytes:
    """nova's own api-paste.ini, from its sdist in the schema cache."""
    archive = next(sdists.glob("nova-*.tar.gz"))
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/etc/nova/api-paste.ini"))
        handle = tar.extractfile(member)
        assert handle is not None
        return handle.read()


@contextlib.contextmanager
def cloud(work: Path) -> Iterator[Path]:
    """A Keystone and a Nova API on loopback; yields the admin clouds.yaml (cloud
    `refstack-test`). Both are stopped whatever happens."""
    keystone = Keystone(work / "keystone")
    nova = NovaApi(work / "nova", keystone)
    try:
        keystone.start()
        nova.start()
        yield keystone.clouds_yaml(work / "clouds.yaml")
    finally:
        nova.stop()
        keystone.stop()
