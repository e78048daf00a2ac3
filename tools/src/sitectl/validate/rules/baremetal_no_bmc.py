"""baremetal-no-bmc: a bare-metal node (group baremetal-compute) has no BMC address:
no redfish_address or ipmi_address, and no *_address in ironic_driver_info.

kayobe never logs into these nodes (they have no ansible_host); Ironic reaches them only
through their BMC, and `kayobe baremetal compute register` would enrol a node it can never
power on.

Example of bad input::

    # environments/site/inventory/hosts
    [baremetal-compute]
    bm01 redfish_address=10.0.1.101
    bm02                                 # no BMC address
"""

from collections.abc import Iterator

from sitectl import values
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "baremetal-no-bmc"
DESCRIPTION = "a bare-metal node has no BMC address (redfish_address/ipmi_address)"
STAGE = SITE

ADDRESSES = ("redfish_address", "ipmi_address", "bmc_address")


def check(site: Site) -> Iterator[Finding]:
    for host in site.hosts.values():
        if not host.baremetal:
            continue
        given = [host.get(key) for key in ADDRESSES]
        info = values.mapping(host.get("ironic_driver_info"))
        given += [value for key, value in info.items() if key.endswith("_address")]
        if any(values.text(value) for value in given):
            continue
        yield Finding(
            ID,
            site.environment,
            host.name,
            None,
            "redfish_address",
            f"bare-metal node {host.name} has no BMC address (redfish_address, ipmi_address "
            "or ironic_driver_info)",
            f"Give it one in the inventory: `{host.name} redfish_address=ADDRESS` under "
            "[baremetal-compute] (or ipmi_address for IPMI nodes).",
        )
