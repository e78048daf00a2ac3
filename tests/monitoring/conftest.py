"""The monitoring tests' tools: promtool and amtool from Debian's packages (installed by the
harness when missing), and example-site's render of its mixins' services (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.containers import ensure_installed

TOOLS = {"promtool": "prometheus", "amtool": "prometheus-alertmanager"}


@pytest.fixture(scope="session")
def promtool() -> str:
    ensure_installed(TOOLS)
    return "promtool"


@pytest.fixture(scope="session")
def monitoring_render(example_site_mixins: Path) -> Path:
    return example_site_mixins
