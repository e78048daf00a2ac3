"""net-cidr-overlap: two networks' CIDRs overlap.

Hosts on both would have two routes to the same addresses, and kayobe's IP allocation can
hand out an address of one network on the other.

Example of bad input::

    # environments/site/networks.yml
    internal_net_cidr: 10.3.0.0/24
    storage_net_cidr: 10.3.0.128/25     # inside internal_net
"""

from collections.abc import Iterator
from itertools import combinations

from sitectl import values
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "net-cidr-overlap"
DESCRIPTION = "two networks' CIDRs overlap"
STAGE = SITE


def check(site: Site) -> Iterator[Finding]:
    parsed = [(n, n.network) for n in site.networks.values()]
    with_cidr = [(n, cidr) for n, cidr in parsed if cidr is not None]
    for (first, a), (second, b) in combinations(with_cidr, 2):
        if values.overlaps(a, b):
            yield Finding(
                ID,
                site.environment,
                None,
                None,
                second.key("cidr"),
                f"{second.name} ({b}) overlaps {first.name} ({a})",
                "Give each network its own address range; if both are meant to be one "
                "network, use one network name for both roles.",
            )
