"""The image chain for real: `sitectl images build` runs real kolla-build on the site's
configuration and template overrides, on a real dockerd, pushes to a real registry; the pins job's
command records the tag, the next commit's kayobe configuration deploys exactly that tag, and the
image pulls back by the pinned tag.

Built once per run (about five minutes cold; the engine's layer cache under .cache/test-engine
makes a second run on the same machine warm): base -> openstack-base -> keystone-base ->
keystone-api, for ci-aio. What this machine needs beyond a real builder is in tests/containers.py
and tests/images/kolla_harness.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from sitectl.dump import dump
from sitectl.images import pins
from tests import containers
from tests.conftest import run_sitectl
from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO, copy_tree, git
from tests.images import kolla_harness

pytestmark = pytest.mark.slow

ENV = "ci-aio"
TAG = "2026.2-rocky-10-101-abcdef0"
CHAIN = ["base", "openstack-base", "keystone-base", "keystone-api"]
NAMESPACE = "openstack.kolla"
HOST_CA_DIR = Path("/usr/local/share/ca-certificates")
CA_OPTION = 'kolla_images_ca_certificates_path: ""'


@dataclass
class Built:
    engine: containers.Engine
    registry: containers.Registry
    site: Path
    reports: Path
    build: subprocess.CompletedProcess[str]
    seconds: float
    test_ca: str  # the PEM body of a CA made for this run

    def image(self, name: str) -> str:
        return f"{self.registry.address}/{NAMESPACE}/{name}:{TAG}"

    def sitectl(self, *args: object) -> subprocess.CompletedProcess[str]:
        return _sitectl(self.site, self.engine, *args)


def _sitectl(
    site: Path, engine: containers.Engine, *args: object
) -> subprocess.CompletedProcess[str]:
    """sitectl on the scratch site, with the test engine and the test vault password."""
    env = {"DOCKER_HOST": engine.host, "KAYOBE_VAULT_PASSWORD_FILE": str(EXAMPLE_PASSWORD_FILE)}
    return run_sitectl("--repo", site, *args, env=env, timeout=3600)


def _test_ca(directory: Path) -> str:
    """A throwaway CA certificate, so the trust option is tested on any machine."""
    key, cert = directory / "test-ca.key", directory / "test-ca.crt"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=sitectl image test CA",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    key.unlink()
    return "".join(cert.read_text().splitlines()[1:-1])


def _site(root: Path) -> tuple[Path, str]:
    """This repository committed in a scratch git repository, its build-time CA option set to
    a directory of this machine's extra CAs (it needs them for HTTPS to PyPI) and a test CA."""
    site = root / "site"
    site.mkdir()
    copy_tree(REPO, site)
    cas = root / "ca-certificates"
    cas.mkdir()
    for cert in sorted(HOST_CA_DIR.glob("*.crt")):
        (cas / cert.name).write_bytes(cert.read_bytes())
    test_ca = _test_ca(cas)
    images_file = site / "etc" / "kayobe" / "kolla-images.yml"
    text = images_file.read_text(encoding="utf-8")
    assert text.count(CA_OPTION) == 2  # the commented default, then the setting
    head, _, tail = text.rpartition(CA_OPTION)
    images_file.write_text(
        f'{head}kolla_images_ca_certificates_path: "{cas}"{tail}', encoding="utf-8"
    )
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "site")
    return site, test_ca


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    root = tmp_path_factory.mktemp("image-chain")
    with containers.engine() as engine, containers.registry(root / "registry") as registry:
        containers.debian_image(engine, kolla_harness.BASE_SUITE)
        site, test_ca = _site(root)
        machine = kolla_harness.config(
            root / "harness", {"keystone-base": kolla_harness.sdist("keystone")}
        )
        reports = root / "reports"
        started = time.monotonic()
        proc = _sitectl(
            site,
            engine,
            "images",
            "build",
            ENV,
            "^keystone-api$",
            "--tag",
            TAG,
            "--push",
            "--registry",
            registry.address,
            "--extra-config",
            machine,
            "--out",
            reports,
        )
        yield Built(engine, registry, site, reports, proc, time.monotonic() - started, test_ca)


def test_the_chain_builds_and_the_report_says_what_was_built(built: Built) -> None:
    assert built.build.returncode == 0, built.build.stdout + built.build.stderr[-4000:]
    report = json.loads((built.reports / "build.json").read_text())
    assert [entry["name"] for entry in report["built"]] == CHAIN  # parents first
    assert report["failed"] == []
    assert report["pushed"] is True and report["tag"] == TAG
    assert all(entry["image"] == built.image(entry["name"]) for entry in report["built"])
    # Progress on stderr: one line per image started and built.
    for name in CHAIN:
        assert f"[images] {name}: building" in built.build.stderr
        assert re.search(rf"\[images\] {re.escape(name)}: built in \d+ s", built.build.stderr)
    suite = ET.parse(built.reports / "build.xml").getroot()
    assert suite.get("tests") == "4" and suite.get("failures") == "0"
    assert sorted(c.get("name") for c in suite.iter("testcase")) == sorted(CHAIN)
    for name in CHAIN:
        assert (built.reports / "logs" / f"{name}.log").stat().st_size > 0
    assert (
        "| `" + built.image("keystone-api") + "` | built |"
        in (built.reports / "build.md").read_text()
    )


