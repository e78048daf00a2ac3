"""The Site: an environment's resolved configuration (kayobe's own, from `sitectl.dump`) as
hosts, groups and networks, which the validate rules and the host checks read.

Built once per environment and never changed. It is tolerant: whatever the dump holds (a
broken configuration can resolve to anything), building a Site does not fail; values of the
wrong type read as "not set", and the rules that care report them.

Kayobe's model, which this follows: a network NAME has attributes NAME_cidr, NAME_gateway,
NAME_vip_address, NAME_vlan, NAME_mtu, NAME_allocation_pool_start/_end (and _inspection_,
_neutron_ pools), NAME_physical_network and NAME_ips ({host: address}); a host joins the
networks listed in its `network_interfaces`, on NAME_interface (a VLAN interface is named
PARENT.VID, or anything with NAME_parent and NAME_vlan; an IPoIB child is ib0.8001).
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sitectl import values

BAREMETAL_GROUP = "baremetal-compute"
COMPUTE_GROUP = "compute"
CONTROLLERS_GROUP = "controllers"
UNGROUPED = "ungrouped"  # Ansible's group of hosts the inventory puts in no group
CONTROL_HOST = "localhost"
# The groups of hosts kayobe deploys (the seed, its hypervisor, infra VMs, the overcloud and
# its kinds): a host in one of them is never the control host, whatever its connection.
DEPLOYED_GROUPS = frozenset(
    {"seed", "seed-hypervisor", "infra-vms", "overcloud", CONTROLLERS_GROUP, COMPUTE_GROUP}
    | {"network", "monitoring", "storage", BAREMETAL_GROUP}
)
POOLS = ("allocation_pool", "inspection_allocation_pool", "neutron_allocation_pool")
GATEWAYS = ("gateway", "neutron_gateway", "inspection_gateway")
_DOTTED = re.compile(r"^(?P<parent>.+)\.(?P<tag>[0-9]+)$")


@dataclass(frozen=True)
class Interface:
    """A host's interface on one network."""

    network: str
    device: str
    parent: str | None  # the link a VLAN or IPoIB child interface sits on
    vlan: int | None  # the VLAN ID (or IPoIB partition) on `parent`; None: untagged
    name_vlan: int | None  # the ID in the device name (PARENT.ID), if any
    declared_vlan: Any  # NAME_vlan as resolved (None: not set)
    mtu: Any  # NAME_mtu as resolved (None: not set)

    @property
    def link(self) -> str:
        """The device this interface's frames leave on (itself when untagged)."""
        return self.parent or self.device

    @property
    def ipoib(self) -> bool:
        return self.link.startswith("ib")


@dataclass(frozen=True)
class Host:
    name: str
    vars: Mapping[str, Any]
    groups: frozenset[str]
    networks: tuple[str, ...]  # network_interfaces: the networks its groups need

    def get(self, key: str, default: Any = None) -> Any:
        return self.vars.get(key, default)

    @property
    def managed(self) -> bool:
        """Whether kayobe logs into it to deploy it: every host but bare-metal nodes,
        ungrouped ones and the control host."""
        return bool(self.groups - {BAREMETAL_GROUP, UNGROUPED}) and not self.control

    @property
    def control(self) -> bool:
        """Whether it is the control host kayobe runs on (see is_control_host)."""
        return is_control_host(self.name, self.vars)

    @property
    def baremetal(self) -> bool:
        return BAREMETAL_GROUP in self.groups

    @property
    def compute(self) -> bool:
        return COMPUTE_GROUP in self.groups

    def address(self, network: str) -> Any:
        """Its allocated address on `network` (NAME_ips[host] as this host sees it), or None."""
        return values.mapping(self.get(f"{network}_ips")).get(self.name)

    def interface(self, network: str) -> Interface | None:
        """Its interface on `network`, or None when NAME_interface is not set."""
        device = values.text(self.get(f"{network}_interface"))
        if device is None:
            return None
        declared = self.get(f"{network}_vlan")
        parent = values.text(self.get(f"{network}_parent"))
        dotted = _DOTTED.match(device)
        name_vlan = int(dotted["tag"]) if dotted else None
        vlan: int | None
        if parent and values.integer(declared) is not None:
            vlan = values.integer(declared)
        elif dotted:
            parent, vlan = dotted["parent"], name_vlan
        else:
            parent, vlan = None, None
        return Interface(
            network=network,
            device=device,
            parent=parent,
            vlan=vlan,
            name_vlan=name_vlan,
            declared_vlan=declared,
            mtu=self.get(f"{network}_mtu"),
        )

    def interfaces(self) -> Iterator[Interface]:
        """Its interfaces on the networks it joins, in order."""
        for network in self.networks:
            interface = self.interface(network)
            if interface is not None:
                yield interface


