"""The scan verdict on reports in trivy's JSON format (schema 2), with the site's allowlist."""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from sitectl.errors import SiteError
from sitectl.images import scan

TODAY = datetime.date(2026, 12, 2)


def vulnerability(ident: str, package: str, severity: str, fixed: str | None = "2.0") -> dict:
    item = {
        "VulnerabilityID": ident,
        "PkgName": package,
        "InstalledVersion": "1.0",
        "Severity": severity,
        "Title": f"{ident} in {package}",
    }
    if fixed:
        item["FixedVersion"] = fixed
    return item


def report(tmp_path: Path, image: str, *vulnerabilities: dict) -> Path:
    """A report as `trivy image --format json` writes it."""
    path = tmp_path / f"scan-{image}.json"
    data = {
        "SchemaVersion": 2,
        "ArtifactName": f"registry.example:4000/openstack.kolla/{image}:2026.2-rocky-10-7",
        "ArtifactType": "container_image",
        "Results": [
            {
                "Target": "image (rocky 10.0)",
                "Class": "os-pkgs",
                "Type": "rocky",
                "Vulnerabilities": list(vulnerabilities),
            },
            {"Target": "Python", "Class": "lang-pkgs", "Type": "python-pkg"},
        ],
    }
    path.write_text(json.dumps(data))
    return path


def allowlist(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "allow.yml"
    path.write_text(text)
    return path


ALLOW = """\
global:
  - id: CVE-2026-1000
    reason: no fix that applies to our images; not reachable
    expires: 2027-01-01
  - id: CVE-2026-1001
    reason: old review
    expires: 2026-11-01
images:
  keystone-api:
    - id: CVE-2026-2000
      package: openssl
      reason: keystone does not use the affected cipher
      expires: 2027-06-30
"""


def test_allowances_apply_by_image_package_and_date(tmp_path: Path) -> None:
    entries, expired = scan.load_allowlist(allowlist(tmp_path, ALLOW), TODAY)
    assert [e.id for e in expired] == ["CVE-2026-1001"]
    reports = dict(
        scan.load_report(path)
        for path in (
            report(
                tmp_path,
                "keystone-api",
                vulnerability("CVE-2026-1000", "glibc", "CRITICAL"),  # global allowance
                vulnerability("CVE-2026-2000", "openssl", "CRITICAL"),  # this image's
                vulnerability("CVE-2026-2000", "libssh", "CRITICAL"),  # another package
                vulnerability("CVE-2026-1001", "zlib", "CRITICAL"),  # allowance expired
                vulnerability("CVE-2026-3000", "curl", "HIGH"),  # below the threshold
                vulnerability("CVE-2026-3001", "curl", "CRITICAL", fixed=None),  # no fix
            ),
            report(tmp_path, "nova-api", vulnerability("CVE-2026-2000", "openssl", "CRITICAL")),
            report(tmp_path, "memcached"),
        )
    )
    verdict = scan.judge(reports, entries, expired)
    by_image = {image.image: image for image in verdict.images}
    keystone = by_image["keystone-api"]
    assert {(v.id, v.package) for v in keystone.blocking} == {
        ("CVE-2026-2000", "libssh"),
        ("CVE-2026-1001", "zlib"),
    }
    assert {(v.id, e.where()) for v, e in keystone.allowed} == {
        ("CVE-2026-1000", "global"),
        ("CVE-2026-2000", "images.keystone-api"),
    }
    assert keystone.below == 2
    assert [v.id for v in by_image["nova-api"].blocking] == ["CVE-2026-2000"]  # not its entry
    assert by_image["memcached"].blocking == []
    assert not verdict.passed
    text = scan.text(verdict, "CRITICAL")
    assert "keystone-api: BLOCKED (2 blocking, 2 allowed" in text
    assert "memcached: ok" in text
    assert "expired allowance CVE-2026-1001 (global, 2026-11-01): review it" in text
    cases = {c.get("name"): c for c in ET.fromstring(scan.junit(verdict)).iter("testcase")}
    assert cases["keystone-api"].find("failure") is not None
    assert cases["memcached"].find("failure") is None
    # Blocking on HIGH too, and on vulnerabilities without a fix.
    stricter = scan.judge(reports, entries, expired, "HIGH", ignore_unfixed=False)
    assert len(stricter.images[0].blocking) == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("global:\n  - id: CVE-1\n    expires: 2027-01-01\n", "lacks reason"),
        ("global:\n  - id: CVE-1\n    reason: r\n", "lacks expires"),
        ("global:\n  - id: CVE-1\n    reason: r\n    expires: soon\n", "is not YYYY-MM-DD"),
        ("images: [x]\n", "`images` must map image names"),
        ("global: {id: x}\n", "`global` must be a list"),
    ],
)
def test_a_bad_allowlist_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SiteError, match=message):
        scan.load_allowlist(allowlist(tmp_path, text), TODAY)


def test_the_verb_exits_1_on_a_blocked_image_and_writes_junit(
    tmp_path: Path, sitectl: Callable
) -> None:
    blocked = report(tmp_path, "nova-api", vulnerability("CVE-2026-9", "openssl", "CRITICAL"))
    junit = tmp_path / "scan.xml"
    result = sitectl("images", "scan-verdict", blocked, "--junit", junit)
    assert result.returncode == 1, result.stderr
    assert "CRITICAL CVE-2026-9 in openssl 1.0, fixed in 2.0" in result.stdout
    assert junit.is_file()
    clean = report(tmp_path, "memcached")
    assert sitectl("images", "scan-verdict", clean).returncode == 0  # the committed allowlist


def test_the_committed_allowlist_is_valid(repo_root: Path) -> None:
    scan.load_allowlist(repo_root / scan.DEFAULT_ALLOWLIST, TODAY)
