"""Every environment of the repository loads through real kayobe."""

from __future__ import annotations

import pytest

from .conftest import Resolved
from .sites import ALL_ENVIRONMENTS, MIXINS, SITE_ENVIRONMENTS


def test_every_directory_is_an_environment(environment_names: list[str]) -> None:
    assert sorted(environment_names) == sorted(ALL_ENVIRONMENTS)


@pytest.mark.parametrize("env", SITE_ENVIRONMENTS)
def test_site_environment_loads_with_hosts(resolved: Resolved, env: str) -> None:
    hosts = resolved(env)
    assert hosts, f"kayobe resolved no hosts for {env}"
    for name, hostvars in hosts.items():
        assert hostvars["inventory_hostname"] == name
        assert hostvars["kayobe_environment"] == env


@pytest.mark.parametrize("mixin", MIXINS)
def test_mixin_loads_under_a_minimal_site(mini_site: Resolved, mixin: str) -> None:
    hosts = mini_site(mixin)
    assert set(hosts) == {"ctl1", "cmp1"}
    assert hosts["cmp1"]["kayobe_environment"] == f"mini-{mixin}"
