"""ip-duplicate: one IP address allocated twice: to two hosts, to a host and a VIP or a
gateway, or as two networks' VIPs.

Both holders would answer ARP for it; whichever wins, the other is unreachable.

Example of bad input::

    # environments/site/network-allocation.yml
    internal_net_ips:
      ctl01: 10.3.0.21
      ctl02: 10.3.0.21          # ctl01's address
    # environments/site/networks.yml
    internal_net_vip_address: 10.3.0.21
"""

from collections import defaultdict
from collections.abc import Iterator

from sitectl import values
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "ip-duplicate"
DESCRIPTION = "an IP address is allocated to two hosts, or to a host and a VIP or gateway"
STAGE = SITE


def check(site: Site) -> Iterator[Finding]:
    # address -> [(host or None, key, description, is a gateway)]
    holders: dict[values.IPAddress, list[tuple[str | None, str, str, bool]]] = defaultdict(list)
    for name, host, address in site.addresses():
        parsed = values.ip(address)
        if parsed is not None:
            holders[parsed].append((host.name, f"{name}_ips", f"{host.name} on {name}", False))
    for net in site.networks.values():
        for attribute, value in [("vip_address", net.vip), *net.gateways()]:
            parsed = values.ip(value)
            if parsed is not None:
                what = "VIP" if attribute == "vip_address" else attribute.replace("_", " ")
                gateway = attribute != "vip_address"
                holders[parsed].append(
                    (None, net.key(attribute), f"the {what} of {net.name}", gateway)
                )
    for address, held in holders.items():
        if len(held) < 2 or all(h[3] for h in held):
            continue  # shared gateways come with overlapping CIDRs: net-cidr-overlap
        # Name the last host holding it: usually the one added last, whose entry is wrong.
        host, key, _, _ = next((h for h in reversed(held) if h[0] is not None), held[-1])
        yield Finding(
            ID,
            site.environment,
            host,
            None,
            key,
            f"{address} is allocated {len(held)} times: " + ", ".join(h[2] for h in held),
            f"Give each of them its own address (list free ones with: sitectl show "
            f"{site.environment} --var {key}).",
        )
