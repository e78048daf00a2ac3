"""host-no-address: a host kayobe manages has no address on a network it joins: no
`ansible_host` (no address on its admin network), or none in NAME_ips for another network with
a CIDR.

kayobe resolves `ansible_host` to null without complaint, then cannot reach the host; a host
without an address on a network it joins gets its interface up with no IP. Bare-metal nodes
(only in `baremetal-compute`) are never logged into and are not checked here.

Example of bad input::

    # environments/site/inventory/hosts
    [controllers]
    ctl01
    ctl02                       # not in network-allocation.yml
    # environments/site/network-allocation.yml
    provision_oc_net_ips:
      ctl01: 10.1.0.11
"""

from collections.abc import Iterator

from sitectl import values
from sitectl.site import Site
from sitectl.validate.files import layer_dir
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "host-no-address"
DESCRIPTION = "a managed host has no address on its admin network or another network it joins"
STAGE = SITE


def check(site: Site) -> Iterator[Finding]:
    for host in site.managed():
        admin = values.text(host.get("admin_oc_net_name"))
        reported: set[str] = set()
        if not values.is_set(host.get("ansible_host")):
            key = f"{admin}_ips" if admin else "admin_oc_net_name"
            yield Finding(
                ID,
                site.environment,
                host.name,
                None,
                key,
                f"{host.name} has no address on its admin network {admin or '(none set)'} "
                "(ansible_host is null): kayobe cannot reach it",
                _hint(site.environment, host.name, admin)
                if admin
                else "Set admin_oc_net_name to the network kayobe reaches the host on.",
            )
            if admin:
                reported.add(admin)
        for name in host.networks:
            network = site.networks.get(name)
            if name in reported or network is None or not values.is_set(network.cidr):
                continue
            if values.truthy(host.get(f"{name}_no_ip")) or values.is_set(host.address(name)):
                continue
            yield Finding(
                ID,
                site.environment,
                host.name,
                None,
                f"{name}_ips",
                f"{host.name} joins {name} ({network.cidr}) but has no address on it",
                _hint(site.environment, host.name, name),
            )


def _hint(environment: str, host: str, network: str) -> str:
    return (
        f"Add `{host}: <address>` under {network}_ips in {layer_dir(environment)}/"
        "network-allocation.yml (a free address inside the CIDR and outside the DHCP pools)."
    )
