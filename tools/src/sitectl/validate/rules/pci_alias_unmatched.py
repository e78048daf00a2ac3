"""pci-alias-unmatched: a Nova PCI alias (nova_pci_aliases) matches no device_spec of any
hypervisor (nova_pci_device_specs).

A flavor asking for the alias ("pci_passthrough:alias"="NAME:1") can never be scheduled:
no hypervisor offers such a device. An alias matches a device_spec when the vendor_id and
product_id are equal (a spec without product_id matches every product of its vendor; one
without vendor_id, e.g. by devname, matches any).

Example of bad input::

    # environments/site/sriov.yml
    sriov_nova_pci_aliases:
      - name: sriov-vf
        vendor_id: "8086"
        product_id: "154c"         # the hypervisors' specs offer 8086:1889
"""

from collections.abc import Iterator, Mapping
from typing import Any

from sitectl import values
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "pci-alias-unmatched"
DESCRIPTION = "a Nova PCI alias matches no device_spec of any compute host"
STAGE = SITE

KEY = "nova_pci_aliases"
WILDCARDS = frozenset({"", "*"})


def check(site: Site) -> Iterator[Finding]:
    aliases = site.setting(KEY)
    specs = [
        spec
        for host in site.hosts.values()
        if host.compute
        for spec in values.dicts(host.get("nova_pci_device_specs"))
    ]
    if not isinstance(aliases, list):
        return
    for number, alias in enumerate(aliases, start=1):
        if not isinstance(alias, dict):
            yield _finding(site, f"entry {number} of {KEY}, {values.show(alias)}, is not an alias")
            continue
        name = values.show(alias.get("name", f"#{number}"))
        vendor, product = pci_id(alias.get("vendor_id")), pci_id(alias.get("product_id"))
        if vendor in (None, "*") or product in (None, "*"):
            yield _finding(site, f"PCI alias {name} has no vendor_id and product_id to match")
        elif not any(matches(spec, vendor, product) for spec in specs):
            offered = sorted({_describe(spec) for spec in specs}) or ["none"]
            yield _finding(
                site,
                f"PCI alias {name} ({vendor}:{product}) matches no device_spec of a compute "
                f"host (offered: {', '.join(offered)})",
            )


def pci_id(value: Any) -> str | None:
    """A PCI vendor or product ID, normalised: lower-case hex without 0x; None when unset."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip().lower().removeprefix("0x")
    return value or None


def matches(spec: Mapping[str, Any], vendor: str, product: str) -> bool:
    spec_vendor, spec_product = pci_id(spec.get("vendor_id")), pci_id(spec.get("product_id"))
    return (spec_vendor in (None, "*") or spec_vendor == vendor) and (
        spec_product in (None, "*") or spec_product == product
    )


def _describe(spec: Mapping[str, Any]) -> str:
    return f"{pci_id(spec.get('vendor_id')) or '*'}:{pci_id(spec.get('product_id')) or '*'}"


def _finding(site: Site, message: str) -> Finding:
    return Finding(
        ID,
        site.environment,
        None,
        None,
        KEY,
        message,
        "Make the alias's vendor_id/product_id those of a device the hypervisors offer "
        "(nova_pci_device_specs, from the feature's *_nova_pci_device_specs in the compute "
        "groups' group_vars), or add a device_spec for it.",
    )
