"""net-vip-outside: a network's virtual IP (NAME_vip_address) is not a host address of its
CIDR.

keepalived would put the VIP on an interface with no route for it, and the API endpoints
behind it would be unreachable.

Example of bad input::

    # environments/site/networks.yml
    internal_net_cidr: 10.3.0.0/24
    internal_net_vip_address: 10.4.0.10
"""

from collections.abc import Iterator

from sitectl import values
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.rules.net_gateway_outside import outside
from sitectl.validate.stages import SITE

ID = "net-vip-outside"
DESCRIPTION = "a network's VIP lies outside its CIDR"
STAGE = SITE


def check(site: Site) -> Iterator[Finding]:
    for net in site.networks.values():
        cidr = net.network
        if cidr is None or not values.is_set(net.vip):
            continue
        problem = outside(net, cidr, values.ip(net.vip))
        if problem:
            yield Finding(
                ID,
                site.environment,
                None,
                None,
                net.key("vip_address"),
                f"{net.key('vip_address')} {net.vip} {problem}",
                f"Choose a free address inside {cidr}, outside the allocation pools.",
            )
