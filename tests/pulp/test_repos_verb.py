"""`sitectl repos` on a copy of this configuration pointed at the harness's Pulp: settings from
kayobe's resolution of pulp.yml for the control host, the password from the vault, the pin file
written in the copy, and one clear paragraph for each mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import run_sitectl
from tests.helpers import REPO, copy_tree
from tests.pulp import apt_upstream
from tests.pulp.server import ADMIN_PASSWORD, Pulp
from tests.synthetic import vault_variable

pytestmark = pytest.mark.slow

VAULT = REPO / "ci" / "vault-password.example"
PASSWORD = {"KAYOBE_VAULT_PASSWORD_FILE": str(VAULT)}


def _site(root: Path, pulp: Pulp, url: str, password: str) -> Path:
    site = root / "site"
    site.mkdir()
    copy_tree(REPO, site)
    settings = {
        "pulp_url": pulp.url,
        "pulp_username": "admin",
        "pulp_content_url": pulp.content_url,
        "pulp_repositories": [
            {
                "name": "verb-os",
                "type": "deb",
                "url": url,
                "distributions": ["stable"],
                "components": ["main"],
                "architectures": ["amd64"],
                "policy": "immediate",
            },
        ],
    }
    text = "---\n" + yaml.safe_dump(settings, sort_keys=False)
    text += vault_variable("pulp_password", password, VAULT.read_text().strip())
    (site / "etc" / "kayobe" / "pulp.yml").write_text(text)
    return site


def test_the_verb_snapshots_promotes_and_reports(pulp: Pulp, tmp_path: Path) -> None:
    upstream = tmp_path / "upstream"
    apt_upstream.add_package(upstream, "verb-base", "1.0")
    with apt_upstream.served(upstream) as url:
        site = _site(tmp_path, pulp, url, ADMIN_PASSWORD)
        snap = run_sitectl("--repo", site, "repos", "snapshot", env=PASSWORD, timeout=900)
        assert snap.returncode == 0, snap.stderr[-3000:]
        assert "verb-os: verb-os-" in snap.stdout and "(version 1)" in snap.stdout
        assert "[repos] [1/1] verb-os: sync" in snap.stderr  # progress
        pins = yaml.safe_load((site / "etc/kayobe/pulp-repo-versions.yml").read_text())
        assert pins["pulp_repo_versions"]["verb-os"]["version"] == 1
        again = run_sitectl("--repo", site, "repos", "snapshot", env=PASSWORD, timeout=900)
        assert "verb-os: unchanged (version 1" in again.stderr
        assert yaml.safe_load((site / "etc/kayobe/pulp-repo-versions.yml").read_text()) == pins
        promoted = run_sitectl("--repo", site, "repos", "promote", env=PASSWORD, timeout=900)
        assert promoted.stdout.strip() == "promoted: verb-os", promoted.stderr[-2000:]
        shown = run_sitectl("--repo", site, "repos", "status", env=PASSWORD, timeout=900)
        snapshot_name = pins["pulp_repo_versions"]["verb-os"]["snapshot"]
        assert shown.stdout.strip() == (
            f"verb-os: pinned {snapshot_name} (version 1); latest version 1; "
            f"production {snapshot_name}"
        )
    for proc in (snap, again, promoted, shown):
        assert ADMIN_PASSWORD not in proc.stdout + proc.stderr


def test_mistakes_are_one_paragraph(pulp: Pulp, tmp_path: Path) -> None:
    site = _site(tmp_path, pulp, "http://127.0.0.1:9/", "not-the-password")
    refused = run_sitectl("--repo", site, "repos", "sync", env=PASSWORD, timeout=900)
    assert refused.returncode == 2
    assert "refused the credentials (pulp_username and pulp_password)" in refused.stderr
    assert "not-the-password" not in refused.stderr and "Traceback" not in refused.stderr
    unknown = run_sitectl(
        "--repo", site, "repos", "status", "--only", "verb-nope", env=PASSWORD, timeout=900
    )
    assert unknown.returncode == 2
    assert "no repository verb-nope in pulp_repositories" in unknown.stderr
    text = (site / "etc/kayobe/pulp.yml").read_text()
    (site / "etc/kayobe/pulp.yml").write_text(text.replace(pulp.url, "http://127.0.0.1:9"))
    gone = run_sitectl("--repo", site, "repos", "status", env=PASSWORD, timeout=900)
    assert gone.returncode == 2
    assert "Pulp at http://127.0.0.1:9 cannot be reached" in gone.stderr
