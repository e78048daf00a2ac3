"""example-site's monitoring as real kayobe and kolla-ansible render it: Prometheus scrapes
every host and every BMC, the site's alert rules and routes reach the monitoring hosts, and
Grafana gets the site's dashboards; promtool and amtool accept what was rendered."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

MONITORING = {"ctl01", "ctl02", "ctl03"}
HOSTS = MONITORING | {f"stor0{i}" for i in (1, 2, 3)} | {f"cmp0{i}" for i in (1, 2, 3, 4)}
BMCS = {  # the inventory's ipmi_address (overcloud) and redfish_address (bare metal)
    **{f"ctl0{i}": f"10.0.0.1{i}" for i in (1, 2, 3)},
    **{f"stor0{i}": f"10.0.0.2{i}" for i in (1, 2, 3)},
    **{f"cmp0{i}": f"10.0.0.3{i}" for i in (1, 2, 3, 4)},
    "bm01": "10.0.1.101",
    "bm02": "10.0.1.102",
}


def _prometheus(render: Path, host: str = "ctl01") -> dict:
    return yaml.safe_load(
        (render / "config" / host / "prometheus-server" / "prometheus.yml").read_text()
    )


def _job(config: dict, name: str) -> dict:
    [job] = [j for j in config["scrape_configs"] if j["job_name"] == name]
    return job


def test_prometheus_runs_on_the_monitoring_hosts_only(monitoring_render: Path) -> None:
    servers = {p.parent.name for p in monitoring_render.glob("config/*/prometheus-server")}
    assert servers == MONITORING
    exporters = {p.parent.name for p in monitoring_render.glob("config/*/prometheus-node-exporter")}
    assert exporters >= HOSTS


def test_every_host_is_scraped_by_name(monitoring_render: Path) -> None:
    node = _job(_prometheus(monitoring_render), "node")
    instances = {target["labels"]["instance"] for target in node["static_configs"]}
    assert instances >= HOSTS
    libvirt = _job(_prometheus(monitoring_render), "libvirt_exporter")
    assert {t["labels"]["instance"] for t in libvirt["static_configs"]} >= {"cmp01", "cmp04"}


def test_every_bmc_is_scraped_through_the_redfish_exporter(monitoring_render: Path) -> None:
    redfish = _job(_prometheus(monitoring_render), "redfish")
    scraped = {t["labels"]["host"]: t["targets"] for t in redfish["static_configs"]}
    assert scraped == {host: [address] for host, address in BMCS.items()}
    assert redfish["metrics_path"] == "/redfish"
    relabel = {r["target_label"]: r for r in redfish["relabel_configs"]}
    assert relabel["__param_target"]["source_labels"] == ["__address__"]
    assert relabel["instance"]["source_labels"] == ["host"]  # named like the node exporter's
    assert relabel["__address__"]["replacement"] == "127.0.0.1:9610"


def test_the_sites_rules_reach_prometheus_as_written(monitoring_render: Path) -> None:
    repo_rules = (
        Path(__file__).resolve().parents[2] / "environments/monitoring/kolla/config/prometheus"
    )
    config = _prometheus(monitoring_render)
    names = sorted(p.name for p in repo_rules.glob("*.rules"))
    assert sorted(Path(f).name for f in config["rule_files"]) == names
    for name in names:
        rendered = monitoring_render / "config" / "ctl02" / "prometheus-server" / name
        assert rendered.read_text() == (repo_rules / name).read_text()  # copied, not templated


def test_promtool_and_amtool_accept_the_rendered_configuration(
    monitoring_render: Path, promtool: str
) -> None:
    prometheus = monitoring_render / "config/ctl01/prometheus-server/prometheus.yml"
    check = subprocess.run(
        [promtool, "check", "config", "--syntax-only", str(prometheus)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    alertmanager = (
        monitoring_render / "config/ctl01/prometheus-alertmanager/prometheus-alertmanager.yml"
    )
    check = subprocess.run(
        ["amtool", "check-config", str(alertmanager)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    routes = yaml.safe_load(alertmanager.read_text())
    assert routes["route"]["routes"][0] == {"receiver": "hardware", "matchers": ['team="hardware"']}
    assert routes["receivers"][0]["email_configs"][0]["to"] == "cloud-ops@example.org"


def test_grafana_gets_the_dashboards_and_their_data_source(monitoring_render: Path) -> None:
    grafana = monitoring_render / "config" / "ctl01" / "grafana"
    provisioned = yaml.safe_load((grafana / "prometheus.yaml").read_text())
    names = {source["name"] for source in provisioned["datasources"]}
    assert "Prometheus" in names
    dashboards = {
        p.name: json.loads(p.read_text()) for p in (grafana / "dashboards").rglob("*.json")
    }
    assert set(dashboards) == {"capacity.json", "hardware.json"}
    capacity = dashboards["capacity.json"]
    assert {panel["datasource"] for panel in capacity["panels"]} <= names
    assert "{{instance}}" in json.dumps(dashboards["hardware.json"])  # Grafana's, untouched