def test_the_image_runs_keystone_at_the_pinned_release(built: Built) -> None:
    image = built.image("keystone-api")
    labels = json.loads(
        built.engine.docker("inspect", "--format", "{{json .Config.Labels}}", image).stdout
    )
    assert labels["name"] == "keystone-api"
    assert labels["org.opencontainers.image.version"] == TAG
    run = built.engine.docker(
        "run", "--rm", "--network", "none", image, "keystone-manage", "--version"
    )
    assert run.stdout.strip() == kolla_harness.pinned_version("keystone")


def test_the_site_template_overrides_are_in_the_images(built: Built) -> None:
    # base-ca-certificates.j2: the site's build-time CA (the option in kolla-images.yml).
    bundle = built.engine.docker(
        "run",
        "--rm",
        "--network",
        "none",
        built.image("keystone-api"),
        "cat",
        "/etc/ssl/certs/ca-certificates.crt",
    ).stdout
    assert built.test_ca in "".join(bundle.split())
    history = built.engine.docker("history", "--no-trunc", built.image("base")).stdout
    assert "update-ca-certificates" in history
    # The test harness's stand-in ran, and said so, instead of extrepo.
    log = (built.reports / "logs" / "base.log").read_text()
    assert "test-harness stand-in: extrepo enable" in log


def test_the_registry_holds_the_pushed_chain(built: Built) -> None:
    catalog = built.registry.get("/v2/_catalog")["repositories"]
    assert sorted(catalog) == sorted(f"{NAMESPACE}/{name}" for name in CHAIN)
    for name in CHAIN:
        assert built.registry.get(f"/v2/{NAMESPACE}/{name}/tags/list")["tags"] == [TAG]


def test_pins_record_the_tag_and_the_next_commit_deploys_exactly_it(built: Built) -> None:
    # The update-pins job's command, on what the build job built.
    pinned = built.sitectl("images", "pins", "--tag", TAG, *CHAIN)
    assert pinned.returncode == 0, pinned.stderr
    assert (
        "not pinned (kolla-ansible deploys no such image): base, openstack-base, "
        "keystone-base" in pinned.stdout
    )
    tags = pins.read(built.site)
    assert tags == {"openstack": "2026.2-rocky-10", "keystone-api": TAG}
    git(built.site, "commit", "-qam", f"Image tag pins: keystone-api ({TAG})")

    # The next commit's configuration, resolved by real kayobe: kolla-ansible's globals get
    # keystone-api's tag variable and nothing else.
    hosts = dump(built.site, ENV, hosts="controllers", vault_password_file=EXAMPLE_PASSWORD_FILE)
    variables = next(iter(hosts.values()))
    assert variables["kolla_extra_globals"] == {"keystone_api_tag": TAG}
    assert variables["kolla_tag"] == "2026.2-rocky-10"

    # And the image pulls back by the tag the pin file records.
    reference = f"{built.registry.address}/{NAMESPACE}/keystone-api:{tags['keystone-api']}"
    before = built.engine.docker("image", "inspect", "--format", "{{.Id}}", reference).stdout
    built.engine.docker("rmi", reference)
    assert not built.engine.has_image(reference)
    built.engine.docker("pull", reference)
    after = built.engine.docker("image", "inspect", "--format", "{{.Id}}", reference).stdout
    assert after == before


def test_a_failed_image_is_a_failed_report(built: Built, tmp_path: Path) -> None:
    """A build that fails names the image, exits 1 and leaves its log. Only keystone-api is
    rebuilt (kolla's skip_parents: its parents exist with this tag)."""
    broken = tmp_path / "broken.j2"
    broken.write_text(
        "{% extends parent_template %}\n{% block keystone_header %}\n"
        "RUN echo 'a broken site override' && false\n{% endblock %}\n"
    )
    extra = tmp_path / "broken.conf"
    extra.write_text(f"[DEFAULT]\nskip_parents = True\nretries = 0\ntemplate_override = {broken}\n")
    machine = built.reports.parent / "harness" / "machine.conf"
    reports = tmp_path / "reports"
    proc = built.sitectl(
        "images",
        "build",
        ENV,
        "^keystone-api$",
        "--tag",
        TAG,
        "--registry",
        built.registry.address,
        "--extra-config",
        machine,
        "--extra-config",
        extra,
        "--out",
        reports,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr[-3000:]
    report = json.loads((reports / "build.json").read_text())
    assert [f["name"] for f in report["failed"]] == ["keystone-api"]
    assert report["built"] == []
    assert "FAILED  keystone-api" in proc.stdout
    suite = ET.parse(reports / "build.xml").getroot()
    assert suite.get("failures") == "1"
    assert "a broken site override" in (reports / "logs" / "keystone-api.log").read_text()
    # The pushed image of the good build is untouched.
    assert built.engine.has_image(built.image("keystone-api"))


def test_no_engine_is_a_clear_error(tmp_path: Path) -> None:
    proc = run_sitectl(
        "images",
        "build",
        ENV,
        "^memcached$",
        "--out",
        tmp_path / "r",
        env={
            "DOCKER_HOST": f"unix://{tmp_path}/none.sock",
            "KAYOBE_VAULT_PASSWORD_FILE": str(EXAMPLE_PASSWORD_FILE),
        },
    )
    assert proc.returncode == 2
    assert "no container engine answers at unix://" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "r").exists()


def test_a_plan_file_selects_exactly_its_images(tmp_path: Path) -> None:
    from sitectl.images.build import regexes_of_plan

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"images": [{"name": "keystone-api"}, {"name": "nova-api"}]}))
    assert regexes_of_plan(plan) == ("^keystone\\-api$", "^nova\\-api$")
    plan.write_text(yaml.safe_dump({"images": "keystone"}))
    with pytest.raises(Exception, match="not an image plan"):
        regexes_of_plan(plan)
