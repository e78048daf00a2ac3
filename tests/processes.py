"""What the test servers share: a free loopback port, a child that dies with the tests, a
readiness wait that fails with the server's log, and stopping a server's whole process group."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """In the child before exec: `sig` when the test process dies, even by SIGKILL, when
    fixture finalizers cannot run (Linux prctl PR_SET_PDEATHSIG)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, sig)  # PR_SET_PDEATHSIG = 1


def die_gracefully_with_parent() -> None:
    """die_with_parent with SIGTERM: a server that cleans up after itself (dockerd stops its
    containers) is given the chance."""
    die_with_parent(signal.SIGTERM)


def wait_until(
    ready: Callable[[], bool], process: subprocess.Popen, log: Path, what: str, timeout: float
) -> None:
    """Poll `ready` until it holds; fail the test with the log if the server dies or is slow."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start; its log:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM a server started with start_new_session, SIGKILL it if it lingers, and then
    anything left in its process group."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=10)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
