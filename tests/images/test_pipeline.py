"""The generated child pipelines are valid GitLab CI and build exactly the planned images."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from sitectl.images import pins
from sitectl.images.pipeline import generate, merge
from sitectl.images.plan import Plan
from tests.helpers import REPO
from tests.schema import check_schema

BIN = Path(sys.executable).parent
PlanOf = Callable[..., Plan]


def test_templates_are_valid_gitlab_ci() -> None:
    for name in ("build.yml", "nothing.yml"):
        check_schema(REPO / "ci" / "images" / name)


@pytest.mark.slow
def test_nothing_to_build_is_one_noop_job(plan_of: PlanOf, tmp_path: Path) -> None:
    path = tmp_path / "child.yml"
    path.write_text(generate(REPO, plan_of("docs")))
    check_schema(path)
    jobs = {k: v for k, v in yaml.safe_load(path.read_text()).items() if isinstance(v, dict)}
    assert list(jobs) == ["nothing-to-build"]
    assert "nothing needs building" in " ".join(jobs["nothing-to-build"]["script"])


@pytest.mark.slow
def test_build_pipeline_names_exactly_the_planned_images(plan_of: PlanOf, tmp_path: Path) -> None:
    plan = plan_of("neutron-base-override")
    path = tmp_path / "child.yml"
    text = generate(REPO, plan, "registry.example:4000/openstack.kolla/", "2026.2-rocky-10")
    path.write_text(text)
    check_schema(path)
    pipeline = yaml.safe_load(text)
    variables = pipeline["variables"]
    assert variables["KOLLA_IMAGES"].split() == plan.names
    assert variables["KOLLA_IMAGE_REGEXES"].split() == [f"^{n}$" for n in plan.names]
    assert variables["KAYOBE_ENVIRONMENT"] == "example-site"
    assert variables["KOLLA_TAG_PREFIX"] == "2026.2-rocky-10"
    assert pipeline["stages"] == ["build", "scan", "push", "pins"]
    assert {"build-images", "scan-images", "push-images", "update-pins"} <= set(pipeline)
    # The why, in the file itself.
    assert "# Images, and why each is built:" in text
    assert "neutron-server <- neutron-base (kolla-images/templates/neutron-base.j2" in text


@pytest.mark.slow
def test_the_verb_writes_the_pipeline(sitectl: Callable, scratch_repo: Path) -> None:
    child = scratch_repo / "reports" / "images" / "child.yml"
    result = sitectl(
        "--repo",
        scratch_repo,
        "images",
        "plan",
        "example-site",
        "--base",
        "main",
        "--head",
        "docs",
        "--pipeline",
        child,
    )
    assert result.returncode == 0, result.stderr
    assert "Nothing to build" in result.stdout
    check_schema(child)


def test_pins_are_generated_and_marked(tmp_path: Path) -> None:
    (tmp_path / pins.PIN_FILE).parent.mkdir(parents=True)
    (tmp_path / pins.PIN_FILE).write_text((REPO / pins.PIN_FILE).read_text())
    text = pins.update(tmp_path, "2026.2-rocky-10-7-abc", ["neutron-server", "neutron-base"])
    assert "DO NOT EDIT" in text
    tags = yaml.safe_load(text)["kolla_image_tags"]
    assert tags == {
        "openstack": "2026.2-rocky-10",
        "neutron-base": "2026.2-rocky-10-7-abc",
        "neutron-server": "2026.2-rocky-10-7-abc",
    }
    tags = yaml.safe_load(pins.update(tmp_path, "T2", [], everything=True))["kolla_image_tags"]
    assert tags == {"openstack": "T2"}
    result = subprocess.run(
        [str(BIN / "yamllint"), "--strict", "-c", str(REPO / ".yamllint"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.slow
def test_an_ipa_change_builds_the_ipa_image_only(plan_of: PlanOf, tmp_path: Path) -> None:
    path = tmp_path / "child.yml"
    text = generate(REPO, plan_of("ipa-packages"))
    path.write_text(text)
    check_schema(path)
    pipeline = yaml.safe_load(text)
    jobs = [k for k, v in pipeline.items() if isinstance(v, dict) and "script" in v]
    assert jobs == ["build-ipa"]
    assert pipeline["variables"]["KAYOBE_ENVIRONMENT"] == "example-site"
    assert "# The IPA image, because:" in text
    assert "ipa_images_packages" in text


def test_merged_templates_keep_every_stage_once_in_order() -> None:
    merged = merge(
        [
            {"stages": ["build", "push"], "variables": {"A": "1"}, "job-a": {"stage": "build"}},
            {"stages": ["build", "scan"], "variables": {"B": "2"}, "job-b": {"stage": "scan"}},
        ]
    )
    assert merged["stages"] == ["build", "push", "scan"]
    assert merged["variables"] == {"A": "1", "B": "2"}
    assert set(merged) == {"stages", "variables", "job-a", "job-b"}
