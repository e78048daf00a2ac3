"""A full render of ci-aio: the output contract, kayobe's settings reaching kolla's files, no
secret anywhere, and the cache."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

from sitectl.render import harness, render
from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO

from .conftest import CACHE
from .plaintexts import leaks

pytestmark = pytest.mark.slow

META_KEYS = {
    "format",
    "environment",
    "ref",
    "commit",
    "input_hash",
    "services",
    "hosts",
    "tools",
    "vault",
    "generated_secrets",
    "kayobe_layer",
    "custom_config",
    "genconfig",
}


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_render_json_contract(ci_aio: Path) -> None:
    meta = json.loads((ci_aio / "render.json").read_text())
    assert set(meta) == META_KEYS
    assert meta["format"] == "sitectl-render-1"
    assert meta["environment"] == "ci-aio"
    assert meta["ref"] is None
    assert meta["commit"] == "working-tree"
    assert re.fullmatch(r"[0-9a-f]{64}", meta["input_hash"])
    assert meta["services"] == "all"
    assert meta["hosts"] == ["aio"]
    assert set(meta["tools"]) == {"kayobe", "kolla-ansible", "ansible-core"}
    assert meta["tools"]["kayobe"] == "21.0.0"
    assert meta["vault"] == "decrypted"
    assert meta["generated_secrets"] == []  # ci-aio commits every kolla password
    assert re.match(r"(made|reused)\b", meta["kayobe_layer"])
    assert re.fullmatch(r"one run|\d+ parts at once", meta["genconfig"])
    assert meta["custom_config"] == "every override (a full render)"


def test_layout(ci_aio: Path) -> None:
    assert sorted(p.name for p in ci_aio.iterdir()) == ["config", "kayobe", "kolla", "render.json"]
    assert [p.name for p in (ci_aio / "kayobe").iterdir()] == ["aio.yml"]
    assert (ci_aio / "kolla" / "globals.yml").is_file()
    assert (ci_aio / "kolla" / "inventory" / "overcloud" / "hosts").is_file()
    assert (ci_aio / "kolla" / "inventory" / "overcloud" / "host_vars" / "aio").is_file()
    assert [p.name for p in (ci_aio / "config").iterdir()] == ["aio"]
    services = {p.name for p in (ci_aio / "config" / "aio").iterdir()}
    for expected in (
        "keystone-api",
        "nova-compute",
        "nova-scheduler",
        "neutron-server",
        "haproxy",
        "mariadb",
        "rabbitmq",
        "glance-api",
        "horizon",
    ):
        assert expected in services
    # ci-aio turns these off: nothing of them is rendered.
    assert not any(name.startswith(("cinder", "prometheus", "octavia")) for name in services)
    assert (ci_aio / "config" / "aio" / "haproxy" / "services.d" / "keystone-api.cfg").is_file()


def test_kayobe_variables_are_sorted_yaml(ci_aio: Path) -> None:
    text = (ci_aio / "kayobe" / "aio.yml").read_text()
    variables = yaml.safe_load(text)
    assert list(variables) == sorted(variables)
    assert variables["inventory_hostname"] == "aio"
    assert variables["aio_net_ips"] == {"aio": "192.168.33.3"}
    assert variables["kayobe_config_path"] == "<render:repo>/etc/kayobe"


def test_globals_and_inventory_are_kayobes(ci_aio: Path) -> None:
    kolla_globals = yaml.safe_load((ci_aio / "kolla" / "globals.yml").read_text())
    assert kolla_globals["kolla_internal_vip_address"] == "192.168.33.2"
    assert kolla_globals["enable_cinder"] is False
    hosts = (ci_aio / "kolla" / "inventory" / "overcloud" / "hosts").read_text()
    assert re.search(r"^\[controllers\]\n(#.*\n)*aio$", hosts, re.M)


def test_nova_conf_has_the_scheduler_filters_of_nova_yml(ci_aio: Path) -> None:
    expected = yaml.safe_load((ci_aio / "kayobe" / "aio.yml").read_text())
    filters = ",".join(expected["nova_scheduler_enabled_filters"])
    assert filters.startswith("ComputeFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter")
    nova_conf = (ci_aio / "config" / "aio" / "nova-scheduler" / "nova.conf").read_text()
    section = nova_conf.split("[filter_scheduler]", 1)[1].split("\n[", 1)[0]
    assert f"enabled_filters = {filters}" in section


def test_no_secret_in_any_file(ci_aio: Path, secrets: set[str]) -> None:
    assert leaks(ci_aio, secrets) == []


def test_secrets_became_tokens(ci_aio: Path) -> None:
    keystone = (ci_aio / "config" / "aio" / "keystone-api" / "keystone.conf").read_text()
    assert re.search(
        r"^connection = mysql\+pymysql://keystone:<redacted:[0-9a-f]{8}>@", keystone, re.M
    )
    key = (ci_aio / "config" / "aio" / "nova-ssh" / "id_rsa").read_text()
    assert re.fullmatch(r"<redacted:[0-9a-f]{8}>\n?", key)
    for path in ci_aio.rglob("*"):
        if path.is_file():
            assert "-----BEGIN" not in path.read_text(errors="replace"), path


def test_no_scratch_paths_or_machine_paths(ci_aio: Path) -> None:
    for path in ci_aio.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert "/sitectl-render-" not in text, path
            assert sys.prefix not in text, path
            assert str(REPO) not in text, path


def test_cache_hit_runs_no_kayobe(ci_aio: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("a cached render ran kayobe")

    monkeypatch.setattr(harness, "run", refuse)
    assert render(REPO, "ci-aio", vault_password_file=EXAMPLE_PASSWORD_FILE) == ci_aio
    assert ci_aio.parent == CACHE


def test_out_is_a_copy_of_the_cache_entry(ci_aio: Path, tmp_path: Path) -> None:
    out = render(REPO, "ci-aio", vault_password_file=EXAMPLE_PASSWORD_FILE, out=tmp_path / "out")
    assert out == tmp_path / "out"
    assert files(out) == files(ci_aio)
    # Rendering into it again replaces it whole.
    (out / "stale").write_text("left over\n")
    render(REPO, "ci-aio", vault_password_file=EXAMPLE_PASSWORD_FILE, out=out)
    assert files(out) == files(ci_aio)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
