"""blazar-host-not-compute: a host of the `reservable` group (the hypervisors projects reserve
through Blazar) is not a hypervisor: it is in no compute group.

Blazar reserves hypervisors that Nova knows: registering a host that runs no nova-compute
fails (`openstack reservation host create`), and a lease on it could never start an
instance. The host was usually meant to be in compute (or one of its child groups).

Example of bad input::

    # environments/site/inventory/hosts
    [reservable]
    ctl01          # a controller, not a hypervisor
"""

from collections.abc import Iterator

from sitectl import values
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "blazar-host-not-compute"
DESCRIPTION = "a host Blazar may reserve (group reservable) is not a hypervisor"
STAGE = SITE

GROUP = "reservable"


def check(site: Site) -> Iterator[Finding]:
    if not values.truthy(site.setting("kolla_enable_blazar")):
        return
    for host in site.in_group(GROUP):
        if host.compute:
            continue
        groups = ", ".join(sorted(host.groups - {GROUP})) or "no other group"
        yield Finding(
            ID,
            site.environment,
            host.name,
            None,
            GROUP,  # a group membership, not a variable: located on the host's inventory line
            f"{host.name} is in {GROUP}, so projects may reserve it through Blazar, but it is "
            f"not a hypervisor (its groups: {groups})",
            f"Put {host.name} in a compute group, or take it out of {GROUP}.",
        )