def is_control_host(name: str, hostvars: Mapping[str, Any]) -> bool:
    """Whether a host of the inventory is the control host kayobe and kolla-ansible run on
    (`localhost ansible_connection=local`, as kayobe's own configurations have it) rather than
    one they deploy: localhost or reached locally, and in none of DEPLOYED_GROUPS. It has no
    address on the cloud's networks, no BMC and no interfaces of kayobe's making."""
    local = name == CONTROL_HOST or values.text(hostvars.get("ansible_connection")) == "local"
    return local and not DEPLOYED_GROUPS & set(values.strings(hostvars.get("group_names")))


@dataclass(frozen=True)
class Network:
    """A network's attributes, as the first host that joins it (else any host) resolves them."""

    name: str
    vars: Mapping[str, Any]

    def attr(self, attribute: str) -> Any:
        return self.vars.get(f"{self.name}_{attribute}")

    def key(self, attribute: str) -> str:
        return f"{self.name}_{attribute}"

    @property
    def cidr(self) -> Any:
        return self.attr("cidr")

    @property
    def network(self) -> values.IPNetwork | None:
        return values.network(self.cidr)

    @property
    def vip(self) -> Any:
        return self.attr("vip_address")

    @property
    def physical_network(self) -> str | None:
        return values.text(self.attr("physical_network"))

    def pool(self, pool: str) -> tuple[Any, Any]:
        """(start, end) of one of POOLS, as resolved."""
        return self.attr(f"{pool}_start"), self.attr(f"{pool}_end")

    def gateways(self) -> Iterator[tuple[str, Any]]:
        """(attribute, value) of each gateway that is set."""
        for attribute in GATEWAYS:
            value = self.attr(attribute)
            if values.is_set(value):
                yield attribute, value


@dataclass(frozen=True)
class Site:
    environment: str
    hosts: Mapping[str, Host]
    networks: Mapping[str, Network]
    settings: Mapping[str, Any] = field(default_factory=dict)  # site-wide variables

    def setting(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)

    def managed(self) -> list[Host]:
        return [host for host in self.hosts.values() if host.managed]

    def in_group(self, group: str) -> list[Host]:
        return [host for host in self.hosts.values() if group in host.groups]

    def addresses(self) -> Iterator[tuple[str, Host, Any]]:
        """(network, host, address as resolved) of every address allocated to a host."""
        for host in self.hosts.values():
            for name in self.networks:
                address = host.address(name)
                if values.is_set(address):
                    yield name, host, address


def build_site(environment: str, dumped: Any) -> Site:
    """The Site of a dump ({host: {variable: value}}), whatever the dump holds."""
    hosts: dict[str, Host] = {}
    for name, hostvars in sorted(values.mapping(dumped).items()):
        variables = values.mapping(hostvars)
        hosts[name] = Host(
            name=name,
            vars=variables,
            groups=frozenset(values.strings(variables.get("group_names"))),
            networks=tuple(dict.fromkeys(values.strings(variables.get("network_interfaces")))),
        )
    names = sorted(network_names(hosts.values()))
    networks = {name: Network(name, _network_vars(name, hosts)) for name in names}
    return Site(environment, hosts, networks, _site_vars(hosts))


def network_names(hosts: Any) -> set[str]:
    """Every network: those in use (used_network_names), and those having a NAME_cidr."""
    hosts = list(hosts)
    names = used_network_names(hosts)
    for host in hosts:
        for key, value in host.vars.items():
            if key.endswith("_cidr") and len(key) > len("_cidr") and values.is_set(value):
                names.add(key[: -len("_cidr")])
    return names


def used_network_names(hosts: Any) -> set[str]:
    """The networks kayobe reads the attributes of: named in a host's network_interfaces, by a
    *_net_name role variable or in external_net_names."""
    names: set[str] = set()
    for host in hosts:
        names.update(host.networks)
        for key, value in host.vars.items():
            if key.endswith("_net_name") and values.text(value):
                names.add(value.strip())
        external = host.get("external_net_names")  # one name instead of a list: var-wrong-type
        names.update([values.text(external)] if values.text(external) else values.strings(external))
    return names


def _network_vars(name: str, hosts: Mapping[str, Host]) -> Mapping[str, Any]:
    for host in hosts.values():
        if name in host.networks:
            return host.vars
    for host in hosts.values():
        if f"{name}_cidr" in host.vars:
            return host.vars
    return next(iter(hosts.values())).vars if hosts else {}


def _site_vars(hosts: Mapping[str, Host]) -> Mapping[str, Any]:
    """Site-wide variables, as a controller (else a managed host, else any host) sees them."""
    for wanted in (
        lambda host: CONTROLLERS_GROUP in host.groups,
        lambda host: host.managed,
        lambda host: True,
    ):
        for host in hosts.values():
            if wanted(host):
                return host.vars
    return {}
