"""ip-outside-cidr: a host's allocated address (NAME_ips) is not an IP address, or not one of
its network's CIDR.

kayobe would configure the address with the network's netmask on the host: the host would
not reach its neighbours on that network.

Example of bad input::

    # environments/site/network-allocation.yml
    internal_net_ips:
      ctl01: 10.3.0.21
      ctl02: 10.4.0.22        # internal_net is 10.3.0.0/24
"""

from collections.abc import Iterator

from sitectl import values
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "ip-outside-cidr"
DESCRIPTION = "a host's address is not an IP of its network's CIDR"
STAGE = SITE


def check(site: Site) -> Iterator[Finding]:
    for name, host, address in site.addresses():
        key = f"{name}_ips"
        parsed = values.ip(address)
        cidr = site.networks[name].network
        if parsed is None:
            message = f"{host.name}'s address on {name}, {values.show(address)}, is not an IP"
        elif cidr is not None and not values.contains(cidr, parsed):
            message = f"{host.name}'s address on {name}, {parsed}, is outside {cidr}"
        else:
            continue
        hint = f"Give {host.name} a free address inside {cidr or name + '_cidr'} in {key}."
        yield Finding(ID, site.environment, host.name, None, key, message, hint)
