"""Which physical networks Neutron names, and which each host maps (shared by the physnet
rules)."""

from sitectl import values
from sitectl.site import Host, Site

AGENT_MAPPINGS = ("neutron_sriov_physnet_mappings", "neutron_mlnx_physnet_mappings")
VLAN_RANGES = "kolla_neutron_ml2_network_vlan_ranges"


def named(site: Site) -> dict[str, str]:
    """physnet -> the variable that names it: ML2 VLAN ranges, the agents' mappings on any
    host, and the physical_network of external networks."""
    found: dict[str, str] = {}
    for entry in values.dicts(site.setting(VLAN_RANGES)):
        physnet = values.text(entry.get("physical_network"))
        if physnet:
            found.setdefault(physnet, VLAN_RANGES)
    for host in site.hosts.values():
        for key in AGENT_MAPPINGS:
            for physnet in values.mapping(host.get(key)):
                if physnet.strip():
                    found.setdefault(physnet.strip(), key)
    for name in values.strings(site.setting("external_net_names")):
        network = site.networks.get(name)
        if network is not None and network.physical_network:
            found.setdefault(network.physical_network, network.key("physical_network"))
    return found


def agent_mapped(host: Host) -> dict[str, str]:
    """physnet -> mapping variable, of the SR-IOV and Mellanox agents' mappings of a host."""
    found: dict[str, str] = {}
    for key in AGENT_MAPPINGS:
        for physnet in values.mapping(host.get(key)):
            if physnet.strip():
                found.setdefault(physnet.strip(), key)
    return found


def mapped(site: Site, host: Host) -> set[str]:
    """The physnets a host maps: its agents' mappings, and the physical_network of each
    network it has an interface on (bridged provider networks)."""
    found = set(agent_mapped(host))
    for name in host.networks:
        network = site.networks.get(name)
        if network is not None and network.physical_network and host.interface(name):
            found.add(network.physical_network)
    return found
