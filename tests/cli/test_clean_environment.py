"""The test run starts from a clean environment, whatever job runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO


def test_a_ci_jobs_variables_do_not_reach_the_tests(tmp_path: Path) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "import os\n"
        "def test_probe():\n"
        "    leaked = sorted(n for n in os.environ if n.startswith(('CI_', 'KAYOBE_VAULT')))\n"
        "    assert leaked == [] and 'SITECTL_GITLAB_TOKEN' not in os.environ\n"
    )
    (tmp_path / "conftest.py").write_text((REPO / "tests" / "conftest.py").read_text())
    job = {
        **os.environ,
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_IID": "7",
        "SITECTL_GITLAB_TOKEN": "glpat-not-for-tests",
        "KAYOBE_VAULT_PASSWORD": "not-for-tests",
        "PYTHONPATH": str(REPO),  # the copied conftest imports tests.helpers
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(probe)],
        cwd=tmp_path,
        env=job,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
