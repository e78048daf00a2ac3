"""Stopping sitectl stops its children: SIGTERM reaches the process group of a child that
a worker thread waits on (as a render's genconfig parts do), grandchildren included."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "tools" / "src"

# A child (sh) with a grandchild (a background sleep), waited on by a worker thread; the
# main thread only waits for the worker, like a render waiting for its genconfig parts.
SCRIPT = """
import subprocess, sys, threading
from sitectl import stopping

def child():
    process = subprocess.Popen(
        ["sh", "-c", "sleep 300 & sleep 300; echo never"], start_new_session=True, text=True
    )
    print(process.pid, flush=True)
    with stopping.registered(process):
        process.wait()

with stopping.handled():
    worker = threading.Thread(target=child)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt as stopped:
        worker.join(10)
        print(f"stopped by {stopped}; worker alive: {worker.is_alive()}", flush=True)
        sys.exit(130)
"""


def live_members(group: int) -> list[int]:
    """Processes of the group that have not exited (zombies are dead)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_kills_the_children_of_worker_threads(signum: signal.Signals) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    script = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], env=env, stdout=subprocess.PIPE, text=True
    )
    assert script.stdout is not None
    group = int(script.stdout.readline())
    deadline = time.monotonic() + 10
    while len(live_members(group)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(live_members(group)) >= 2, "the child and its grandchild never started"

    script.send_signal(signum)
    out, _ = script.communicate(timeout=30)

    assert script.returncode == 130
    assert out.strip() == f"stopped by {signum.name}; worker alive: False"
    assert live_members(group) == [], "a child or grandchild outlived the stop"


# kayobe's ansible-playbook starts each worker in a session of its own (setsid): a worker
# blocked on a pipe write is in no process group of sitectl's children.
SESSION_SCRIPT = """
import os, subprocess, sys
from sitectl import stopping

worker = (
    "import os, sys, time; os.setsid(); print(os.getpid(), flush=True); "
    "sys.stdout.close(); time.sleep(300)"
)
middle = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {worker!r}])"
with stopping.handled():
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", middle],
            start_new_session=True, stdout=subprocess.PIPE, text=True,
        )
        with stopping.registered(process):
            print(process.stdout.readline().strip(), flush=True)  # ready for the signal
            process.wait()
    except KeyboardInterrupt:
        sys.exit(130)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_a_signal_kills_descendants_in_sessions_of_their_own() -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    script = subprocess.Popen(
        [sys.executable, "-c", SESSION_SCRIPT], env=env, stdout=subprocess.PIPE, text=True
    )
    assert script.stdout is not None
    worker = int(script.stdout.readline())
    assert os.getsid(worker) == worker, "the worker did not start a session of its own"
    script.send_signal(signal.SIGTERM)
    script.communicate(timeout=30)
    assert script.returncode == 130
    deadline = time.monotonic() + 10
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(worker), "a worker in its own session outlived the stop"
