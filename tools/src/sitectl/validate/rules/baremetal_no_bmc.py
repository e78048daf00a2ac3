"""baremetal-no-bmc: a host that something manages through its BMC has no BMC address
(redfish_address, ipmi_address, or an *_address in ironic_driver_info).

Who reaches a host through its BMC, and so needs its address in the inventory:

- Ironic, for a bare-metal node of the cloud (group baremetal-compute): kayobe never logs
  into it, and `kayobe baremetal compute register` would enrol a node it can never power on;
- the seed's bifrost, for every overcloud host on the overcloud provisioning network when
  the site has a seed: `kayobe overcloud hardware inspect|provision|deprovision` power and
  PXE-boot it through its BMC;
- kayobe's BMC playbooks, for a host with a `bmc_type` (e.g. idrac: BIOS, RAID, boot order),
  which reach it at its ipmi_address;
- the monitoring mixin's Redfish exporter, which watches the hardware of every cloud host
  (monitoring_redfish_targets lists those with an address; the others go unwatched).

An ephemeral hypervisor is deployed by the cloud's Ironic on a node of the bare-metal pool
(Nova picks it from the flavor's resource class): that node's BMC is the one Ironic and the
monitoring use, under the node's own name in baremetal-compute. What it needs is that the
pool has such a node with a BMC address.

Example of bad input::

    # environments/site/inventory/hosts
    [seed]
    seed01
    [controllers]
    ctl01 ipmi_address=10.0.0.11
    ctl02                                # bifrost cannot power it on
    [baremetal-compute]
    bm01 redfish_address=10.0.1.101
    bm02                                 # Ironic cannot power it on
"""

from collections.abc import Iterator
from dataclasses import dataclass

from sitectl import values
from sitectl.site import Host, Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "baremetal-no-bmc"
DESCRIPTION = "a host managed through its BMC (Ironic, bifrost, BMC playbooks, Redfish) has none"
STAGE = SITE

ADDRESSES = ("redfish_address", "ipmi_address", "bmc_address")
EPHEMERAL_GROUP = "ephemeral-hypervisors"


@dataclass(frozen=True)
class Need:
    """Why a host needs a BMC address, and which variable to set."""

    key: str
    why: str
    any_address: bool = True  # False: only `key` will do


def check(site: Site) -> Iterator[Finding]:
    for host in site.hosts.values():
        need = needs(site, host)
        if need is None or has_bmc(host, need):
            continue
        yield Finding(
            ID,
            site.environment,
            host.name,
            None,
            need.key,
            f"{host.name} has no BMC address ({need.key}), but {need.why}",
            f"Give it one on its inventory line: `{host.name} {need.key}=ADDRESS`"
            + (
                " (ipmi_address for IPMI BMCs, redfish_address for Redfish)."
                if need.any_address
                else "."
            ),
        )
    yield from _ephemeral_pool(site)


def needs(site: Site, host: Host) -> Need | None:
    """Why `host` needs a BMC address (the first reason), or None when nothing uses its BMC
    (the control host's, whatever its variables say: nothing deploys it)."""
    if host.control:
        return None
    if host.baremetal:
        return Need(
            "redfish_address",
            "it is a bare-metal node (baremetal-compute): Ironic powers and boots it only "
            "through its BMC",
        )
    bmc_type = values.text(host.get("bmc_type"))
    if bmc_type:
        return Need(
            "ipmi_address",
            f"its bmc_type is {bmc_type}: kayobe's BIOS, RAID and boot-order playbooks reach "
            "that BMC at ipmi_address",
            any_address=False,
        )
    overcloud = "overcloud" in host.groups
    provision = values.text(host.get("provision_oc_net_name"))
    if overcloud and site.in_group("seed") and provision in host.networks:
        return Need(
            "ipmi_address",
            "the seed's bifrost provisions it (kayobe overcloud hardware inspect, provision, "
            "deprovision power and PXE-boot it through its BMC)",
        )
    if overcloud and EPHEMERAL_GROUP not in host.groups and _watches_bmcs(site):
        return Need(
            "ipmi_address",
            "the monitoring mixin watches every cloud host's hardware through its BMC "
            "(monitoring_redfish_targets): this host's would go unwatched",
        )
    return None


def has_bmc(host: Host, need: Need) -> bool:
    if not need.any_address:
        return values.text(host.get(need.key)) is not None
    return any_bmc(host)


def any_bmc(host: Host) -> bool:
    """Whether the host has a BMC address of any kind."""
    given = [host.get(key) for key in ADDRESSES]
    info = values.mapping(host.get("ironic_driver_info"))
    given += [value for key, value in info.items() if key.endswith("_address")]
    return any(values.text(value) for value in given)


def _watches_bmcs(site: Site) -> bool:
    """Whether Prometheus scrapes the BMCs (the monitoring mixin's Redfish job)."""
    return "monitoring_redfish_targets" in site.settings and values.truthy(
        site.setting("kolla_enable_prometheus")
    )


def _ephemeral_pool(site: Site) -> Iterator[Finding]:
    """Ephemeral hypervisors with no bare-metal node (with a BMC) to be deployed on."""
    hypervisors = site.in_group(EPHEMERAL_GROUP)
    if not hypervisors:
        return
    flavor = values.text(site.setting("ephemeral_hypervisor_flavor"))
    wanted = next(
        (
            values.text(entry.get("resource_class"))
            for entry in values.dicts(site.setting("ironic_flavors"))
            if flavor and values.text(entry.get("name")) == flavor
        ),
        None,
    )
    pool = [
        host
        for host in site.hosts.values()
        if host.baremetal
        and any_bmc(host)
        and (wanted is None or values.text(host.get("ironic_resource_class")) == wanted)
    ]
    if pool:
        return
    kind = f"of resource class {wanted} (flavor {flavor}) " if wanted else ""
    for host in hypervisors:
        yield Finding(
            ID,
            site.environment,
            host.name,
            None,
            EPHEMERAL_GROUP,  # located on the host's [ephemeral-hypervisors] line
            f"{host.name} is an ephemeral hypervisor, deployed by the cloud's Ironic on a "
            f"bare-metal node {kind}through that node's BMC, but no such node with a BMC "
            "address is in baremetal-compute",
            "List the pool's nodes under [baremetal-compute] with their redfish_address (and "
            "ironic_resource_class), or take the host out of [ephemeral-hypervisors].",
        )
