"""physnet-mapped-off-compute: a host outside the compute group has an SR-IOV or Mellanox
agent physnet mapping (neutron_sriov_physnet_mappings, neutron_mlnx_physnet_mappings).

Those agents run on hypervisors only: the mapping is dead configuration there, and usually
means the host was meant to be in a compute group (compute-sriov, compute-infiniband).

Example of bad input::

    # environments/site/inventory/group_vars/controllers/sriov
    neutron_sriov_physnet_mappings:
      physnet-sriov: ens2f0
"""

from collections.abc import Iterator

from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.rules import _physnets as physnets
from sitectl.validate.stages import SITE

ID = "physnet-mapped-off-compute"
DESCRIPTION = "an SR-IOV/Mellanox physnet mapping is set on a host outside the compute group"
STAGE = SITE


def check(site: Site) -> Iterator[Finding]:
    for host in site.hosts.values():
        if host.compute or host.control:
            continue
        for physnet, key in sorted(physnets.agent_mapped(host).items()):
            groups = ", ".join(sorted(host.groups)) or "no group"
            yield Finding(
                ID,
                site.environment,
                host.name,
                None,
                key,
                f"{host.name} maps physical network {physnet} in {key}, but is not in the "
                f"compute group (its groups: {groups})",
                "Put the host in the hypervisor group of its feature (compute-sriov, "
                f"compute-infiniband), or set {key} only for those groups.",
            )
