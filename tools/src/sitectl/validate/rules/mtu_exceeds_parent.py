"""mtu-exceeds-parent: the MTU of a VLAN or IPoIB child interface is larger than the MTU of
the interface it sits on.

The kernel refuses it (or drops the larger frames): the VLAN network comes up with the
parent's MTU, or not at all. The parent's MTU is that of the network configured on the parent
interface of the same host; a parent no network configures is not checked.

Example of bad input::

    # environments/site/networks.yml
    provision_oc_net_mtu: 1500          # on bond0
    storage_net_mtu: 9000               # on bond0.106
"""

from collections.abc import Iterator

from sitectl import values
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "mtu-exceeds-parent"
DESCRIPTION = "a VLAN or IPoIB child interface has a larger MTU than its parent"
STAGE = SITE


def check(site: Site) -> Iterator[Finding]:
    for host in site.managed():
        interfaces = list(host.interfaces())
        parents: dict[str, tuple[int, str]] = {}  # device -> (MTU, network)
        for interface in interfaces:
            mtu = values.integer(interface.mtu)
            if interface.parent is None and mtu is not None:
                known = parents.get(interface.device)
                if known is None or mtu > known[0]:
                    parents[interface.device] = (mtu, interface.network)
        for interface in interfaces:
            mtu = values.integer(interface.mtu)
            if interface.parent is None or mtu is None or interface.parent not in parents:
                continue
            parent_mtu, parent_network = parents[interface.parent]
            if mtu > parent_mtu:
                kind = "IPoIB child" if interface.ipoib else "VLAN"
                yield Finding(
                    ID,
                    site.environment,
                    host.name,
                    None,
                    f"{interface.network}_mtu",
                    f"{host.name}: {interface.network}'s MTU {mtu} on {kind} interface "
                    f"{interface.device} exceeds the MTU {parent_mtu} of its parent "
                    f"{interface.parent} ({parent_network}_mtu)",
                    f"Raise {parent_network}_mtu to at least {mtu} (the parent carries every "
                    f"VLAN on it), or lower {interface.network}_mtu.",
                )
