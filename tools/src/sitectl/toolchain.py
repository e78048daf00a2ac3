"""Find a Python >= 3.12 and keep the repository's virtualenv in step with its pins.

The launcher `tools/sitectl` runs this file as a plain script with whatever python it finds
first, before any virtualenv exists, so it must work on ANY Python >= 3.9: standard library
only, no syntax newer than 3.9 (annotations stay strings thanks to the __future__ import).
The sitectl package imports it too (`sitectl setup`).

    python3 toolchain.py ensure --repo REPO --venv VENV [--force]
    python3 toolchain.py find

`ensure` is on the path of every sitectl call: when the virtualenv's stamp matches the pins it
returns after reading four small files, without starting any process.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import hashlib
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

MIN_VERSION = (3, 12)
PROBE_TIMEOUT = 10.0
SYSTEM_DIRS = ("/usr/local/bin", "/usr/bin")
# tools/constraints.txt was resolved on 3.12: it comes first, then newer ones, newest first.
PINNED_VERSION = (3, 12)
PATH_NAMES = ("python3.12", "python3.14", "python3.13", "python3")
STAMP_NAME = ".sitectl-stamp"
LOCATION_NAME = ".sitectl-location"  # where the virtualenv was made
LOG_NAME = "setup.log"
# What only the test suite needs, installed by `sitectl test` into the same virtualenv.
TEST_REQUIREMENTS = "tests/requirements.txt"
TEST_STAMP_NAME = ".sitectl-stamp-tests"
PROGRESS_EVERY = 15.0  # seconds: the longest an install goes without a progress line
# What the virtualenv is built from: a change to any of them redoes the install.
STAMP_INPUTS = ("requirements.txt", "tools/constraints.txt", "tools/pyproject.toml")
LOG_TAIL_LINES = 25

# Run by every candidate interpreter. Written so that even Python 2 answers with its version.
PROBE = """\
import sys
v = '%d.%d.%d' % tuple(sys.version_info[:3])
try:
    import ensurepip, venv
    ensurepip.version()
except Exception as e:
    print(v + ' no-venv ' + type(e).__name__ + ': ' + str(e))
else:
    print(v + ' ok')
