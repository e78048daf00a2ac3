"""Stopping sitectl stops what it started.

A long child (kayobe, and the ansible-playbook runs under it) runs in a process group of its
own, registered here while it runs. When sitectl is told to stop (SIGTERM from CI cancelling
a job or from `kill`, or SIGINT), every registered group is killed before sitectl unwinds:
children that worker threads wait on too (a render's genconfig parts), which an exception in
the main thread alone would not reach.
"""

import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_running: set[subprocess.Popen[str]] = set()
_lock = threading.Lock()


@contextmanager
def registered(process: "subprocess.Popen[str]") -> Iterator[None]:
    """While the block runs, `process` (started with start_new_session=True) is killed, with
    its whole group, when sitectl stops or the block fails."""
    with _lock:
        _running.add(process)
    try:
        yield
    except BaseException:
        kill(process)
        raise
    finally:
        with _lock:
            _running.discard(process)


def kill(process: "subprocess.Popen[str]") -> None:
    """SIGKILL to the process's group (it leads one), or to it alone if it has none."""
    try:
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass


def kill_all() -> None:
    with _lock:
        running = list(_running)
    for process in running:
        kill(process)


def _stop(signum: int, frame: FrameType | None) -> None:
    kill_all()
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextmanager
def handled() -> Iterator[None]:
    """SIGTERM and SIGINT handled this way while the block runs (in the main thread only:
    Python runs signal handlers there), then handled as before."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {signum: signal.signal(signum, _stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
