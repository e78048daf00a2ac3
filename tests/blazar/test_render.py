"""example-site's Blazar as real kayobe and kolla-ansible render it: the API and manager on
the controllers only, its free pool the site's, and nothing of it elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ini

pytestmark = pytest.mark.slow

CONTROLLERS = {"ctl01", "ctl02", "ctl03"}


def test_blazar_runs_on_the_controllers(example_site_mixins: Path) -> None:
    for service in ("blazar-api", "blazar-manager"):
        hosts = {p.parent.name for p in example_site_mixins.glob(f"config/*/{service}")}
        assert hosts == CONTROLLERS, service


def test_blazar_reserves_from_the_sites_free_pool(example_site_mixins: Path) -> None:
    conf = ini(example_site_mixins / "config" / "ctl01" / "blazar-manager" / "blazar.conf")
    assert conf["nova"]["aggregate_freepool_name"] == "freepool"
    assert set(conf["manager"]["plugins"].split(",")) == {
        "physical.host.plugin",
        "virtual.instance.plugin",
    }
    assert conf["keystone_authtoken"]["password"].startswith("<redacted:")  # never in clear