"""

FIX_HINT = (
    "To fix: install one (Debian/Ubuntu: apt install python3.12 python3.12-venv; or with "
    "pyenv: pyenv install 3.12), or point SITECTL_PYTHON at it "
    "(SITECTL_PYTHON=/path/to/python3.12 tools/sitectl setup)."
)


class ToolchainError(Exception):
    """The toolchain cannot be set up; the message is one paragraph for the operator."""


@dataclass(frozen=True)
class Candidate:
    """A possible interpreter: how the operator would name it, and where it is (None: absent)."""

    label: str
    path: str | None


@dataclass(frozen=True)
class Answer:
    """What a candidate answered when run: its version, and why it cannot be used (if so)."""

    candidate: Candidate
    version: str | None
    problem: str | None

    def describe(self) -> str:
        where = self.candidate.path
        name = self.candidate.label
        if where and not name.endswith(where):
            name = f"{name} ({where})"
        return f"{name} -> {self.problem or self.version}"


@dataclass(frozen=True)
class Interpreter:
    """A usable Python >= 3.12 with venv and ensurepip."""

    path: str
    version: str


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text)[:3])


def _is_new_enough(version: str) -> bool:
    return _version_key(version)[:2] >= MIN_VERSION


def candidates(
    env: Mapping[str, str] = os.environ, system_dirs: Sequence[str] = SYSTEM_DIRS
) -> list[Candidate]:
    """Every interpreter worth trying, best first ($SITECTL_PYTHON alone when it is set)."""
    search_path = env.get("PATH", os.defpath)
    override = env.get("SITECTL_PYTHON")
    if override:
        return [Candidate(f"SITECTL_PYTHON={override}", shutil.which(override, path=search_path))]
    found = [Candidate(name, shutil.which(name, path=search_path)) for name in PATH_NAMES]
    pyenv_root = env.get("PYENV_ROOT") or os.path.join(
        env.get("HOME") or os.path.expanduser("~"), ".pyenv"
    )
    # (version as written in the directory or file name, path), newest first per group
    pyenv_pythons = [
        (path.split(os.sep)[-3], path)
        for path in glob.glob(os.path.join(pyenv_root, "versions", "3.*", "bin", "python"))
    ]
    system_pythons = [
        (os.path.basename(path), path)
        for directory in system_dirs
        for path in glob.glob(os.path.join(directory, "python3.*"))
        if re.fullmatch(r"python3\.\d+", os.path.basename(path))
    ]
    for group in (pyenv_pythons, system_pythons):
        usable = sorted(
            (item for item in group if _is_new_enough(item[0])),
            key=lambda item: (_version_key(item[0])[:2] == PINNED_VERSION, _version_key(item[0])),
            reverse=True,
        )
        found += [Candidate(path, path) for _, path in usable]
    unique: list[Candidate] = []
    seen: set[str] = set()
    for candidate in found:
        key = os.path.realpath(candidate.path) if candidate.path else candidate.label
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique


def probe(candidate: Candidate, env: Mapping[str, str] = os.environ) -> Answer:
    """Run the candidate and tell what it is; never raises."""
    if candidate.path is None:
        return Answer(candidate, None, "not found")
    try:
        result = subprocess.run(
            [candidate.path, "-c", PROBE],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Answer(candidate, None, f"did not answer within {PROBE_TIMEOUT:.0f} s")
    except OSError as e:
        return Answer(candidate, None, f"failed to run ({e.strerror})")
    match = re.match(r"(\d+\.\d+\.\d+) (ok|no-venv)(.*)", result.stdout.strip())
    if result.returncode != 0 or not match:
        said = (result.stderr.strip().splitlines() or ["no output"])[0][:160]
        shim = " (pyenv shim?)" if "/shims/" in candidate.path or "pyenv" in said else ""
        return Answer(candidate, None, f"failed to run (exit {result.returncode}: {said}){shim}")
    version, status, detail = match.groups()
    if not _is_new_enough(version):
        return Answer(candidate, version, f"{version} (too old)")
    if status != "ok":
        return Answer(candidate, version, f"{version} without a working venv/ensurepip ({detail})")
    return Answer(candidate, version, None)


def find_interpreter(
    env: Mapping[str, str] = os.environ, system_dirs: Sequence[str] = SYSTEM_DIRS
) -> Interpreter:
    """The first usable candidate, or a ToolchainError listing what every candidate answered."""
    answers: list[Answer] = []
    for candidate in candidates(env, system_dirs):
        answer = probe(candidate, env)
        if answer.problem is None and candidate.path and answer.version:
            return Interpreter(candidate.path, answer.version)
        answers.append(answer)
    raise ToolchainError(none_found_message(answers))


def none_found_message(answers: Sequence[Answer]) -> str:
    tried = [a.describe() for a in answers if a.candidate.path]
    absent = [a.candidate.label for a in answers if not a.candidate.path]
    text = (
        f"sitectl needs Python >= {MIN_VERSION[0]}.{MIN_VERSION[1]} with a working venv "
        "module (and ensurepip) to build its toolchain, and found none."
    )
    if tried:
        text += " Tried: " + "; ".join(tried) + "."
    if absent:
        text += " Not found: " + ", ".join(absent) + "."
    return f"{text} {FIX_HINT}"


# --- the virtualenv -----------------------------------------------------------------------


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def venv_version(venv: Path) -> str | None:
    """The Python version recorded in pyvenv.cfg (read, not run: this is the fast path)."""
    try:
        text = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"^version(?:_info)?\s*=\s*(\d+\.\d+\.\d+)", text, re.MULTILINE)
    return match.group(1) if match else None


def stamp(repo: Path, python_version: str, venv: Path) -> str:
    """sha256 of everything the virtualenv is built from, and of where it and the checkout it
    serves are: its scripts and its editable install of sitectl hold absolute paths."""
    digest = hashlib.sha256()
    digest.update(f"venv {venv}\0repo {repo}\0".encode())
    for name in STAMP_INPUTS:
        digest.update(name.encode() + b"\0")
        try:
            digest.update((repo / name).read_bytes())
        except FileNotFoundError:
            digest.update(b"<missing>")
        digest.update(b"\0")
    digest.update(b"python " + python_version.encode())
    return digest.hexdigest()


def is_current(repo: Path, venv: Path) -> bool:
    """True when the virtualenv was fully built from the current pins (no process started)."""
    version = venv_version(venv)
    if version is None or not venv_python(venv).exists():  # exists() follows the symlink
        return False
    try:
        recorded = (venv / STAMP_NAME).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return recorded == stamp(repo, version, venv)


def moved(venv: Path) -> bool:
    """True when the virtualenv was made elsewhere (copied, moved, restored from a cache into
    another directory), or before sitectl recorded where: its scripts would run another
    checkout's code, so it is made again rather than updated."""
    try:
        return (venv / LOCATION_NAME).read_text(encoding="utf-8").strip() != str(venv)
    except (OSError, UnicodeDecodeError):
        return True


