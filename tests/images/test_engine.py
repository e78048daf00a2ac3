"""The test harness's container engine (tests/containers.py) stops without a trace: no
process, no mount, no directory left in /tmp. In the container-engine group, so it never runs
beside another engine on the same data root."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import containers
from tests.images import kolla_harness

pytestmark = pytest.mark.slow


def test_the_engine_leaves_nothing_behind() -> None:
    """After a container ran (dockerd mounts its network namespace under the run directory)."""
    with containers.engine() as engine:
        run_dir = Path(engine.host.removeprefix("unix://")).parent
        image = containers.debian_image(engine, kolla_harness.BASE_SUITE)
        assert engine.docker("run", "--rm", "--network", "host", image, "true").returncode == 0
        pid = engine.process.pid
    assert engine.process.poll() is not None and not Path(f"/proc/{pid}").exists()
    assert not run_dir.exists()
    mounts = Path("/proc/mounts").read_text().splitlines()
    assert [line for line in mounts if str(run_dir) in line] == []
