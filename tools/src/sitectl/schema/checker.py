"""Check INI config files against the options the services register with oslo.config.

This script runs in the schema virtualenv (the services' own packages at the pinned release),
not in sitectl's: it imports oslo.config, keystoneauth1 and the services through oslo.config's
generator entry points, and nothing of sitectl. Standard input: {"files": [{"path", "text",
"namespaces"}]}; standard output: {"findings": [...], "missing_namespaces": [...]}.
"""

from __future__ import annotations

import configparser
import difflib
import hashlib
import json
import multiprocessing
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from oslo_config import generator

REDACTED = ("<redacted:", "sealed-", "<render:")
ERROR, WARNING = "error", "warning"


def group_key(name: str) -> str:
    """A group or section name as oslo.config matches it: case-insensitive, except DEFAULT
    (networking-mlnx registers [ESWITCH]; kolla-ansible writes [eswitch])."""
    return name if name == "DEFAULT" else name.lower()


def _mlnx_agent() -> list[tuple[str, list[Any]]]:
    """What neutron-mlnx-agent registers: its own options, and neutron's agent state and root
    helper options (neutron's whole agent namespace clashes with its [AGENT] polling_interval)."""
    from networking_mlnx.plugins.ml2.drivers.mlnx.agent import config
    from neutron.conf.agent import common

    agent = [*config.agent_opts, *common.AGENT_STATE_OPTS, *common.ROOT_HELPER_OPTS]
    return [("ESWITCH", config.eswitch_opts), ("AGENT", agent)]


def _mlnx_eswitchd() -> list[tuple[str, list[Any]]]:
    """What eswitchd registers: its daemon options and neutron's root helper."""
    from networking_mlnx.eswitchd.common import config
    from neutron.conf.agent import common

    return [("DAEMON", config.mlx_daemon_opts), ("AGENT", common.ROOT_HELPER_OPTS)]


# Namespaces of services that publish no oslo.config.opts entry point, listed from the modules
# that register their options (the generator map names them for the services' config files).
UNPUBLISHED = {
    "networking_mlnx.agent": _mlnx_agent,
    "networking_mlnx.eswitchd": _mlnx_eswitchd,
}


def _list_opts(namespace: str) -> list[tuple[Any, list[Any]]]:
    if namespace in UNPUBLISHED:
        return UNPUBLISHED[namespace]()
    return [pair for _, pairs in generator._list_opts([namespace]) for pair in pairs]


def load_groups(namespaces: list[str], missing: set[str]) -> dict[str, dict[str, Any]]:
    """{group key: {option name: Opt}} of the namespaces, as oslo-config-generator lists them
    (its own loader)."""
    groups: dict[str, dict[str, Any]] = {}
    for namespace in namespaces:
        try:
            listed = _list_opts(namespace)
        except Exception:
            missing.add(namespace)
            continue
        for group, opts in listed:
            name = group_key(getattr(group, "name", group) or "DEFAULT")
            for opt in opts:
                groups.setdefault(name, {})[opt.dest if opt.dest else opt.name] = opt
                groups[name][opt.name] = opt
    return groups


def auth_plugin_options(plugin: str) -> dict[str, Any]:
    """The options keystoneauth registers at run time for `auth_type = PLUGIN` (and the
    auth_type and auth_section options themselves)."""
    try:
        from keystoneauth1 import loading

        options = loading.get_auth_plugin_conf_options(plugin)
        options += loading.get_auth_common_conf_options()  # auth_type, auth_section
    except Exception:  # an unknown plugin: the group is checked as written
        return {}
    # oslo.config names them with dashes (auth-url); files use the dest (auth_url).
    return {(o.dest or o.name.replace("-", "_")): o for o in options}


def parse(text: str) -> configparser.RawConfigParser:
    # DEFAULT as a section like any other: configparser would mix its options into every
    # section, and oslo.config does not.
    parser = configparser.RawConfigParser(
        strict=False, interpolation=None, delimiters=("=",), default_section="\0"
    )
    parser.optionxform = str  # option names are case-sensitive in oslo.config
    parser.read_string(text)
    return parser