def say(message: str) -> None:
    print(f"[setup] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _setup_lock(venv: Path) -> Iterator[None]:
    """Serialise concurrent setups of one virtualenv (parallel CI jobs, two checkouts sharing
    one through SITECTL_VENV): the lock is the virtualenv's, not the checkout's."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no locking
        yield
        return
    name = hashlib.sha256(str(venv).encode()).hexdigest()[:16]
    lock = Path(tempfile.gettempdir()) / f"sitectl-setup-{os.getuid()}-{name}.lock"
    with open(os.open(lock, os.O_CREAT | os.O_RDWR, 0o600), "rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _working_venv_version(venv: Path) -> str | None:
    """The version of the virtualenv's python if it runs and is new enough."""
    python = venv_python(venv)
    if not python.exists():
        return None
    answer = probe(Candidate(str(python), str(python)))
    return answer.version if answer.problem is None else None


def _run_logged(command: Sequence[str], log: Path, what: str) -> None:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    run_with_progress(command, log, what, say, env=env)


# pip's lines that say how far an install has got.
PIP_PROGRESS = re.compile(
    r"^(Collecting|Downloading|Using cached|Building wheel|Installing collected|Successfully)"
)


def run_with_progress(
    command: Sequence[str],
    log: Path,
    what: str,
    tell: Callable[[str], None],
    every: float = PROGRESS_EVERY,
    env: Mapping[str, str] | None = None,
) -> None:
    """Run `command` (pip, usually), its output appended to `log`; while it runs, `tell` says
    at least every `every` seconds how far it has got (packages collected, its latest step),
    so a long install never looks hung. ToolchainError with the log's tail when it fails."""
    started = last_told = time.monotonic()
    collected, latest = 0, ""
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(command)}\n")
        out.flush()
        process = subprocess.Popen(
            list(command),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=None if env is None else dict(env),
            text=True,
            errors="replace",
        )
        pending: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_pump, args=(process, pending), daemon=True).start()
        while True:
            try:
                line = pending.get(timeout=min(1.0, every))
            except queue.Empty:
                line = ""
            if line is None:
                break
            out.write(line)
            if PIP_PROGRESS.match(line):
                collected += line.startswith("Collecting")
                latest = line.strip()
            now = time.monotonic()
            if now - last_told >= every:
                out.flush()
                so_far = f"{collected} packages collected; " if collected else ""
                tell(f"  {now - started:.0f} s: {so_far}{latest[:90] or 'working'}")
                last_told = now
        returncode = process.wait()
    if returncode != 0:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        tail = "\n".join("    " + line for line in lines[-LOG_TAIL_LINES:])
        raise ToolchainError(
            f"{what} failed (exit {returncode}); the full log is {log}, its last lines:\n{tail}"
        )


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    """A process's output, line by line, then None."""
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)
    lines.put(None)


