"""The hosts install from the pinned snapshots: kayobe's DNF settings (etc/kayobe/dnf.yml)
resolved by real kayobe from pulp.yml and the pin file, through the site's filter plugins."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.worktree import copy_tree

from sitectl.dump import dump

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
VAULT = REPO / "ci" / "vault-password.example"
PINS = """\
---
pulp_repo_versions:
  rocky-9-baseos:
    snapshot: rocky-9-baseos-20261201T0000
    version: 3
  docker-ce-rhel9:
    snapshot: docker-ce-rhel9-20261130T0000
    version: 1
"""


def _dnf(repo: Path) -> dict:
    host = dump(repo, "ci-aio", host="aio", vault_password_file=VAULT)
    return {k: host[k] for k in ("dnf_custom_repos", "dnf_repo_state_overrides")}


def test_without_pulp_the_hosts_keep_their_repositories() -> None:
    assert _dnf(REPO) == {"dnf_custom_repos": {}, "dnf_repo_state_overrides": {}}


def test_with_pulp_each_pinned_mirror_is_a_host_repository(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    copy_tree(REPO, site)
    settings = site / "etc" / "kayobe" / "pulp.yml"
    settings.write_text(
        settings.read_text().replace('pulp_url: ""', 'pulp_url: "http://pulp.example.org"')
    )
    (site / "etc" / "kayobe" / "pulp-repo-versions.yml").write_text(PINS)
    content = "http://pulp.example.org/pulp/content"
    assert _dnf(site) == {
        "dnf_custom_repos": {
            "pulp-docker-ce-rhel9": {
                "baseurl": f"{content}/docker-ce-rhel9-20261130T0000/",
                "description": "Docker CE",
                "file": "pulp",
                "gpgcheck": True,
                "gpgkey": "https://download.docker.com/linux/rhel/gpg",
            },
            "pulp-rocky-9-baseos": {
                "baseurl": f"{content}/rocky-9-baseos-20261201T0000/",
                "description": "Rocky Linux 9 BaseOS",
                "file": "pulp",
                "gpgcheck": True,
                "gpgkey": "file:///etc/pki/rpm-gpg/RPM-GPG-KEY-Rocky-9",
            },
        },
        # AppStream has no pin yet: its stock repository stays on.
        "dnf_repo_state_overrides": {"baseos": "disabled"},
    }
