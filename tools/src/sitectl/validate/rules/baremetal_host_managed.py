"""baremetal-host-managed: a host is both a bare-metal node that Ironic hands to tenants (group
baremetal-compute) and a host kayobe manages itself (the seed, the seed hypervisor, infra VMs,
the Ansible control host, or an overcloud host: controllers, network, monitoring, storage,
compute and their child groups such as ephemeral-hypervisors).

kayobe's bare-metal commands act on every host of baremetal-compute:
`kayobe baremetal compute register` enrols it with the cloud's Ironic, so Nova may hand it to
a tenant and wipe it; `baremetal compute manage|provide|inspect` moves its Ironic state and
power (compute-node-discovery powers it off through IPMI). A control-plane host or hypervisor
listed there is one command away from being reinstalled under the running cloud. An ephemeral
hypervisor is a separate host entry: the pool node it was deployed on stays in
baremetal-compute under its own name.

Example of bad input::

    # environments/site/inventory/hosts
    [controllers]
    ctl01
    [baremetal-compute]
    ctl01 redfish_address=10.0.1.11     # the controller, enrolled as a tenant node
    bm01 redfish_address=10.0.1.101
"""

from collections.abc import Iterator

from sitectl.site import BAREMETAL_GROUP, Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "baremetal-host-managed"
DESCRIPTION = "a bare-metal node (baremetal-compute) is also a host kayobe manages"
STAGE = SITE

# kayobe's groups whose hosts it installs and configures (overcloud: controllers, network,
# monitoring, storage, compute and their children).
MANAGED = ("seed", "seed-hypervisor", "infra-vms", "ansible-control", "overcloud")
# The groups named in a message, most specific first (group_names also holds the parents).
NAMED = ("controllers", "network", "monitoring", "storage", "compute", *MANAGED)


def check(site: Site) -> Iterator[Finding]:
    for host in site.in_group(BAREMETAL_GROUP):
        if not host.groups & set(MANAGED):
            continue
        group = next(group for group in NAMED if group in host.groups)
        yield Finding(
            ID,
            site.environment,
            host.name,
            None,
            BAREMETAL_GROUP,  # a group membership: located on its [baremetal-compute] line
            f"{host.name} is a bare-metal node for tenants ({BAREMETAL_GROUP}) and a host kayobe "
            f"manages ({group}): `kayobe baremetal compute register` would enrol it with "
            "Ironic, which could power it off and deploy a tenant's image onto it",
            f"Take {host.name} out of [{BAREMETAL_GROUP}] (a machine that moves between the "
            "bare-metal pool and the cloud's own hosts gets a separate inventory name for each "
            "role, as ephemeral hypervisors do).",
        )
