"""net-pool-overlaps-static: an allocation pool holds an address that is statically used, or
two pools of one network overlap.

The inspection pool (DHCP for Ironic inspection) and the Neutron pool (DHCP for instances)
hand their addresses out dynamically: a host address, the VIP or the gateway inside them will
be given to something else. kayobe's own allocation pool must not hold the VIP or a gateway,
or kayobe will allocate it to a host. Pools of one network must not overlap each other.

Example of bad input::

    # environments/site/networks.yml
    provision_wl_net_inspection_allocation_pool_start: 10.2.0.50
    provision_wl_net_inspection_allocation_pool_end: 10.2.0.99
    # environments/site/network-allocation.yml
    provision_wl_net_ips:
      ctl01: 10.2.0.55          # inside the inspection pool
"""

from collections.abc import Iterator
from itertools import combinations

from sitectl import values
from sitectl.site import POOLS, Network, Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "net-pool-overlaps-static"
DESCRIPTION = "an allocation pool holds a static address (host, VIP, gateway) or another pool"
STAGE = SITE

DYNAMIC = ("inspection_allocation_pool", "neutron_allocation_pool")
Range = tuple[values.IPAddress, values.IPAddress]


def check(site: Site) -> Iterator[Finding]:
    for net in site.networks.values():
        pools = {pool: r for pool in POOLS if (r := _range(net, pool)) is not None}
        # (address, host or None, key, what it is)
        statics: list[tuple[values.IPAddress, str | None, str, str]] = []
        for host in site.hosts.values():
            address = values.ip(host.address(net.name))
            if address is not None:
                statics.append((address, host.name, net.key("ips"), f"{host.name}'s address"))
        for attribute, value in [("vip_address", net.vip), *net.gateways()]:
            address = values.ip(value)
            if address is not None:
                what = "the VIP" if attribute == "vip_address" else f"the {_words(attribute)}"
                statics.append((address, None, net.key(attribute), what))
        for pool, (low, high) in pools.items():
            for address, host, key, what in statics:
                if not _inside(address, low, high):
                    continue
                if pool not in DYNAMIC and host is not None:
                    continue  # kayobe allocates host addresses from its own pool
                yield Finding(
                    ID,
                    site.environment,
                    host,
                    None,
                    key,
                    f"{what} on {net.name}, {address}, is inside its {_words(pool)} {low}-{high}",
                    f"Move {address} out of {low}-{high}, or shrink the pool "
                    f"({net.key(pool + '_start')}/_end) so it excludes it.",
                )
        for (first, a), (second, b) in combinations(pools.items(), 2):
            if a[0].version == b[0].version and a[0] <= b[1] and b[0] <= a[1]:
                yield Finding(
                    ID,
                    site.environment,
                    None,
                    None,
                    net.key(second + "_start"),
                    f"{net.name}'s {_words(second)} {b[0]}-{b[1]} overlaps its "
                    f"{_words(first)} {a[0]}-{a[1]}",
                    "Give each pool of a network its own part of the CIDR.",
                )


def _range(net: Network, pool: str) -> Range | None:
    start, end = net.pool(pool)
    low, high = values.ip(start), values.ip(end)
    if low is None or high is None or low.version != high.version or low > high:
        return None  # net-invalid reports it
    return low, high


def _inside(address: values.IPAddress, low: values.IPAddress, high: values.IPAddress) -> bool:
    return address.version == low.version and low <= address <= high


def _words(attribute: str) -> str:
    return attribute.replace("_", " ")
