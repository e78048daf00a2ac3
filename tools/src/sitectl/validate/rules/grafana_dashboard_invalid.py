"""grafana-dashboard-invalid: a dashboard of the site (kolla/config/grafana/dashboards/**.json,
which kolla-ansible provisions into Grafana) is not a Grafana dashboard, repeats another's uid,
or reads from a data source that does not exist.

Grafana skips a dashboard file it cannot read and keeps only one of two dashboards with the
same uid, without saying so where operators look; a panel whose data source does not exist
shows "datasource not found" and no data. The data sources that exist are the ones
kolla-ansible provisions (its grafana role: Prometheus, Alertmanager, OpenSearch), or a
dashboard variable of type "datasource".

Example of bad input::

    // environments/monitoring/kolla/config/grafana/dashboards/site/capacity.json
    {"title": "Capacity", "panels": [{"type": "stat", "datasource": "Prometheus-old"}]}
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from sitectl.kolla_playbooks import playbooks_dir
from sitectl.validate.files import FileContext
from sitectl.validate.finding import Finding
from sitectl.validate.stages import FILES

ID = "grafana-dashboard-invalid"
DESCRIPTION = "a Grafana dashboard is not valid, repeats a uid, or names a missing data source"
STAGE = FILES

DASHBOARDS = Path("kolla", "config", "grafana", "dashboards")
# Grafana's own pseudo data sources.
BUILT_IN = {"-- Grafana --", "-- Mixed --", "-- Dashboard --", "grafana", "default"}
_VARIABLE = re.compile(r"^\$\{?(\w+)")


def check(ctx: FileContext) -> Iterator[Finding]:
    owners: dict[str, str] = {}  # uid -> file
    for root in ctx.roots:
        for path in sorted((root / DASHBOARDS).rglob("*.json")):
            file = ctx.relative(path)
            for key, message in _problems(path, owners, file):
                yield Finding(ID, ctx.environment, None, file, key, message, _hint(message))


def _problems(path: Path, owners: dict[str, str], file: str) -> Iterator[tuple[str | None, str]]:
    try:
        dashboard = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        yield None, f"is not JSON ({e})"
        return
    if not isinstance(dashboard, dict) or not isinstance(dashboard.get("panels"), list):
        yield None, "is not a Grafana dashboard (an object with a list of panels)"
        return
    if not isinstance(dashboard.get("title"), str) or not dashboard["title"].strip():
        yield "title", "has no title"
    uid = dashboard.get("uid")
    if isinstance(uid, str) and uid:
        if uid in owners:
            yield "uid", f"repeats uid {uid!r} of {owners[uid]}; Grafana keeps only one of them"
        owners.setdefault(uid, file)
    variables = {
        v.get("name")
        for v in (dashboard.get("templating") or {}).get("list") or []
        if isinstance(v, dict) and v.get("type") == "datasource"
    }
    for where, reference in _references(dashboard["panels"], "panels"):
        problem = _unknown(reference, variables)
        if problem:
            yield where, problem


def _references(panels: list[Any], path: str) -> Iterator[tuple[str, Any]]:
    """(where, data source reference) of every panel and query, rows' panels included."""
    for index, panel in enumerate(panels):
        if not isinstance(panel, dict):
            continue
        where = f"{path}[{index}]"
        if "datasource" in panel:
            yield f"{where}.datasource", panel["datasource"]
        for number, target in enumerate(panel.get("targets") or []):
            if isinstance(target, dict) and "datasource" in target:
                yield f"{where}.targets[{number}].datasource", target["datasource"]
        if isinstance(panel.get("panels"), list):
            yield from _references(panel["panels"], f"{where}.panels")


def _unknown(reference: Any, variables: set[Any]) -> str | None:
    """Why a reference names no data source, or None when it does (or is the default)."""
    if reference is None:
        return None
    if isinstance(reference, dict):
        uid = reference.get("uid")
        if uid is None or not isinstance(uid, str):
            return None  # the default data source of that type
        value, kind = uid, "uid"
    elif isinstance(reference, str):
        value, kind = reference, "name"
    else:
        return f"is {reference!r}, not a data source name or reference"
    variable = _VARIABLE.match(value)
    if variable:
        if variable[1] in variables:
            return None
        return f"uses ${variable[1]}, which is no data source variable of the dashboard"
    if value in BUILT_IN or (kind == "name" and value in provisioned()):
        return None
    known = ", ".join(sorted(provisioned()))
    if kind == "uid":
        return (
            f"names data source uid {value!r}; kolla-ansible provisions its data sources "
            f"({known}) without fixed uids"
        )
    return f"names data source {value!r}, which kolla-ansible does not provision ({known})"


def _hint(message: str) -> str:
    if "data source" in message:
        return (
            'Name a provisioned data source ("datasource": "Prometheus"), or add a variable of '
            'type "datasource" and refer to it ({"type": "prometheus", "uid": "${datasource}"}).'
        )
    if "uid" in message:
        return "Give each dashboard its own uid."
    return "Export the dashboard again from Grafana (Share > Export > Save to file)."


@cache
def provisioned() -> frozenset[str]:
    """The data source names kolla-ansible's grafana role provisions (read from its files)."""
    grafana = playbooks_dir() / "roles" / "grafana"
    template = (grafana / "templates" / "prometheus.yaml.j2").read_text(encoding="utf-8")
    names = set(re.findall(r"^- name: (\S+)", template, re.MULTILINE))
    defaults = yaml.safe_load((grafana / "defaults" / "main.yml").read_text(encoding="utf-8"))
    for source in ((defaults or {}).get("grafana_data_sources") or {}).values():
        name = ((source or {}).get("data") or {}).get("name")
        if isinstance(name, str):
            names.add(name)
    return frozenset(names)
