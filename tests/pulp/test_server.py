"""The test harness's real Pulp: it syncs an upstream apt repository the tests made, publishes
dated snapshots, and an old snapshot keeps serving its old package set after the upstream
gains a package. (`sitectl repos` will be tested on this server; see issue #14.)"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.pulp import apt_upstream
from tests.pulp.server import ADMIN_PASSWORD, Pulp

pytestmark = pytest.mark.slow


def _cli(pulp: Pulp, *args: str) -> dict:
    proc = subprocess.run(
        [
            str(pulp.bin / "pulp"),
            "--base-url",
            pulp.url,
            "--username",
            "admin",
            "--password",
            ADMIN_PASSWORD,
            "deb",
            *args,
        ],
        env=pulp.env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout) if proc.stdout.strip() else {}


def _snapshot(pulp: Pulp, name: str) -> str:
    """Sync, publish and distribute at base path NAME; the distribution's URL."""
    _cli(pulp, "repository", "sync", "--name", "upstream")
    publication = _cli(pulp, "publication", "create", "--repository", "upstream", "--structured")
    _cli(
        pulp,
        "distribution",
        "create",
        "--name",
        name,
        "--base-path",
        name,
        "--publication",
        publication["pulp_href"],
    )
    return f"{pulp.content_url}/{name}/"


def _packages(url: str) -> list[str]:
    with urllib.request.urlopen(f"{url}dists/stable/main/binary-amd64/Packages") as response:
        text = response.read().decode()
    return sorted(
        line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Package:")
    )


def test_snapshots_keep_what_the_upstream_had(pulp: Pulp, tmp_path: Path) -> None:
    upstream = tmp_path / "upstream"
    apt_upstream.add_package(upstream, "site-alpha", "1.0")
    apt_upstream.add_package(upstream, "site-beta", "2.0")
    with apt_upstream.served(upstream) as url:
        _cli(
            pulp,
            "remote",
            "create",
            "--name",
            "upstream",
            "--url",
            url,
            "--distribution",
            "stable",
            "--policy",
            "immediate",
        )
        _cli(pulp, "repository", "create", "--name", "upstream", "--remote", "upstream")
        first = _snapshot(pulp, "upstream-1")
        apt_upstream.add_package(upstream, "site-gamma", "3.0")
        second = _snapshot(pulp, "upstream-2")
    assert _packages(first) == ["site-alpha", "site-beta"]
    assert _packages(second) == ["site-alpha", "site-beta", "site-gamma"]
    deb = "pool/main/s/site-gamma/site-gamma_3.0_amd64.deb"
    with urllib.request.urlopen(second + deb) as response:
        assert response.read() == (upstream / "pool/main/site-gamma_3.0_amd64.deb").read_bytes()
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(first + deb)
    assert missing.value.code == 404
