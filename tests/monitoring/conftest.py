"""The monitoring tests' tools: promtool and amtool from Debian's packages (installed by the
harness when missing), and example-site's render of Prometheus and Grafana (once a session,
through the repository's render cache)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.containers import ensure_installed

from sitectl.render import render

REPO = Path(__file__).resolve().parents[2]
PASSWORD_FILE = REPO / "ci" / "vault-password.example"
TOOLS = {"promtool": "prometheus", "amtool": "prometheus-alertmanager"}


@pytest.fixture(scope="session")
def promtool() -> str:
    ensure_installed(TOOLS)
    return "promtool"


@pytest.fixture(scope="session")
def monitoring_render() -> Path:
    """example-site (which uses the monitoring mixin) rendered for Prometheus and Grafana."""
    return render(
        REPO, "example-site", services=["prometheus", "grafana"], vault_password_file=PASSWORD_FILE
    )
