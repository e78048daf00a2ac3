"""The repository's own environments validate clean (through real kayobe; the dumps are
cached by input hash, shared with tests/config)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO

if TYPE_CHECKING:
    from conftest import RunSitectl

pytestmark = pytest.mark.slow


def test_all_environments_validate_clean(sitectl: RunSitectl, tmp_path: Path) -> None:
    junit = tmp_path / "validate.xml"
    result = sitectl(
        "--repo",
        REPO,
        "--vault-password-file",
        EXAMPLE_PASSWORD_FILE,
        "validate",
        "--all",
        "--format",
        "json",
        "--junit",
        junit,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert json.loads(result.stdout) == []
    environments = sorted(p.name for p in (REPO / "environments").iterdir() if p.is_dir())
    suites = [suite.get("name") for suite in ET.parse(junit).getroot().iter("testsuite")]
    assert suites == environments
    assert "example-site: 0 findings (" in result.stderr
