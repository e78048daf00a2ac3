"""The IPA image: its element set resolves with diskimage-builder's own tooling (offline), and
the build job's artifacts are named by release, date and commit, with checksums."""

from __future__ import annotations

import datetime
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sitectl.errors import SiteError
from sitectl.images import ipa
from tests.helpers import REPO

BuilderVars = Callable[[str], dict]


@pytest.mark.slow
def test_infiniband_site_elements_resolve_with_mellanox(builder_vars: BuilderVars) -> None:
    variables = builder_vars("example-site")
    requested = ipa.dib_elements(variables)
    assert requested[-1] == "mellanox"
    assert {"rocky-container", "ironic-python-agent-ramdisk"} <= set(requested)
    expanded = ipa.expand(requested)
    assert set(requested) <= set(expanded)
    # Dependencies only element-deps files name: diskimage-builder really expanded them.
    assert {"ironic-python-agent-ramdisk-base", "dib-python", "package-installs"} <= set(expanded)
    packages = variables["ipa_build_dib_packages"]
    assert {"python3-yaml", "pciutils", "rdma-core", "mstflint"} <= set(packages)


@pytest.mark.slow
def test_site_without_infiniband_has_no_mellanox(builder_vars: BuilderVars) -> None:
    variables = builder_vars("ci-aio")
    requested = ipa.dib_elements(variables)
    assert "mellanox" not in requested
    assert "mellanox" not in ipa.expand(requested)
    packages = variables["ipa_build_dib_packages"]
    assert "pciutils" in packages and "rdma-core" not in packages


def test_an_unknown_element_is_reported() -> None:
    with pytest.raises(SiteError, match="no-such-element"):
        ipa.expand(["rocky-container", "no-such-element"])


def test_artifacts_are_named_and_checksummed(tmp_path: Path) -> None:
    built = tmp_path / "built"
    built.mkdir()
    (built / "ipa.kernel").write_bytes(b"kernel")
    (built / "ipa.initramfs").write_bytes(b"ramdisk" * 1000)
    files = ipa.collect(
        built, tmp_path / "out", "2026.2", "0123456789abcdef0123", datetime.date(2026, 11, 22)
    )
    assert [f.name for f in files] == [
        "ipa-2026.2-20261122-0123456789ab.kernel",
        "ipa-2026.2-20261122-0123456789ab.initramfs",
        "ipa-2026.2-20261122-0123456789ab.SHA256SUMS",
    ]
    check = subprocess.run(
        ["sha256sum", "-c", files[-1].name],
        cwd=tmp_path / "out",
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == 2


def test_artifacts_need_a_built_image(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="was the IPA image built"):
        ipa.collect(tmp_path, tmp_path / "out", "2026.2", "abc", datetime.date(2026, 1, 1))


def test_ipa_job_is_valid_gitlab_ci() -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema",
            "vendor.gitlab-ci",
            "--data-transform",
            "gitlab-ci",
            str(REPO / "ci" / "images" / "ipa.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
