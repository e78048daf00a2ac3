"""grafana-dashboard-invalid: a dashboard of the site (kolla/config/grafana/dashboards/**.json,
which kolla-ansible provisions into Grafana) is not a Grafana dashboard, repeats another's uid,
or reads from a data source that does not exist.

Grafana skips a dashboard file it cannot read and keeps only one of two dashboards with the
same uid, without saying so where operators look; a panel whose data source does not exist
shows "datasource not found" and no data. The data sources that exist are the ones
kolla-ansible provisions (its grafana role: Prometheus, Alertmanager, OpenSearch), or a
dashboard variable of type "datasource".

A dashboard is checked as Grafana receives it: kayobe templates it first unless its custom
config rules copy it (sitectl.validate.kolla_config), so its `{% raw %}` blocks read as their
text and its expressions as values kayobe fills in (not judged); a JSON error after that is
reported with its line.

Example of bad input::

    // environments/monitoring/kolla/config/grafana/dashboards/site/capacity.json
    {"title": "Capacity", "panels": [{"type": "stat", "datasource": "Prometheus-old"}]}
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from sitectl.kolla_playbooks import playbooks_dir
from sitectl.validate import kolla_config
from sitectl.validate.files import FileContext, plaintext
from sitectl.validate.finding import Finding
from sitectl.validate.stages import FILES
from sitectl.validate.templated import (
    EXPRESSION,
    has_jinja,
    neutralised_text,
    template_error,
)

ID = "grafana-dashboard-invalid"
DESCRIPTION = "a Grafana dashboard is not valid, repeats a uid, or names a missing data source"
STAGE = FILES

CONFIG = Path("kolla", "config")
DASHBOARDS = CONFIG / "grafana" / "dashboards"
TEMPLATED = "<templated>"  # what an expression reads as: kayobe fills it in
# Grafana's own pseudo data sources.
BUILT_IN = {"-- Grafana --", "-- Mixed --", "-- Dashboard --", "grafana", "default"}
_VARIABLE = re.compile(r"^\$\{?(\w+)")


def check(ctx: FileContext) -> Iterator[Finding]:
    owners: dict[str, str] = {}  # uid -> file
    rules = kolla_config.site_rules(ctx)
    for root in ctx.roots:
        for path in sorted((root / DASHBOARDS).rglob("*.json")):
            file = ctx.relative(path)
            read = plaintext(path, ctx.password)
            if read is None:
                continue  # unreadable, or not decryptable: vault-password reports it
            relative = path.relative_to(root / CONFIG).as_posix()
            loaded = _load(
                read[0], kolla_config.is_templated(kolla_config.strategy(relative, rules))
            )
            if isinstance(loaded, Unreadable):
                yield Finding(
                    ID, ctx.environment, None, file, None, loaded.message, loaded.hint, loaded.line
                )
                continue
            for key, message in _problems(loaded, owners, file):
                yield Finding(ID, ctx.environment, None, file, key, message, _hint(message))


@dataclass(frozen=True)
class Unreadable:
    """Why a dashboard cannot be read as JSON, what to do, and where."""

    message: str
    hint: str
    line: int | None = None


REEXPORT = "Export the dashboard again from Grafana (Share > Export > Save to file)."
JINJA_HINT = (
    "Fix the template at that line, and wrap Grafana's own {{...}} in {% raw %} ... {% endraw %}."
)
COPIED = (
    "kayobe copies this file as it is: drop its Jinja ({% raw %} ...), or let kayobe template "
    "it (remove the copy rule of kolla_openstack_custom_config_rules_extra that matches it)."
)


def _load(text: str, templated: bool) -> Any:
    """The dashboard as Grafana receives it (after kayobe templates it, when it does), or
    Unreadable."""
    jinja = has_jinja(text)
    if templated and jinja:
        error = template_error(text)
        if error is not None:
            return Unreadable(
                "does not parse as Jinja, and kayobe templates it before kolla-ansible copies "
                f"it to Grafana: {error[1]}",
                JINJA_HINT,
                error[0],
            )
        text = _json_placeholders(neutralised_text(text, raw=True, expression=EXPRESSION))
    try:
        return json.loads(text)
    except ValueError as e:
        line = getattr(e, "lineno", None)
        if not jinja:
            return Unreadable(f"is not JSON ({e})", REEXPORT, line)
        if templated:
            return Unreadable(f"is not JSON once kayobe templates it ({e})", REEXPORT, line)
        return Unreadable(
            f"is not JSON as kayobe copies it, Jinja and all (a custom config rule says "
            f"copy) ({e})",
            COPIED,
            line,
        )


def _json_placeholders(text: str) -> str:
    """`text` with each expression marker replaced by TEMPLATED: as text inside a JSON string,
    as a string of its own elsewhere (`"refresh": {{ x }}` reads as a value)."""
    out: list[str] = []
    in_string = escaped = False
    for char in text:
        if char == EXPRESSION:
            out.append(TEMPLATED if in_string else f'"{TEMPLATED}"')
            continue
        if not in_string:
            in_string = char == '"'
        elif escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            in_string = False
        out.append(char)
    return "".join(out)


def _problems(
    dashboard: Any, owners: dict[str, str], file: str
) -> Iterator[tuple[str | None, str]]:
    if not isinstance(dashboard, dict) or not isinstance(dashboard.get("panels"), list):
        yield None, "is not a Grafana dashboard (an object with a list of panels)"
        return
    if not isinstance(dashboard.get("title"), str) or not dashboard["title"].strip():
        yield "title", "has no title"
    uid = dashboard.get("uid")
    if isinstance(uid, str) and uid and TEMPLATED not in uid:
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
    if TEMPLATED in value:
        return None  # kayobe fills it in
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
    return REEXPORT


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