def _create_venv(venv: Path, interpreter: Interpreter) -> None:
    if venv.exists() and any(venv.iterdir()) and not (venv / "pyvenv.cfg").exists():
        raise ToolchainError(
            f"{venv} exists and is not a virtualenv; refusing to replace it. Remove it, or set "
            "SITECTL_VENV to another directory."
        )
    say(f"creating virtualenv with Python {interpreter.version} ({interpreter.path}) in {venv}...")
    if venv.exists():
        shutil.rmtree(venv)
    result = subprocess.run(
        [interpreter.path, "-m", "venv", str(venv)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip()
        raise ToolchainError(
            f"{interpreter.path} -m venv {venv} failed (exit {result.returncode}): {said} "
            f"{FIX_HINT}"
        )


def ensure(
    repo: Path, venv: Path, force: bool = False, env: Mapping[str, str] = os.environ
) -> bool:
    """Make `venv` hold the pinned toolchain; return True if anything was (re)installed.

    A virtualenv whose python still runs is updated in place; a missing or broken one (or
    `force`) is recreated with the interpreter find_interpreter() picks. The stamp is written
    last, so an interrupted install is redone next time.
    """
    repo, venv = Path(repo).absolute(), Path(venv).absolute()
    if not force and is_current(repo, venv):
        return False
    with _setup_lock(venv):
        if not force and is_current(repo, venv):  # another process finished it meanwhile
            return False
        started = time.monotonic()
        if venv.is_dir():
            (venv / STAMP_NAME).unlink(missing_ok=True)
            if moved(venv) and venv_version(venv) is not None:
                say(
                    f"{venv} was made in another directory (or by an older sitectl): "
                    "making it again"
                )
        version = None if force or moved(venv) else _working_venv_version(venv)
        if version is None:
            _create_venv(venv, find_interpreter(env))
            (venv / LOCATION_NAME).write_text(f"{venv}\n", encoding="utf-8")
        python = str(venv_python(venv))
        log = venv / LOG_NAME
        say(f"upgrading pip (log: {log})...")
        _run_logged([python, "-m", "pip", "install", "--upgrade", "pip"], log, "upgrading pip")
        say(
            "installing the pinned toolchain (about 1.1 GB; two minutes on an idle 2-core "
            "machine, longer on a loaded one; its progress every 15 s)..."
        )
        _run_logged(
            [
                python,
                "-m",
                "pip",
                "install",
                "-r",
                str(repo / "requirements.txt"),
                "-e",
                str(repo / "tools"),
            ],
            log,
            "installing the pinned toolchain (pip install -r requirements.txt)",
        )
        recorded = venv_version(venv) or ""
        partial = venv / (STAMP_NAME + ".tmp")
        partial.write_text(stamp(repo, recorded, venv) + "\n", encoding="ascii")
        os.replace(partial, venv / STAMP_NAME)
        say(f"toolchain ready in {time.monotonic() - started:.0f} s ({venv})")
        return True


def tests_stamp(repo: Path, venv: Path) -> str:
    """sha256 of what the test extras are installed from, on top of the toolchain's stamp."""
    try:
        base = (venv / STAMP_NAME).read_text(encoding="ascii").strip()
        extras = (repo / TEST_REQUIREMENTS).read_bytes()
    except (OSError, UnicodeDecodeError):
        return ""
    return hashlib.sha256(base.encode() + b"\0" + extras).hexdigest()


def ensure_tests(repo: Path, venv: Path) -> bool:
    """The test suite's extras (TEST_REQUIREMENTS) in the toolchain's virtualenv, installed
    when missing or when their pins or the toolchain changed; True if anything was."""
    repo, venv = Path(repo).absolute(), Path(venv).absolute()
    wanted = tests_stamp(repo, venv)
    stamp_file = venv / TEST_STAMP_NAME

    def current() -> bool:
        try:
            return bool(wanted) and stamp_file.read_text(encoding="ascii").strip() == wanted
        except (OSError, UnicodeDecodeError):
            return False

    if current():
        return False
    with _setup_lock(venv):
        if current():
            return False
        started = time.monotonic()
        stamp_file.unlink(missing_ok=True)
        say(
            f"installing what the tests need besides the toolchain ({TEST_REQUIREMENTS}: "
            "about a minute; its progress every 15 s)..."
        )
        python = str(venv_python(venv))
        _run_logged(
            [python, "-m", "pip", "install", "-r", str(repo / TEST_REQUIREMENTS)],
            venv / LOG_NAME,
            f"installing the tests' requirements (pip install -r {TEST_REQUIREMENTS})",
        )
        stamp_file.write_text(wanted + "\n", encoding="ascii")
        say(f"test requirements ready in {time.monotonic() - started:.0f} s")
        return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="toolchain.py", description="Find Python >= 3.12 and keep sitectl's venv current."
    )
    verbs = parser.add_subparsers(dest="verb", required=True)
    ensure_parser = verbs.add_parser("ensure", help="create or update the virtualenv if needed")
    ensure_parser.add_argument("--repo", type=Path, required=True)
    ensure_parser.add_argument("--venv", type=Path, required=True)
    ensure_parser.add_argument("--force", action="store_true", help="recreate it from scratch")
    verbs.add_parser("find", help="print the interpreter a new virtualenv would use")
    args = parser.parse_args(argv)
    try:
        if args.verb == "find":
            found = find_interpreter()
            print(f"{found.path} {found.version}")
        else:
            ensure(args.repo, args.venv, force=args.force)
    except ToolchainError as e:
        print(f"sitectl: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sitectl: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
