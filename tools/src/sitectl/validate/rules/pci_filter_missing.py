"""pci-filter-missing: PCI devices are offered or asked for (Nova PCI aliases, or hypervisor
device_specs for Neutron SR-IOV/InfiniBand ports), but the scheduler's filters
(nova_scheduler_enabled_filters) lack PciPassthroughFilter.

Without it Nova places instances that need a device on hypervisors without one; they fail to
spawn there.

Example of bad input::

    # environments/site/sriov.yml
    sriov_nova_scheduler_filters: []     # the SR-IOV feature's PciPassthroughFilter dropped
"""

from collections.abc import Iterator

from sitectl import values
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "pci-filter-missing"
DESCRIPTION = "PCI aliases or device specs exist but PciPassthroughFilter is not enabled"
STAGE = SITE

FILTER = "PciPassthroughFilter"
KEY = "nova_scheduler_enabled_filters"


def check(site: Site) -> Iterator[Finding]:
    aliases = values.dicts(site.setting("nova_pci_aliases"))
    offering = sorted(
        host.name
        for host in site.hosts.values()
        if host.compute
        and any(
            values.is_set(s.get("physical_network"))
            for s in values.dicts(host.get("nova_pci_device_specs"))
        )
    )
    if not aliases and not offering:
        return
    filters = site.setting(KEY)
    if FILTER in values.strings(filters):
        return
    why = (
        f"{len(aliases)} PCI alias(es) are defined (nova_pci_aliases)"
        if aliases
        else f"hypervisors offer PCI devices to Neutron ports ({', '.join(offering)})"
    )
    state = "is not set" if not values.is_set(filters) else f"lacks {FILTER}"
    yield Finding(
        ID,
        site.environment,
        None,
        None,
        KEY,
        f"{why}, but {KEY} {state}",
        f"Add {FILTER} to {KEY} (the features add it through their *_nova_scheduler_filters).",
    )
