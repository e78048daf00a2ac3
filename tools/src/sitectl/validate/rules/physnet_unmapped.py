"""physnet-unmapped: Neutron names a physical network (an ML2 VLAN range, an agent's
physnet mapping, an external network's NAME_physical_network) that no hypervisor maps.

Instances on that physnet fail to schedule or their ports fail to bind ("binding_failed").
A hypervisor maps a physnet through the SR-IOV or Mellanox agent's mappings
(neutron_sriov_physnet_mappings, neutron_mlnx_physnet_mappings) or through a network with
NAME_physical_network on one of its interfaces (a bridged provider network). A physnet used
only by bare-metal nodes' ports would be reported too: none exists in this repository.

Example of bad input::

    # environments/site/neutron.yml
    kolla_neutron_ml2_network_vlan_ranges:
      - physical_network: physnet1
        range: "1000:1999"
      - physical_network: physnet2       # on no hypervisor
        range: "3000:3999"
"""

from collections.abc import Iterator

from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.rules import _physnets as physnets
from sitectl.validate.rules import var_wrong_type
from sitectl.validate.stages import SITE

ID = "physnet-unmapped"
DESCRIPTION = "a physnet Neutron names is mapped on no compute host"
STAGE = SITE

EXTERNAL = "external_net_names"


def check(site: Site) -> Iterator[Finding]:
    if var_wrong_type.wrong_type(EXTERNAL, site.setting(EXTERNAL)):
        return  # the hosts' networks are nonsense: var-wrong-type reports the cause
    compute = [host for host in site.hosts.values() if host.compute]
    on_compute: set[str] = set()
    for host in compute:
        on_compute |= physnets.mapped(site, host)
    for physnet, key in sorted(physnets.named(site).items()):
        if physnet not in on_compute:
            yield Finding(
                ID,
                site.environment,
                None,
                None,
                key,
                f"physical network {physnet} (named by {key}) is mapped on no compute host "
                f"({len(compute)} in the compute group)",
                "Map it on the hypervisors that serve it: a network with NAME_physical_network"
                f": {physnet} on one of their interfaces, or neutron_sriov_physnet_mappings / "
                "neutron_mlnx_physnet_mappings in their group_vars; or drop it from Neutron.",
            )
