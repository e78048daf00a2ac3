"""net-gateway-outside: a network's gateway is not a host address of its CIDR.

Hosts could not reach such a gateway: the default route (or Neutron's or inspection's) would
point nowhere.

Example of bad input::

    # environments/site/networks.yml
    public_net_cidr: 203.0.113.0/26
    public_net_gateway: 203.0.113.65      # in the next /26
"""

from collections.abc import Iterator

from sitectl import values
from sitectl.site import Network, Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "net-gateway-outside"
DESCRIPTION = "a network's gateway lies outside its CIDR"
STAGE = SITE


def check(site: Site) -> Iterator[Finding]:
    for net in site.networks.values():
        cidr = net.network
        if cidr is None:
            continue
        for attribute, value in net.gateways():
            problem = outside(net, cidr, values.ip(value))
            if problem:
                yield Finding(
                    ID,
                    site.environment,
                    None,
                    None,
                    net.key(attribute),
                    f"{net.key(attribute)} {value} {problem}",
                    f"Use the router's address inside {cidr}.",
                )


def outside(net: Network, cidr: values.IPNetwork, address: values.IPAddress | None) -> str:
    """Why `address` cannot be a host of `cidr` ("" when it can, or is not an address)."""
    if address is None:
        return ""
    if not values.contains(cidr, address):
        return f"is outside {net.name}'s CIDR {cidr}"
    if cidr.version == 4 and cidr.prefixlen < 31:
        if address == cidr.network_address:
            return f"is the network address of {net.name}'s CIDR {cidr}"
        if address == cidr.broadcast_address:
            return f"is the broadcast address of {net.name}'s CIDR {cidr}"
    return ""
