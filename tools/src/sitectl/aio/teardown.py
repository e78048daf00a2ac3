"""Diagnostics of the all-in-one cloud into an artifacts directory, then the CI overlays out.

Runs as GitLab's after_script, after success or failure: every collection is best effort (a
missing docker or an unreadable log is written down in COLLECTED.txt, not raised), so teardown
itself never hides the job's real failure.
"""

import shutil
import subprocess
from pathlib import Path

from sitectl import outdir, progress
from sitectl.aio.steps import OVERLAY, Runner

TAG = "aio"
DIAGNOSTICS = outdir.kind(
    "all-in-one diagnostics",
    ("state.json", "logs", "docker-ps.txt", "containers", "kolla", "COLLECTED.txt"),
)
KOLLA_LOGS = Path("/var/log/kolla")
MAX_CONTAINER_LOG_LINES = 2000


def _run_to(argv: list[str], out: Path) -> str:
    if shutil.which(argv[0]) is None:
        return f"{argv[0]} not found"
    try:
        result = subprocess.run(
            argv, capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"{' '.join(argv)}: {e}"
    out.write_text(result.stdout + result.stderr)
    return f"{' '.join(argv)}: exit {result.returncode}"


def _copy_tree(source: Path, target: Path) -> str:
    if not source.exists():
        return f"{source}: absent"
    try:
        shutil.copytree(source, target, dirs_exist_ok=True, ignore_dangling_symlinks=True)
    except (OSError, shutil.Error) as e:
        return f"{source}: partly copied ({str(e)[:200]})"
    return f"{source}: copied"


def collect(runner: Runner, artifacts: Path, kolla_logs: Path = KOLLA_LOGS) -> list[str]:
    """Copy what explains a failure into `artifacts`; what was collected, one line each."""
    artifacts = outdir.claim(artifacts, DIAGNOSTICS)
    notes = []
    if runner.state_file.exists():
        shutil.copy2(runner.state_file, artifacts / "state.json")
        notes.append("state.json: copied")
    notes.append(_copy_tree(runner.logs, artifacts / "logs"))
    notes.append(_run_to(["docker", "ps", "-a"], artifacts / "docker-ps.txt"))
    if shutil.which("docker"):
        names = subprocess.run(
            ["docker", "ps", "-a", "--format", "{{.Names}}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        ).stdout.split()
        container_logs = artifacts / "containers"
        container_logs.mkdir(exist_ok=True)
        for name in names:
            _run_to(
                ["docker", "logs", "--tail", str(MAX_CONTAINER_LOG_LINES), name],
                container_logs / f"{name}.log",
            )
        notes.append(f"docker logs: {len(names)} containers")
    notes.append(_copy_tree(kolla_logs, artifacts / "kolla"))
    (artifacts / "COLLECTED.txt").write_text("\n".join(notes) + "\n")
    return notes


def teardown(runner: Runner, artifacts: Path, kolla_logs: Path = KOLLA_LOGS) -> int:
    with progress.step(TAG, f"collecting diagnostics into {artifacts}"):
        notes = collect(runner, artifacts, kolla_logs)
    for note in notes:
        progress.note(TAG, f"  {note}")
    overlay = runner.overlay_path()
    if overlay.exists():
        overlay.unlink()
        progress.note(TAG, f"removed the CI overlay {overlay.name}")
    return 0


__all__ = ["OVERLAY", "collect", "teardown"]
