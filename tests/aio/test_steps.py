"""The all-in-one step machinery, with stand-in kayobe/openstack/docker first on PATH."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.aio import standins
from tests.cli_parsers import kayobe_error, openstack_error

KAYOBE_SEQUENCE = [
    ["control", "host", "bootstrap"],
    ["overcloud", "host", "configure"],
    ["overcloud", "container", "image", "pull"],
    ["overcloud", "service", "deploy"],
    ["overcloud", "post", "configure"],
]

RESOURCES = """\
image: {name: test-image, file: image.img, disk_format: qcow2}
flavors:
  - {name: m1.tiny, ram: 512, disk: 1, vcpus: 1}
networks:
  - name: public
    external: true
    provider: {network_type: flat, physical_network: physnet1}
    subnet:
      {name: public-subnet, cidr: 192.168.33.0/24, dhcp: false,
       allocation_pool: 192.168.33.128-192.168.33.254}
  - name: demo-net
    subnet: {name: demo-subnet, cidr: 10.0.0.0/24}
routers:
  - {name: demo-router, external_network: public, subnets: [demo-subnet]}
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A throwaway repository: the etc/kayobe marker, environments/ci-aio, resources."""
    repo = tmp_path / "repo"
    (repo / "etc" / "kayobe").mkdir(parents=True)
    (repo / "environments" / "ci-aio").mkdir(parents=True)
    (repo / "ci" / "aio").mkdir(parents=True)
    (repo / "ci" / "aio" / "resources.yml").write_text(RESOURCES)
    (repo / "image.img").write_bytes(b"not really an image")
    return repo


@pytest.fixture
def aio(site: Path, tmp_path: Path, sitectl: Any) -> Any:
    return standins.sitectl_runner(sitectl, site, tmp_path, "aio")


def kayobe_calls(log: Path) -> list[list[str]]:
    return [call[1:] for call in standins.calls(log) if call[0] == "kayobe"]


def without_environment(call: list[str]) -> list[str]:
    assert call[-2:] == ["--environment", "ci-aio"], call
    return call[:-2]


def state(site: Path) -> dict:
    return json.loads((site / ".cache" / "sitectl" / "aio" / "state.json").read_text())


def test_runs_the_steps_in_order_and_prints_durations(aio: Any, site: Path) -> None:
    result = aio("run")
    assert result.returncode == 0, result.stderr
    assert [without_environment(c) for c in kayobe_calls(aio.log)] == KAYOBE_SEQUENCE
    for number, name in enumerate(
        ["bootstrap", "host-configure", "images", "deploy", "post-configure", "resources"], 1
    ):
        assert f"[aio] {number}/6 {name}: " in result.stderr
    assert result.stderr.count(" done in ") == 6
    assert "[aio] durations:" in result.stderr
    assert "total" in result.stderr
    assert set(state(site)["done"]) == {
        "bootstrap",
        "host-configure",
        "images",
        "deploy",
        "post-configure",
        "resources",
    }
    # Step 6 created each test resource through the openstack CLI.
    creates = [c[3:] for c in standins.calls(aio.log) if c[0] == "openstack" and "create" in c]
    kinds = ["image", "flavor", "network", "subnet", "network", "subnet", "router"]
    assert [c[0] for c in creates] == kinds
    assert any(c[3:6] == ["router", "add", "subnet"] for c in standins.calls(aio.log))


def test_a_failed_step_stops_the_run_and_a_retry_resumes_there(aio: Any, site: Path) -> None:
    failed = aio("run", fail="overcloud service deploy")
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    assert "sitectl: error: step deploy: kayobe overcloud service deploy failed" in failed.stderr
    assert "stand-in kayobe: failing on demand" in failed.stderr
    assert "deploy          FAILED after" in failed.stderr
    assert [without_environment(c) for c in kayobe_calls(aio.log)] == KAYOBE_SEQUENCE[:4]
    assert state(site)["failed"] == "deploy"

    aio.log.unlink()
    retried = aio("run")
    assert retried.returncode == 0, retried.stderr
    assert [without_environment(c) for c in kayobe_calls(aio.log)] == KAYOBE_SEQUENCE[3:]
    assert "1/6 bootstrap: done before" in retried.stderr
    assert "3/6 images: done before" in retried.stderr
    assert state(site)["failed"] is None


def test_a_rerun_after_success_skips_every_step(aio: Any) -> None:
    assert aio("run").returncode == 0
    aio.log.unlink()
    again = aio("run")
    assert again.returncode == 0, again.stderr
    assert standins.calls(aio.log) == []
    assert again.stderr.count("done before") == 6


def test_from_redoes_that_step_and_the_later_ones(aio: Any) -> None:
    assert aio("run").returncode == 0
    aio.log.unlink()
    result = aio("run", "--from", "images")
    assert result.returncode == 0, result.stderr
    assert [without_environment(c) for c in kayobe_calls(aio.log)] == KAYOBE_SEQUENCE[2:]
    # Step 6 is idempotent: everything exists, so it only looks.
    openstack = [c for c in standins.calls(aio.log) if c[0] == "openstack"]
    assert openstack
    assert not [c for c in openstack if "create" in c or "add" in c]


def test_images_child_overlay_and_teardown_removes_it(aio: Any, site: Path, tmp_path: Path) -> None:
    result = aio("run", "--images-registry", "registry.ci:4000", "--images-tag", "mr-42")
    assert result.returncode == 0, result.stderr
    overlay = site / "environments" / "ci-aio" / "zz-ci-images.yml"
    text = overlay.read_text()
    assert "kolla_docker_registry: registry.ci:4000" in text
    assert "kolla_tag: mr-42" in text
    # A new tag makes the steps that use it stale; bootstrap stays done.
    aio.log.unlink()
    assert (
        aio("run", "--images-registry", "registry.ci:4000", "--images-tag", "mr-43").returncode == 0
    )
    assert [without_environment(c) for c in kayobe_calls(aio.log)] == KAYOBE_SEQUENCE[1:]
    assert "kolla_tag: mr-43" in overlay.read_text()
    down = aio("teardown", "--artifacts", tmp_path / "artifacts")
    assert down.returncode == 0, down.stderr
    assert not overlay.exists()


def test_registry_without_tag_is_a_usage_error(aio: Any) -> None:
    result = aio("run", "--images-registry", "registry.ci:4000")
    assert result.returncode == 2
    assert "together" in result.stderr
    assert "Traceback" not in result.stderr


def test_teardown_collects_artifacts_after_a_failure(aio: Any, tmp_path: Path) -> None:
    assert aio("run", fail="overcloud host configure").returncode == 1
    artifacts = tmp_path / "artifacts"
    result = aio("teardown", "--artifacts", artifacts)
    assert result.returncode == 0, result.stderr
    assert json.loads((artifacts / "state.json").read_text())["failed"] == "host-configure"
    assert (
        "stand-in kayobe: failing on demand"
        in (artifacts / "logs" / "host-configure.log").read_text()
    )
    assert "kolla/keystone" in (artifacts / "docker-ps.txt").read_text()
    assert "stand-in docker" in (artifacts / "containers" / "keystone.log").read_text()
    collected = (artifacts / "COLLECTED.txt").read_text()
    assert "docker ps -a: exit 0" in collected
    assert "/var/log/kolla" in collected


def test_run_collects_artifacts_itself_when_asked(aio: Any, tmp_path: Path) -> None:
    artifacts = tmp_path / "on-failure"
    result = aio("run", "--artifacts", artifacts, fail="control host bootstrap")
    assert result.returncode == 1
    assert (artifacts / "logs" / "bootstrap.log").exists()


def test_unknown_from_step_is_refused(aio: Any) -> None:
    result = aio("run", "--from", "nope")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_a_state_from_another_machine_is_ignored(aio: Any, site: Path) -> None:
    assert aio("run").returncode == 0
    path = site / ".cache" / "sitectl" / "aio" / "state.json"
    data = json.loads(path.read_text())
    data["host"] = "another-vm/0123"
    path.write_text(json.dumps(data))
    aio.log.unlink()
    assert aio("run").returncode == 0
    assert [without_environment(c) for c in kayobe_calls(aio.log)] == KAYOBE_SEQUENCE


def test_status_shows_done_failed_and_to_do(aio: Any) -> None:
    assert aio("run", fail="overcloud service deploy").returncode == 1
    result = aio("status")
    assert result.returncode == 0, result.stderr
    rows = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert rows["bootstrap"].startswith("done (")
    assert rows["images"].startswith("done (")
    assert rows["deploy"] == "FAILED"
    assert rows["post-configure"] == "to do"
    assert rows["resources"] == "to do"


def test_every_command_line_the_steps_run_parses_with_the_real_parsers(aio: Any) -> None:
    """kayobe's and the openstack client's own parsers accept every line the steps ran."""
    assert aio("run").returncode == 0
    calls = standins.calls(aio.log)
    kayobe = [c[1:] for c in calls if c[0] == "kayobe"]
    openstack = [c[1:] for c in calls if c[0] == "openstack"]
    assert len(kayobe) == len(KAYOBE_SEQUENCE) and len(openstack) > 10
    errors = [kayobe_error(words) for words in kayobe] + [openstack_error(w) for w in openstack]
    assert [error for error in errors if error] == []
    assert kayobe_error(["overcloud", "service", "deploy", "--kolla-tags", "nova"])  # can fail
    assert openstack_error(["--os-cloud", "x", "network", "create", "--no-such-flag", "n"])
