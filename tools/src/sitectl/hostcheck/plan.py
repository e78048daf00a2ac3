"""What each host should look like, from kayobe's resolved configuration (sitectl.dump) and,
for containers, the environment's render: the plan the host checks hold a host to.

Per host: how kayobe reaches it (ansible_host, ansible_port, ansible_user, the SSH key); each
interface on the networks it joins (MTU, address and prefix, VLAN parent and ID, bridge ports,
bond slaves, IPoIB mode on the InfiniBand hosts); the SR-IOV physical function's virtual
function count on the SR-IOV hosts (read under `sriov_sysfs_root`, the seam the sriov role
has); whether chrony should be synchronised; and, from the render, the kolla containers and
their config directories under /etc/kolla. A variable the configuration does not set reads as
the default of the site's own role that uses it (ansible/roles/*/defaults), as the role would.
"""

from __future__ import annotations

import fnmatch
import ipaddress
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sitectl import render_layout as layout
from sitectl import values
from sitectl.errors import SiteError
from sitectl.site import Host, Interface, Site

KOLLA_CONFIG_DIR = "/etc/kolla"
INFINIBAND_GROUP = "infiniband"
SRIOV_GROUP = "compute-sriov"


@dataclass(frozen=True)
class Link:
    """One interface the configuration gives a host, and where each expectation comes from."""

    network: str
    device: str
    mtu: int | None
    address: str | None  # ADDRESS/PREFIX
    parent: str | None = None  # a VLAN's (or IPoIB child's) link
    vlan: int | None = None
    bridge_ports: tuple[str, ...] = ()
    bond_slaves: tuple[str, ...] = ()
    ipoib_mode: str | None = None
    sysfs_root: str = "/sys"  # where the IPoIB mode is read (infiniband_sysfs_root)


@dataclass(frozen=True)
class Sriov:
    physical_function: str
    numvfs: int
    sysfs_root: str


@dataclass(frozen=True)
class Connection:
    address: str
    port: int
    user: str
    key: str | None


@dataclass(frozen=True)
class HostPlan:
    name: str
    connection: Connection
    links: tuple[Link, ...]
    sriov: Sriov | None
    ntp: bool
    containers: tuple[str, ...] = ()  # kolla config directory names (nova-api...)
    config_dir: str = KOLLA_CONFIG_DIR
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def select(site: Site, limit: str | None) -> list[Host]:
    """The managed hosts matching --limit (comma-separated host or group names, globs allowed;
    None: all), in name order."""
    hosts = site.managed()
    if not limit:
        return hosts
    patterns = [p.strip() for p in limit.split(",") if p.strip()]
    chosen = [
        host
        for host in hosts
        if any(
            fnmatch.fnmatchcase(host.name, p) or any(fnmatch.fnmatchcase(g, p) for g in host.groups)
            for p in patterns
        )
    ]
    if not chosen:
        raise SiteError(
            f"--limit {limit} matches no managed host of {site.environment}; its hosts are: "
            + ", ".join(h.name for h in hosts)
        )
    return chosen


def role_defaults(repo: Path) -> dict[str, Any]:
    """The plain (untemplated) defaults of the repository's own roles."""
    found: dict[str, Any] = {}
    for path in sorted(repo.glob("ansible/roles/*/defaults/main.yml")):
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as e:
            raise SiteError(f"{path.relative_to(repo)} cannot be read: {e}") from None
        if isinstance(loaded, dict):
            found.update(
                (k, v) for k, v in loaded.items() if not (isinstance(v, str) and "{{" in v)
            )
    return found


class _WithDefaults:
    """A host's variables, falling back to the roles' defaults."""

    def __init__(self, host: Host, defaults: Mapping[str, Any]) -> None:
        self.host, self.defaults = host, defaults

    def get(self, name: str) -> Any:
        value = self.host.get(name)
        return self.defaults.get(name) if value is None else value


def plan(
    site: Site,
    host: Host,
    containers: tuple[str, ...] = (),
    defaults: Mapping[str, Any] | None = None,
) -> HostPlan:
    variables = _WithDefaults(host, defaults or {})
    notes = []
    address = values.text(host.get("ansible_host"))
    if address is None:
        notes.append("ansible_host is not set (no address on its admin network)")
    links = tuple(_link(site, host, variables, i) for i in host.interfaces())
    return HostPlan(
        name=host.name,
        connection=Connection(
            address=address or host.name,
            port=values.integer(host.get("ansible_port")) or 22,
            user=values.text(host.get("ansible_user"))
            or values.text(host.get("kayobe_ansible_user"))
            or "stack",
            key=values.text(host.get("ssh_private_key_path")),
        ),
        links=links,
        sriov=_sriov(host, variables),
        ntp=bool(values.dicts(host.get("chrony_ntp_servers"))),
        containers=containers,
        notes=tuple(notes),
    )


def _link(site: Site, host: Host, variables: _WithDefaults, interface: Interface) -> Link:
    network = interface.network
    return Link(
        network=network,
        device=interface.device,
        mtu=values.integer(interface.mtu),
        address=_with_prefix(host.address(network), site.networks[network].cidr)
        if network in site.networks
        else None,
        parent=interface.parent,
        vlan=interface.vlan,
        bridge_ports=tuple(values.strings(host.get(f"{network}_bridge_ports"))),
        bond_slaves=tuple(values.strings(host.get(f"{network}_bond_slaves"))),
        ipoib_mode=values.text(variables.get("infiniband_ipoib_mode"))
        if interface.ipoib and INFINIBAND_GROUP in host.groups
        else None,
        sysfs_root=values.text(variables.get("infiniband_sysfs_root")) or "/sys",
    )


def _with_prefix(address: Any, cidr: Any) -> str | None:
    text, network = values.text(address), values.text(cidr)
    if text is None or network is None:
        return None
    try:
        prefix = ipaddress.ip_network(network, strict=False).prefixlen
    except ValueError:
        return None
    return f"{text}/{prefix}"


def _sriov(host: Host, variables: _WithDefaults) -> Sriov | None:
    if SRIOV_GROUP not in host.groups:
        return None
    function = values.text(variables.get("sriov_physical_function"))
    numvfs = values.integer(variables.get("sriov_numvfs"))
    if function is None or numvfs is None:
        return None
    return Sriov(function, numvfs, values.text(variables.get("sriov_sysfs_root")) or "/sys")


def containers_of(render_dir: Path, host: str) -> tuple[str, ...]:
    """The kolla container config directories the render gives `host` (one per container)."""
    root = layout.host_config(render_dir, host)
    if not root.is_dir():
        return ()
    return tuple(sorted(p.name for p in root.iterdir() if p.is_dir()))
