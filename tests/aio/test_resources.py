"""ci/aio/resources.yml against the environment it is for (ci-aio, through real kayobe)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import pytest

from sitectl.aio import resources
from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO

if TYPE_CHECKING:
    from conftest import RunSitectl

VARIABLES = {  # what matters of one ci-aio host's resolved variables
    "aio_net_physical_network": "physnet1",
    "aio_net_cidr": "192.168.33.0/24",
    "aio_net_neutron_allocation_pool_start": "192.168.33.128",
    "aio_net_neutron_allocation_pool_end": "192.168.33.254",
}


@pytest.mark.slow
def test_the_committed_resources_fit_ci_aio(sitectl: RunSitectl) -> None:
    result = sitectl("--vault-password-file", EXAMPLE_PASSWORD_FILE, "aio", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ci/aio/resources.yml: fits ci-aio\n"


def test_what_does_not_fit_is_named() -> None:
    data = resources.load(REPO / resources.DEFAULT)
    assert resources.check(data, VARIABLES, "r.yml") == []
    broken = copy.deepcopy(data)
    public = broken["networks"][0]
    public["subnet"]["allocation_pool"] = "192.168.33.100-192.168.33.200"
    public["subnet"]["gateway"] = "10.9.9.1"
    assert resources.check(broken, VARIABLES, "r.yml") == [
        "r.yml: networks[0] (public): gateway 10.9.9.1 is outside 192.168.33.0/24",
        "r.yml: networks[0] (public): allocation_pool 192.168.33.100-192.168.33.200 is outside "
        "the range kayobe leaves to neutron on aio_net (192.168.33.128-192.168.33.254)",
    ]
    public["provider"]["physical_network"] = "physnet9"
    [problem] = resources.check(broken, VARIABLES, "r.yml")
    assert "physical_network physnet9 is not a physnet" in problem and "physnet1" in problem
    public["provider"]["physical_network"] = "physnet1"
    public["subnet"]["cidr"] = "192.168.34.0/24"
    [problem] = resources.check(broken, VARIABLES, "r.yml")
    assert "subnet cidr 192.168.34.0/24 is not the CIDR of aio_net" in problem
