"""host-missing-interface: a host kayobe manages joins a network (its groups put the network
in its `network_interfaces`) but has no NAME_interface for it.

kayobe fails on such a host only when it configures its network ("Network interface for
network ... not found"), long after the plan was merged.

Example of bad input::

    # etc/kayobe/networks.yml makes public_net a role of the network hosts (controllers)
    # environments/site/inventory/group_vars/controllers/network-interfaces
    internal_net_interface: bond0.103
    # public_net_interface missing
"""

from collections.abc import Iterator

from sitectl.site import Site
from sitectl.validate.files import layer_dir
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "host-missing-interface"
DESCRIPTION = "a host joins a network but has no NAME_interface for it"
STAGE = SITE


def check(site: Site) -> Iterator[Finding]:
    for host in site.managed():
        for name in host.networks:
            if host.interface(name) is None:
                groups = ", ".join(sorted(host.groups)) or "no group"
                yield Finding(
                    ID,
                    site.environment,
                    host.name,
                    None,
                    f"{name}_interface",
                    f"{host.name} joins {name} (its groups: {groups}) but {name}_interface "
                    "is not set",
                    f"Set {name}_interface (e.g. bond0.VLAN) in {layer_dir(site.environment)}"
                    "/inventory/group_vars/<group>/network-interfaces for "
                    f"a group of {host.name}, or in its host_vars.",
                )
