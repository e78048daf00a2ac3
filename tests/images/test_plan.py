"""The image build planner on real example changes, against kolla's real image tree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sitectl.errors import SiteError
from sitectl.images import plan as planner
from sitectl.images.kolla import BuildConfig, Render
from sitectl.images.plan import Plan
from tests.helpers import EXAMPLE_PASSWORD_FILE as PASSWORD
from tests.images.conftest import NO_IB, SITE

PlanOf = Callable[..., Plan]
SiteRender = Callable[[str], tuple[BuildConfig, Render]]

pytestmark = pytest.mark.slow


def test_neutron_server_override_rebuilds_neutron_server_only(plan_of: PlanOf) -> None:
    plan = plan_of("neutron-server-override")
    # neutron-server has no descendants in kolla's tree.
    assert plan.names == ["neutron-server"]
    (why,) = plan.images[0].why()
    assert why.startswith("neutron-server (kolla-images/templates/neutron-server.j2 changed")
    assert "block neutron_server_footer" in why


def test_neutron_base_override_rebuilds_it_and_its_descendants(
    plan_of: PlanOf, site_render: SiteRender
) -> None:
    plan = plan_of("neutron-base-override")
    _, render = site_render("example-site")
    expected = {"neutron-base"} | set(render.descendants("neutron-base"))
    expected &= set(render.site_images)
    assert set(plan.names) == expected
    assert {"neutron-server", "neutron-mlnx-agent", "neutron-openvswitch-agent"} <= expected
    assert plan.names[0] == "neutron-base"  # parents first
    server = next(i for i in plan.images if i.name == "neutron-server")
    assert server.why() == [
        "neutron-server <- neutron-base (kolla-images/templates/neutron-base.j2 changed: "
        "template override block neutron_base_footer)"
    ]
    # Images outside neutron-base's subtree stay out.
    assert "nova-compute" not in plan.names and "base" not in plan.names


def test_docs_change_builds_nothing(plan_of: PlanOf) -> None:
    plan = plan_of("docs")
    assert plan.changed_files == ["README.md"]
    assert plan.inputs == []
    assert plan.images == []
    assert "Nothing to build" in plan.text()


def test_base_image_tag_rebuilds_everything_the_site_builds(
    plan_of: PlanOf, site_render: SiteRender
) -> None:
    plan = plan_of("base-tag")
    _, render = site_render("example-site")
    assert set(plan.names) == set(render.site_images)
    assert plan.names[0] == "base"
    why = " ".join(next(i for i in plan.images if i.name == "base").why())
    assert "etc/kayobe/kolla-images.yml changed" in why
    assert "[DEFAULT] base_tag: 10 -> 10.1" in why
    server = next(i for i in plan.images if i.name == "neutron-server")
    assert any(
        line.startswith("neutron-server <- neutron-base <- openstack-base <- base (")
        for line in server.why()
    )


def test_a_new_package_snapshot_rebuilds_the_images_that_install_from_it(
    plan_of: PlanOf, site_render: SiteRender
) -> None:
    """A Pulp pin bump of Rocky's CRB (pulp-repo-versions.yml): the images whose Dockerfiles
    add that repository, and their descendants; not base, which never adds CRB."""
    plan = plan_of("snapshot-bump")
    _, render = site_render(SITE)
    users = {n for n, i in render.images.items() if "/rocky-10-crb-20261201T0200/" in i.dockerfile}
    assert users and "base" not in users
    expected = set(users)
    for name in users:
        expected |= set(render.descendants(name))
    assert set(plan.names) == expected & set(render.site_images)
    assert "base" not in plan.names and "neutron-server" in plan.names
    for image in plan.images:
        why = " ".join(image.why())
        assert "kolla-build repositories rpm/crb" in why
        assert "etc/kayobe/pulp-repo-versions.yml" in why
    assert plan.ipa == []


def test_pins_written_by_the_pipeline_rebuild_nothing(plan_of: PlanOf) -> None:
    """The update-pins job's commit changes no kolla-build input: no build loop."""
    plan = plan_of("pin-update")
    assert plan.inputs == ["etc/kayobe/kolla-image-tags.yml"]
    assert plan.images == []


def test_an_ipa_package_rebuilds_the_ipa_image_and_no_container(plan_of: PlanOf) -> None:
    plan = plan_of("ipa-packages")
    assert plan.images == []
    [reason] = plan.ipa
    assert "ipa_images_packages" in reason.what
    assert reason.files == ("etc/kayobe/ipa.yml",)
    assert not plan.empty
    assert "The IPA image to build:" in plan.text()
    assert plan.to_json()["ipa"] == [reason.text()]


def test_container_image_changes_leave_the_ipa_image_alone(plan_of: PlanOf) -> None:
    assert plan_of("neutron-server-override").ipa == []
    assert plan_of("base-tag").ipa == []


def test_requested_images_are_built_whatever_changed(
    scratch_repo: Path, site_render: SiteRender
) -> None:
    plan = planner.plan(scratch_repo, SITE, "main", "docs", PASSWORD, requested="^nova-compute$")
    _, render = site_render(SITE)
    expected = {"nova-compute"} | set(render.descendants("nova-compute"))
    assert set(plan.names) == expected & set(render.site_images)
    assert plan.names[0] == "nova-compute"
    assert plan.images[0].why() == ["nova-compute (requested (^nova-compute$))"]
    assert plan.ipa == []  # nothing changed: the IPA image is not rebuilt
    assert "Requested: images matching '^nova-compute$'." in plan.text()


@pytest.mark.parametrize(
    ("regex", "message"),
    [("nova-(", "not a valid regular expression"), ("^no-such-image$", "match none of the")],
)
def test_a_bad_request_is_one_clear_error(scratch_repo: Path, regex: str, message: str) -> None:
    with pytest.raises(SiteError, match=message):
        planner.plan(scratch_repo, SITE, "main", "docs", PASSWORD, requested=regex)


def test_enabling_a_service_builds_its_images(plan_of: PlanOf) -> None:
    """Nothing of magnum's images changed, but the site never built them: they are planned,
    and only they (their common parents were built already)."""
    plan = plan_of("enable-magnum", NO_IB)
    assert {"magnum-api", "magnum-conductor", "magnum-base"} <= set(plan.names)
    assert [name for name in plan.names if not name.startswith("magnum-")] == []
    [api] = [image for image in plan.images if image.name == "magnum-api"]
    assert any("now deploys it" in line for line in api.why())


def test_a_new_cluster_driver_rebuilds_magnums_images_only(plan_of: PlanOf) -> None:
    """The README's worked example of a one-service upgrade: a new magnum-capi-helm release
    (environments/magnum/magnum.yml) rebuilds magnum-base and its two images, nothing else."""
    plan = plan_of("magnum-driver-bump")
    assert set(plan.names) == {"magnum-base", "magnum-api", "magnum-conductor"}
    assert plan.names[0] == "magnum-base"
    [base] = [image for image in plan.images if image.name == "magnum-base"]
    assert base.why() == [
        "magnum-base (environments/magnum/magnum.yml changed: kolla_build_blocks / "
        "kolla_build_customizations)"
    ]


def test_the_render_cache_key_covers_the_site_regexes() -> None:
    config = BuildConfig("conf", "", (), None, ("^keystone",))
    other = BuildConfig("conf", "", (), None, ("^keystone", "^magnum"))
    assert config.key() != other.key()
    assert config.key() == BuildConfig("conf", "", (), None, ("^keystone",)).key()
