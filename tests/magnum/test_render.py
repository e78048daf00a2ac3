"""example-site's Magnum as real kayobe and kolla-ansible render it: the API and conductor on
the controllers only, the Cluster API driver configured from the mixin, the management
cluster's credentials on the conductor (redacted), the drivers not disabled."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ini

pytestmark = pytest.mark.slow

CONTROLLERS = {"ctl01", "ctl02", "ctl03"}


def test_magnum_runs_on_the_controllers(example_site_mixins: Path) -> None:
    for service in ("magnum-api", "magnum-conductor"):
        hosts = {p.parent.name for p in example_site_mixins.glob(f"config/*/{service}")}
        assert hosts == CONTROLLERS, service


def test_the_cluster_api_driver_is_configured(example_site_mixins: Path) -> None:
    conf = ini(example_site_mixins / "config" / "ctl01" / "magnum-conductor" / "magnum.conf")
    assert conf["capi_helm"]["app_cred_interface_type"] == "public"
    assert conf["capi_helm"]["helm_chart_repo"].startswith("https://")
    assert conf["capi_helm"]["default_helm_chart_version"] == "0.10.1"
    assert conf["trust"]["trustee_keystone_interface"] == "public"
    # The kubeconfig is there, so kolla-ansible leaves the Cluster API drivers enabled.
    assert not conf.has_section("drivers")


def test_the_management_clusters_credentials_reach_the_conductor_redacted(
    example_site_mixins: Path,
) -> None:
    conductor = example_site_mixins / "config" / "ctl01" / "magnum-conductor"
    # A vault-encrypted whole file: the render shows it as one redacted secret.
    assert (conductor / "kubeconfig").read_text().startswith("<redacted:")
    # kolla's start script puts it where the driver looks (the magnum user's ~/.kube/config).
    assert "/var/lib/magnum/.kube/config" in (conductor / "config.json").read_text()
