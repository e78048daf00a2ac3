"""vlan-conflict: on one host, two networks use the same VLAN ID on the same link (or are both
untagged on one interface), or an interface's name tags another VLAN than the network's
NAME_vlan.

Frames of both networks would be one broadcast domain on that link; kayobe writes two
configurations for one interface and the last one wins.

Example of bad input::

    # environments/site/inventory/group_vars/controllers/network-interfaces
    internal_net_interface: bond0.103
    public_net_interface: bond0.103       # public_net is VLAN 104
    # or, with internal_net_vlan: 103
    internal_net_interface: bond0.104
"""

from collections import defaultdict
from collections.abc import Iterator

from sitectl import values
from sitectl.site import Interface, Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "vlan-conflict"
DESCRIPTION = "two networks share a VLAN ID (or untagged) on one link, or a VLAN tag mismatch"
STAGE = SITE


def check(site: Site) -> Iterator[Finding]:
    for host in site.managed():
        interfaces = list(host.interfaces())
        on_link: dict[tuple[str, int | None], list[Interface]] = defaultdict(list)
        for interface in interfaces:
            on_link[(interface.link, interface.vlan)].append(interface)
            declared = values.integer(interface.declared_vlan)
            if (
                interface.name_vlan is not None
                and declared is not None
                and declared != interface.name_vlan
                and not interface.ipoib
            ):
                yield Finding(
                    ID,
                    site.environment,
                    host.name,
                    None,
                    f"{interface.network}_interface",
                    f"{host.name}'s {interface.network} interface {interface.device} tags VLAN "
                    f"{interface.name_vlan}, but {interface.network}_vlan is {declared}",
                    f"Name the interface PARENT.{declared}, or correct {interface.network}_vlan.",
                )
        for (link, vlan), sharing in on_link.items():
            networks = sorted({i.network for i in sharing})
            if len(networks) < 2:
                continue
            tag = f"VLAN {vlan} on {link}" if vlan is not None else f"{link} untagged"
            devices = ", ".join(sorted({i.device for i in sharing}))
            yield Finding(
                ID,
                site.environment,
                host.name,
                None,
                f"{networks[-1]}_interface",
                f"{host.name}: {' and '.join(networks)} {'both' if len(networks) == 2 else 'all'} "
                f"use {tag} ({devices})",
                "Give each network its own VLAN on a link (PARENT.VID interfaces with "
                "the network's NAME_vlan); if they are one network, use one network name.",
            )
