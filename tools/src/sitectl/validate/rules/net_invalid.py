"""net-invalid: a network attribute that is not what kayobe expects: a CIDR that is not one
(or has host bits set), a VIP or gateway that is not an IP address, a VLAN ID outside
1-4094, an MTU outside 68-65535, an allocation pool with one end missing, reversed or outside
the CIDR, or NAME_ips that is not a mapping of host to address.

kayobe takes these as strings and fails late (or silently configures nonsense) on the hosts.

Example of bad input::

    # environments/site/networks.yml
    internal_net_cidr: 10.3.0.1/24               # host bits set: 10.3.0.0/24 is meant
    internal_net_vlan: 5000                      # VLAN IDs end at 4094
    internal_net_allocation_pool_start: 10.3.0.99
    internal_net_allocation_pool_end: 10.3.0.20  # reversed
"""

import ipaddress
from collections.abc import Iterator

from sitectl import values
from sitectl.site import POOLS, Network, Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "net-invalid"
DESCRIPTION = "a network's CIDR, VIP, gateway, VLAN, MTU, pool or IP map is malformed"
STAGE = SITE

VLAN_RANGE = (1, 4094)
MTU_RANGE = (68, 65535)


def check(site: Site) -> Iterator[Finding]:
    for network in site.networks.values():
        for key, message, hint in _problems(network):
            yield Finding(ID, site.environment, None, None, key, message, hint)


def _problems(net: Network) -> Iterator[tuple[str, str, str]]:
    name = net.name
    cidr = net.cidr
    parsed = net.network
    if values.is_set(cidr):
        if parsed is None:
            yield (
                net.key("cidr"),
                f"{name}'s CIDR {values.show(cidr)} is not a CIDR",
                "Write it as ADDRESS/PREFIX, e.g. 10.3.0.0/24.",
            )
        elif ipaddress.ip_interface(str(cidr).strip()).ip != parsed.network_address:
            yield (
                net.key("cidr"),
                f"{name}'s CIDR {cidr} has host bits set (the network is {parsed})",
                f"Write {parsed}.",
            )
    for attribute in ("vip_address", "gateway", "neutron_gateway", "inspection_gateway"):
        value = net.attr(attribute)
        if values.is_set(value) and values.ip(value) is None:
            yield (
                net.key(attribute),
                f"{net.key(attribute)} {values.show(value)} is not an IP address",
                "Give a single address, e.g. 10.3.0.1.",
            )
    for attribute, (low, high) in (("vlan", VLAN_RANGE), ("mtu", MTU_RANGE)):
        value = net.attr(attribute)
        number = values.integer(value)
        if values.is_set(value) and (number is None or not low <= number <= high):
            yield (
                net.key(attribute),
                f"{net.key(attribute)} {values.show(value)} is not a number from {low} to {high}",
                f"Give the {attribute.upper()} as a number from {low} to {high}.",
            )
    for pool in POOLS:
        yield from _pool_problems(net, pool, parsed)
    ips = net.attr("ips")
    if values.is_set(ips) and not isinstance(ips, dict):
        yield (
            net.key("ips"),
            f"{net.key('ips')} is a {type(ips).__name__}, not a mapping of host to address",
            f"Write it as `{net.key('ips')}:` followed by `  host: address` lines.",
        )


def _pool_problems(
    net: Network, pool: str, parsed: values.IPNetwork | None
) -> Iterator[tuple[str, str, str]]:
    start, end = net.pool(pool)
    start_key, end_key = net.key(f"{pool}_start"), net.key(f"{pool}_end")
    if not values.is_set(start) and not values.is_set(end):
        return
    if not values.is_set(start) or not values.is_set(end):
        missing = start_key if not values.is_set(start) else end_key
        yield (missing, f"{missing} is not set but its other end is", f"Set {missing} too.")
        return
    low, high = values.ip(start), values.ip(end)
    for key, value, address in ((start_key, start, low), (end_key, end, high)):
        if address is None:
            yield key, f"{key} {values.show(value)} is not an IP address", "Give an address."
        elif parsed is not None and not values.contains(parsed, address):
            yield (
                key,
                f"{key} {value} is outside {net.name}'s CIDR {parsed}",
                f"Choose a pool inside {parsed}.",
            )
    if low is not None and high is not None and low.version == high.version and low > high:
        yield (
            start_key,
            f"{net.name}'s {pool.replace('_', ' ')} starts at {low}, after its end {high}",
            "Swap the start and end.",
        )
