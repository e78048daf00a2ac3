"""The flavors the role made, read back from Nova with the openstack client."""

from __future__ import annotations

import json

from testinfra.host import Host

# What the role asks placement for: one node of the class, none of the virtual resources.
NO_VIRTUAL = {"resources:VCPU": "0", "resources:MEMORY_MB": "0", "resources:DISK_GB": "0"}


def _flavor(host: Host, name: str) -> dict:
    return json.loads(host.check_output(f"openstack flavor show -f json {name}"))


def test_a_flavor_asks_for_one_node_of_its_resource_class(host: Host) -> None:
    flavor = _flavor(host, "scenario.compute")
    assert flavor["properties"] == {"resources:CUSTOM_BAREMETAL_COMPUTE": "1", **NO_VIRTUAL}
    assert (flavor["ram"], flavor["vcpus"], flavor["disk"]) == (1, 1, 0)
    assert flavor["description"] == "Scenario flavor for whole compute nodes"
    assert flavor["os-flavor-access:is_public"] is True


def test_a_flavor_keeps_its_own_sizes_and_extra_specs(host: Host) -> None:
    flavor = _flavor(host, "scenario.gpu")
    assert flavor["properties"] == {
        "resources:CUSTOM_BAREMETAL_GPU": "1",
        "trait:CUSTOM_GPU_A100": "required",
        **NO_VIRTUAL,
    }
    assert (flavor["ram"], flavor["vcpus"], flavor["disk"]) == (524288, 64, 480)
