"""var-wrong-type: a variable kayobe reads as a list holds something else (a string, a
mapping, a number).

Jinja iterates a string character by character, so kayobe does not fail: `external_net_names:
physnet1_net` makes every host join the networks "p", "h", "y", ... and none of the real one;
what breaks shows up far away (a physnet mapped on no hypervisor, an interface missing).
The variables checked are the lists of networks and interfaces kayobe iterates.

Example of bad input::

    # environments/site/networks.yml
    external_net_names: physnet1_net            # a list is meant: [physnet1_net]
    physnet1_net_bridge_ports: eth1             # [eth1]
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sitectl import values
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "var-wrong-type"
DESCRIPTION = "a variable kayobe iterates as a list (networks, interfaces, filters) is not one"
STAGE = SITE

MARKERS = ("{{", "{%")


@dataclass(frozen=True)
class Expected:
    """Variables named `name` (or ending with `suffix`) must be lists of `items`."""

    items: str
    example: str
    name: str | None = None
    suffix: str | None = None

    def matches(self, key: str) -> bool:
        if self.name is not None:
            return key == self.name
        return self.suffix is not None and key.endswith(self.suffix) and key != self.suffix


EXPECTED = (
    Expected("network names", "[physnet1_net]", name="external_net_names"),
    Expected("network names", "[internal_net, storage_net]", suffix="_network_interfaces"),
    Expected("interface names", "[eth1]", suffix="_bridge_ports"),
    Expected("interface names", "[eth0, eth1]", suffix="_bond_slaves"),
    Expected(
        "mappings",
        "[{physical_network: physnet1, range: '1000:1999'}]",
        name="kolla_neutron_ml2_network_vlan_ranges",
    ),
    Expected(
        "filter names",
        "[ComputeFilter, PciPassthroughFilter]",
        name="nova_scheduler_enabled_filters",
    ),
)


def check(site: Site) -> Iterator[Finding]:
    wrong: dict[str, list[str]] = {}  # key -> the hosts where it is not a list
    having: dict[str, int] = {}
    for host in site.hosts.values():
        for key, value in host.vars.items():
            having[key] = having.get(key, 0) + 1
            if wrong_type(key, value):
                wrong.setdefault(key, []).append(host.name)
    for key, hosts in sorted(wrong.items()):
        value = site.hosts[hosts[0]].get(key)
        expected = next(e for e in EXPECTED if e.matches(key))
        yield Finding(
            ID,
            site.environment,
            None if len(hosts) == having[key] else hosts[0],  # site-wide, or per host
            None,
            key,
            f"{key} is {_kind(value)} ({values.show(value)}), but kayobe reads it as a list of "
            f"{expected.items}: a string is iterated character by character",
            f"Write it as a YAML list: `{key}: {expected.example}`.",
        )


def wrong_type(key: str, value: Any) -> bool:
    """Whether `value` of variable `key` should be a list and is not."""
    return (
        values.is_set(value)
        and not isinstance(value, list)
        and not _template(value)
        and any(e.matches(key) for e in EXPECTED)
    )


def _template(value: Any) -> bool:
    """An unrendered template: not a type error (jinja-syntax and undefined-variable cover it)."""
    return isinstance(value, str) and any(marker in value for marker in MARKERS)


def _kind(value: Any) -> str:
    return {str: "a string", dict: "a mapping", bool: "a boolean"}.get(
        type(value), f"a {type(value).__name__}"
    )
