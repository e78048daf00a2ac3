"""validate, show and images plan on the shaped configurations, through the command line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .builder import FLAT_SECRET
from .conftest import Built

if TYPE_CHECKING:
    from conftest import RunSitectl

pytestmark = pytest.mark.slow

IPA_BUILD = "---\nipa_build_images: true\nipa_build_dib_elements_extra: [mellanox]\n"


def run(sitectl: RunSitectl, built: Built, *args: str) -> tuple[int, str, str]:
    result = sitectl(
        "--repo", built.repo, "--vault-password-file", built.password_file, *args, timeout=1200
    )
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout, result.stderr


def test_validate_without_environments_checks_the_base_configuration(
    sitectl: RunSitectl, flat: Built
) -> None:
    for args in ((), ("--all",)):
        code, out, err = run(sitectl, flat, "validate", *args, "--format", "json")
        assert code == 0, err
        findings = json.loads(out)
        assert findings == []
        assert "the base configuration" in err


def test_validate_finds_a_mistake_in_the_base_configuration(
    sitectl: RunSitectl, flat: Built, tmp_path: Path
) -> None:
    flat.branch("no-address", {"etc/kayobe/network-allocation.yml": "---\n{}\n"})
    copy = tmp_path / "flat"
    subprocess.run(
        ["git", "clone", "-q", "-b", "no-address", str(flat.repo), str(copy)], check=True
    )
    result = sitectl(
        "--repo", copy, "--vault-password-file", flat.password_file, "validate", timeout=600
    )
    assert result.returncode == 1, result.stderr
    assert "node1" in result.stdout and "etc/kayobe/" in result.stdout
    # Without the password: kayobe loads a sealed copy, the findings name the site's files.
    sealed = sitectl("--repo", copy, "validate", "--sealed", "--format", "json", timeout=600)
    assert sealed.returncode == 1, sealed.stderr
    findings = json.loads(sealed.stdout)
    assert {(f["rule"], f["host"]) for f in findings} == {("host-no-address", "node1")}
    assert all(f["file"].startswith("etc/kayobe/") for f in findings), findings
    assert "sealed-" not in sealed.stdout and FLAT_SECRET not in sealed.stdout + sealed.stderr


def test_validate_all_covers_plain_environment_directories(
    sitectl: RunSitectl, nested: Built
) -> None:
    code, out, err = run(sitectl, nested, "validate", "--all")
    assert code == 0, out + err  # dev: the control host, templated globals and dashboard
    assert "cloud" in err and "production" in err and "dev:" in err
    code, out, err = run(sitectl, nested, "validate")
    assert code == 2 and "give one or more environments, or --all" in err


def test_show_summarises_the_base_configuration(sitectl: RunSitectl, flat: Built) -> None:
    code, out, err = run(sitectl, flat, "show", "--format", "summary")
    assert code == 0, err
    assert out.startswith("the base configuration: 1 hosts; layers: etc/kayobe\n")
    assert "cloud_net  eth1  172.20.0.11" in out


def test_show_lists_the_control_host_without_warnings(sitectl: RunSitectl, nested: Built) -> None:
    code, out, err = run(sitectl, nested, "show", "dev", "--format", "summary")
    assert code == 0, err
    assert out.startswith("dev: 1 hosts and the control host localhost; layers: ")
    control = out.split("\nlocalhost  [", 1)[1]
    assert "  the control host: kayobe and kolla-ansible run here" in control
    assert "(none!)" not in control and "(no address!)" not in control


def test_images_plan_without_an_environment(sitectl: RunSitectl, flat: Built) -> None:
    head = flat.branch(
        "ipa-build",
        {"etc/kayobe/ipa.yml": IPA_BUILD},
    )
    code, out, err = run(
        sitectl, flat, "images", "plan", "--base", "main", "--head", head, "--format", "json"
    )
    assert code == 0, err
    plan = json.loads(out)
    assert plan["environment"] is None
    assert plan["ipa"], "an IPA build setting changed: the IPA image is rebuilt"
    sealed = sitectl(
        "--repo", flat.repo, "images", "plan", "--sealed", "--base", "main", "--head", head,
        "--format", "json", timeout=1200,
    )  # fmt: skip
    assert sealed.returncode == 0, sealed.stderr
    assert json.loads(sealed.stdout)["ipa"] == plan["ipa"]  # the same plan, nothing decrypted
    assert FLAT_SECRET not in sealed.stdout + sealed.stderr


def test_images_plan_in_a_plain_environment_directory(sitectl: RunSitectl, nested: Built) -> None:
    head = nested.branch(
        "ipa-elements",
        {"etc/kayobe/environments/cloud/ipa-build.yml": IPA_BUILD},
    )
    code, out, err = run(
        sitectl,
        nested,
        "images",
        "plan",
        "production",
        "--base",
        "main",
        "--head",
        head,
        "--format",
        "json",
    )
    assert code == 0, err
    plan = json.loads(out)
    assert plan["environment"] == "production" and plan["ipa"]


def test_show_sealed_needs_no_password_and_decrypts_nothing(
    sitectl: RunSitectl, flat: Built
) -> None:
    result = sitectl(
        "--repo", flat.repo, "show", "--sealed", "--var", "flat_keystone_db_password", timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["node1"].startswith("sealed-")
    assert FLAT_SECRET not in result.stdout + result.stderr
    assert list(flat.repo.glob("**/notification-topic")) == []  # the lookup wrote nothing
    where = sitectl("--repo", flat.repo, "show", "--sealed", "--var", "kayobe_config_path")
    assert json.loads(where.stdout)["node1"] == f"{flat.repo}/etc/kayobe"  # not the copy's
