"""The host checks: pytest-testinfra's host modules run over SSH, as kayobe connects, against
what the plan says a host should be. Each check returns the problems it found (none: it
passed), each one sentence naming the device, container or file and the configured value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sitectl.hostcheck.plan import HostPlan, Link, Sriov

UP_STATES = ("UP", "UNKNOWN")  # UNKNOWN: devices without carrier detection (lo, some tunnels)
# What ssh and sudo add to a command's error output that says nothing about the command.
NOISE = ("Warning: Permanently added", "sudo: unable to resolve host")


@dataclass(frozen=True)
class Check:
    name: str  # e.g. "interface eth1 (internal_net)"
    run: Callable[[Any], list[str]]  # testinfra host -> problems


def checks(plan: HostPlan, kolla_names: dict[str, str], engine: str) -> Iterator[Check]:
    """Every check of one host, in the order they are reported."""
    for link in plan.links:
        yield Check(f"interface {link.device} ({link.network})", lambda h, x=link: _link(h, x))
    if plan.sriov:
        sriov = plan.sriov
        yield Check(
            f"SR-IOV {sriov.physical_function} virtual functions",
            lambda h, x=sriov: _sriov(h, x),
        )
    if plan.ntp:
        yield Check("time synchronised (chrony)", _chrony)
    for directory in plan.containers:
        name = kolla_names.get(directory, directory.replace("-", "_"))
        yield Check(
            f"container {name}",
            lambda h, d=directory, n=name: (
                _container(h, engine, n) + _config_dir(h, plan.config_dir, d)
            ),
        )


def said(result: Any) -> str:
    """A failed command's own error output, on one line."""
    lines = (result.stderr or result.stdout or "").splitlines()
    kept = [line.strip() for line in lines if line.strip() and not line.startswith(NOISE)]
    return "; ".join(kept) or f"exit status {result.rc}"


def _ip_json(host: Any, *args: str) -> list[dict[str, Any]] | None:
    result = host.run("ip -d -j " + " ".join(args))
    if result.rc != 0:
        return None
    return json.loads(result.stdout or "[]")


def _link(host: Any, link: Link) -> list[str]:
    found = _ip_json(host, "addr", "show", "dev", link.device)
    if not found:
        return [f"{link.device} does not exist ({link.network}_interface says it should)"]
    info = found[0]
    problems = []
    if "UP" not in info.get("flags", []) or info.get("operstate") not in UP_STATES:
        problems.append(f"{link.device} is down (state {info.get('operstate')})")
    if link.mtu is not None and info.get("mtu") != link.mtu:
        problems.append(
            f"{link.device} has MTU {info.get('mtu')}, configured {link.mtu} ({link.network}_mtu)"
        )
    if link.address:
        have = [f"{a['local']}/{a['prefixlen']}" for a in info.get("addr_info", [])]
        if link.address not in have:
            problems.append(
                f"{link.device} lacks {link.address} ({link.network}_ips); it has "
                + (", ".join(have) or "no address")
            )
    kind = info.get("linkinfo", {}).get("info_kind")
    data = info.get("linkinfo", {}).get("info_data", {})
    tagged = link.vlan is not None and not link.device.startswith("ib")  # IPoIB: a partition
    if tagged and (
        kind != "vlan" or data.get("id") != link.vlan or info.get("link") != link.parent
    ):
        problems.append(
            f"{link.device} is not VLAN {link.vlan} on {link.parent} "
            f"(it is {kind or 'a plain interface'}, id {data.get('id')}, on {info.get('link')})"
        )
    for members, wanted, what in (
        (link.bridge_ports, "bridge", "bridge_ports"),
        (link.bond_slaves, "bond", "bond_slaves"),
    ):
        if members:
            problems += _members(host, link, members, wanted, what, kind)
    if link.ipoib_mode:
        mode = host.file(f"{link.sysfs_root}/class/net/{link.device}/mode")
        actual = mode.content_string.strip() if mode.exists else "unknown"
        if actual != link.ipoib_mode:
            problems.append(
                f"{link.device} is in IPoIB {actual} mode, configured {link.ipoib_mode} "
                "(infiniband_ipoib_mode)"
            )
    return problems


def _members(
    host: Any, link: Link, members: tuple[str, ...], wanted: str, what: str, kind: str | None
) -> list[str]:
    if kind != wanted:
        return [f"{link.device} is not a {wanted} (it is {kind or 'a plain interface'})"]
    attached = {i["ifname"] for i in _ip_json(host, "link", "show", "master", link.device) or []}
    missing = [m for m in members if m not in attached]
    if not missing:
        return []
    return [
        f"{link.device} lacks {', '.join(missing)} ({link.network}_{what}); attached: "
        + (", ".join(sorted(attached)) or "none")
    ]


def _sriov(host: Any, sriov: Sriov) -> list[str]:
    path = f"{sriov.sysfs_root}/class/net/{sriov.physical_function}/device/sriov_numvfs"
    numvfs = host.file(path)
    if not numvfs.exists:
        return [f"{path} does not exist: no SR-IOV physical function {sriov.physical_function}"]
    actual = numvfs.content_string.strip()
    if actual != str(sriov.numvfs):
        return [
            f"{sriov.physical_function} has {actual} virtual functions, configured "
            f"{sriov.numvfs} (sriov_numvfs)"
        ]
    return []


def _chrony(host: Any) -> list[str]:
    result = host.run("chronyc -n tracking")
    if result.rc != 0:
        return [f"chronyc tracking failed (is chronyd running?): {said(result)}"]
    fields = dict(
        (part.strip() for part in line.split(":", 1))
        for line in result.stdout.splitlines()
        if ":" in line
    )
    leap = fields.get("Leap status", "missing")
    return [] if leap == "Normal" else [f"chrony is not synchronised (leap status: {leap})"]


def _container(host: Any, engine: str, name: str) -> list[str]:
    result = host.run(f"{engine} inspect --format '{{{{json .State}}}}' {name}")
    if result.rc != 0:
        return [f"{name} does not exist ({engine} inspect: {said(result)[:200]})"]
    state = json.loads(result.stdout)
    if not state.get("Running"):
        return [
            f"{name} is {state.get('Status', 'not running')} (exit code {state.get('ExitCode')})"
        ]
    health = (state.get("Health") or {}).get("Status")
    if health not in (None, "healthy"):
        return [f"{name} is running but {health}"]
    return []


def _config_dir(host: Any, root: str, directory: str) -> list[str]:
    if host.file(f"{root}/{directory}").is_directory:
        return []
    return [f"{root}/{directory} is missing (kolla-ansible writes the container's config there)"]
