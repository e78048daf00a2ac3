"""Stopping sitectl stops what it started.

A long child (kayobe, and the ansible-playbook runs under it) runs in a process group of its
own, registered here while it runs. When sitectl is told to stop (SIGTERM from CI cancelling
a job or from `kill`, or SIGINT), every registered child is killed before sitectl unwinds:
children that worker threads wait on too (a render's genconfig parts), which an exception in
the main thread alone would not reach.

Killing a group is not enough: Ansible starts each worker in a session of its own (setsid),
so its workers are in no group of ours and, orphaned, stay blocked on a pipe for ever. A
child is therefore killed with every process descended from it, whatever its session: the
tree is frozen (SIGSTOP) until no new descendant appears, so nothing forks away, then killed.
"""

import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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
    """SIGKILL to the process, its group (it leads one) and every descendant in any session
    (while it is not reaped: its pid cannot have been reused)."""
    tree = _frozen_tree(process.pid) if process.returncode is None else set()
    try:
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for pid in tree:
        _signal(pid, signal.SIGKILL)


def _frozen_tree(root: int) -> set[int]:
    """`root` and its descendants, each stopped (SIGSTOP), found again until no new one
    appears (a process forking meanwhile is stopped in the next round)."""
    frozen: set[int] = set()
    while True:
        new = ({root} | descendants(root)) - frozen
        if not new:
            return frozen
        for pid in new:
            _signal(pid, signal.SIGSTOP)
        frozen |= new


def descendants(root: int) -> set[int]:
    """Every process below `root` (from /proc; empty where there is none)."""
    children: dict[int, list[int]] = {}
    try:
        entries = [entry for entry in os.scandir("/proc") if entry.name.isdigit()]
    except OSError:
        return set()
    for entry in entries:
        try:
            with open(f"{entry.path}/stat", encoding="utf-8", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _signal(pid: int, signum: signal.Signals) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signum)


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
