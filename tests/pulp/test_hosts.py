"""The hosts install from the pinned snapshots: kayobe's DNF settings (etc/kayobe/dnf.yml)
resolved by real kayobe from pulp.yml and the pin file, through the site's filter plugins."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sitectl.dump import dump
from tests.helpers import REPO, copy_tree

pytestmark = pytest.mark.slow

VAULT = REPO / "ci" / "vault-password.example"
PINS = """\
---
pulp_repo_versions:
  rocky-10-baseos:
    snapshot: rocky-10-baseos-20261201T0000
    version: 3
  docker-ce-rhel10:
    snapshot: docker-ce-rhel10-20261130T0000
    version: 1
"""


def _dnf(repo: Path, env: str = "ci-aio", host: str = "aio") -> dict:
    variables = dump(repo, env, host=host, vault_password_file=VAULT)
    return {k: variables[k] for k in ("dnf_custom_repos", "dnf_repo_state_overrides")}


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
            "pulp-docker-ce-rhel10": {
                "baseurl": f"{content}/docker-ce-rhel10-20261130T0000/",
                "description": "Docker CE",
                "file": "pulp",
                "gpgcheck": True,
                "gpgkey": "https://download.docker.com/linux/rhel/gpg",
            },
            "pulp-rocky-10-baseos": {
                "baseurl": f"{content}/rocky-10-baseos-20261201T0000/",
                "description": "Rocky Linux 10 BaseOS",
                "file": "pulp",
                "gpgcheck": True,
                "gpgkey": "file:///etc/pki/rpm-gpg/RPM-GPG-KEY-Rocky-10",
            },
        },
        # AppStream and CRB have no pin here: their stock repositories stay on.
        "dnf_repo_state_overrides": {"baseos": "disabled"},
    }


def test_example_site_hosts_install_from_its_pulp() -> None:
    """example-site sets pulp_url (its seed): every mirror of pulp.yml is pinned, so every
    host has the five snapshots and none of Rocky's own repositories."""
    settings = _dnf(REPO, "example-site", "cmp03")
    content = "http://10.1.0.5:24817/pulp/content"
    pins = yaml.safe_load((REPO / "etc/kayobe/pulp-repo-versions.yml").read_text())
    assert {name: repo["baseurl"] for name, repo in settings["dnf_custom_repos"].items()} == {
        f"pulp-{name}": f"{content}/{pin['snapshot']}/"
        for name, pin in pins["pulp_repo_versions"].items()
    }
    assert not settings["dnf_custom_repos"]["pulp-mellanox-doca-rhel10"]["gpgcheck"]
    assert settings["dnf_repo_state_overrides"] == {
        "baseos": "disabled",
        "appstream": "disabled",
        "crb": "disabled",
    }