def cached_groups(namespaces: list[str], missing: set[str]) -> dict[str, dict[str, Any]]:
    """load_groups, kept pickled in $SCHEMA_OPTS_CACHE (this virtualenv's own directory): a
    pin set's options never change, and unpickling them is several times faster than importing
    the services that register them. Options that cannot be pickled are loaded each time."""
    store = os.environ.get("SCHEMA_OPTS_CACHE")
    if not store:
        return load_groups(namespaces, missing)
    listed = "\n".join([*namespaces, hashlib.sha256(Path(__file__).read_bytes()).hexdigest()])
    path = Path(store, hashlib.sha256(listed.encode()).hexdigest()[:24])
    if path.exists():
        kept = pickle.loads(path.read_bytes())
        missing.update(kept["missing"])
        return kept["groups"]
    gone: set[str] = set()
    groups = load_groups(namespaces, gone)
    missing.update(gone)
    try:
        data = pickle.dumps({"groups": groups, "missing": sorted(gone)})
    except (pickle.PicklingError, TypeError, AttributeError):
        return groups
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, path)
    return groups


def check_file(entry: dict[str, Any], loaded: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    groups = {name: dict(opts) for name, opts in loaded.items()}  # run-time groups go here
    try:
        parsed = parse(entry["text"])
    except configparser.Error as e:
        return [finding(entry, "", "", ERROR, "syntax", f"not valid INI: {e.message}")]
    _dynamic_groups(parsed, groups)
    where: dict[str, list[str]] = {}  # option name -> the groups that have it
    for group, opts in sorted(groups.items()):
        for name in opts:
            where.setdefault(name, []).append(group)
    found = []
    for section in parsed.sections():
        items = dict(parsed.items(section, raw=True))
        known = groups.get(group_key(section))
        if known is None:
            close = difflib.get_close_matches(group_key(section), list(groups), n=1, cutoff=0.85)
            hint = f"did you mean [{close[0]}]?" if close else "its options are not checked"
            found.append(
                finding(
                    entry,
                    section,
                    "",
                    WARNING if not close else ERROR,
                    "unknown-section",
                    f"[{section}] is not a group this service registers; {hint}",
                )
            )
            continue
        for option, value in items.items():
            found += check_option(entry, section, option, value, known, groups, where)
    return found


def _dynamic_groups(parsed: configparser.RawConfigParser, groups: dict[str, dict]) -> None:
    """Groups a service makes at run time: keystoneauth plugin options where a group sets
    auth_type, and cinder's backend sections (named by enabled_backends)."""
    for section in parsed.sections():
        plugin = parsed.get(section, "auth_type", fallback=None)
        if plugin and group_key(section) in groups:
            for name, opt in auth_plugin_options(plugin).items():
                groups[group_key(section)].setdefault(name, opt)
    backends = parsed.get("DEFAULT", "enabled_backends", fallback="")
    if "backend_defaults" in groups:
        for name in filter(None, (b.strip() for b in backends.split(","))):
            groups.setdefault(group_key(name), dict(groups["backend_defaults"]))


def check_option(
    entry: dict, section: str, option: str, value: str, known: dict, groups: dict, where: dict
) -> list[dict[str, Any]]:
    opt = known.get(option)
    if opt is None:
        replacement = _deprecated_name(option, section, groups)
        if replacement:
            return [
                finding(
                    entry,
                    section,
                    option,
                    WARNING,
                    "deprecated-name",
                    f"{option} is a deprecated name; use [{replacement[0]}] {replacement[1]}",
                )
            ]
        if option in where:
            others = where[option]
            named = ", ".join(f"[{g}]" for g in others[:3])
            more = f" and {len(others) - 3} more groups" if len(others) > 3 else ""
            return [
                finding(
                    entry,
                    section,
                    option,
                    ERROR,
                    "wrong-section",
                    f"{option} is not an option of [{section}]; it is one of {named}{more}",
                )
            ]
        close = difflib.get_close_matches(option, list(known), n=1, cutoff=0.8)
        hint = f"; did you mean {close[0]}?" if close else ""
        return [
            finding(
                entry,
                section,
                option,
                ERROR,
                "unknown-option",
                f"[{section}] has no option {option}{hint}",
            )
        ]
    found = []
    if not value.startswith(REDACTED):
        try:
            opt.type(value)
        except (ValueError, TypeError) as e:
            found.append(
                finding(
                    entry,
                    section,
                    option,
                    ERROR,
                    "bad-value",
                    f"{option} = {value!r} is not valid: {e}",
                )
            )
    if getattr(opt, "deprecated_for_removal", False):
        reason = (getattr(opt, "deprecated_reason", None) or "").strip().splitlines()
        found.append(
            finding(
                entry,
                section,
                option,
                WARNING,
                "deprecated",
                f"{option} is deprecated for removal" + (f": {reason[0]}" if reason else ""),
            )
        )
    return found


def _deprecated_name(option: str, section: str, groups: dict) -> tuple[str, str] | None:
    for group, opts in groups.items():
        for opt in opts.values():
            for old in getattr(opt, "deprecated_opts", None) or ():
                old_group = group_key(old.group) if old.group else group  # None: its own
                if old.name == option and old_group == group_key(section):
                    return group, opt.name
    return None


def finding(
    entry: dict, section: str, option: str, severity: str, kind: str, message: str
) -> dict[str, str]:
    return {
        "path": entry["path"],
        "section": section,
        "group": group_key(section) if section else "",
        "option": option,
        "severity": severity,
        "kind": kind,
        "message": message,
    }


def check_group(entries: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Files made of the same namespaces, in a process of their own."""
    missing: set[str] = set()
    loaded = cached_groups(entries[0]["namespaces"], missing)
    findings = []
    for entry in entries:
        findings += check_file(entry, loaded)
    return findings, sorted(missing)


def registered_group(entries: list[dict[str, Any]]) -> list[dict[str, list[str]]]:
    """{group: [option names]} of the one set of namespaces the entries share."""
    groups = cached_groups(entries[0]["namespaces"], set())
    return [{group: sorted(opts) for group, opts in groups.items()}] * len(entries)


def by_namespaces(entries: list[dict[str, Any]], work: Any) -> list[tuple[list[int], Any]]:
    """work(entries of one set of namespaces) for each set, in the order of `entries`.

    Importing a service's options registers them on oslo.config's global CONF, and services
    register some of the same names differently: each set of namespaces gets a fresh process
    (forked from this one, which has imported oslo.config alone)."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, entry in enumerate(entries):
        groups.setdefault(tuple(entry["namespaces"]), []).append(index)
    context = multiprocessing.get_context("fork")
    workers = max(1, min(len(groups), os.cpu_count() or 1))
    with context.Pool(workers, maxtasksperchild=1) as pool:
        results = pool.map(
            work, [[entries[i] for i in indexes] for indexes in groups.values()], chunksize=1
        )
    return [(indexes, result) for indexes, result in zip(groups.values(), results, strict=True)]


def main() -> int:
    request = json.load(sys.stdin)
    if "registered" in request:
        entries = [{"namespaces": namespaces} for namespaces in request["registered"]]
        registered: list[Any] = [None] * len(entries)
        for indexes, answers in by_namespaces(entries, registered_group):
            for index, answer in zip(indexes, answers, strict=True):
                registered[index] = answer
        json.dump({"registered": registered}, sys.stdout)
        return 0
    results = [result for _, result in by_namespaces(request["files"], check_group)]
    findings = [f for found, _ in results for f in found]
    missing = sorted({m for _, gone in results for m in gone})
    json.dump({"findings": findings, "missing_namespaces": missing}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
