"""The all-in-one deploy as named, resumable steps (kayobe's own sequence).

    1 bootstrap       kayobe control host bootstrap
    2 host-configure  kayobe overcloud host configure
    3 images          kayobe overcloud container image pull   (from the images child's
                      registry and tag when given: a zz-ci-images.yml overlay in the environment)
    4 deploy          kayobe overcloud service deploy
    5 post-configure  kayobe overcloud post configure
    6 resources       image, flavors, networks from ci/aio/resources.yml (openstack CLI)

Every step is idempotent (kayobe's playbooks are; step 6 creates only what is missing). A done
step is recorded with a hash of its inputs (the overlay); a rerun skips recorded steps with the
same inputs and continues from the first step not done, so a retried job resumes where it
failed. `--from STEP` forgets STEP and everything after it.

A site's deploy (`sitectl deploy ENV`, SITE_STEPS) is the same machinery on kayobe's documented
sequence for a real site: the control host, the seed hypervisor and the seed, then the
overcloud's hosts (where the site's InfiniBand and SR-IOV hooks run, after host configure),
its images and services. Its state lives in .cache/sitectl/deploy/ENV/.

An earlier release's all-in-one (`sitectl aio run --release BASE`, the upgrade rehearsal's
first half, sitectl.aio.upgrade) is the same steps on BASE's configuration (its tree, written
under .cache/sitectl/aio/release/) with the kayobe BASE's pins name (sitectl.toolchains); the
state and logs stay this checkout's, so that the upgrade continues from them.

kayobe is the first `kayobe` on PATH, else the toolchain's (CI puts nothing else first; tests
put a stand-in there); VIRTUAL_ENV names the toolchain either way. Its output goes to
.cache/sitectl/aio/logs/STEP.log, Ansible's log to logs/ansible.log.
"""

import hashlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sitectl import progress
from sitectl.aio.state import State
from sitectl.errors import SiteError
from sitectl.kayobe import ansible_errors, operator_environment
from sitectl.redact import redact_text, secrets_pattern
from sitectl.repo import cache_dir, environments_dir, venv_bin

TAG = "aio"
ENVIRONMENT = "ci-aio"
OVERLAY = "zz-ci-images.yml"
# Variables of the operator's shell that would change what kayobe does.
_DROPPED_PREFIXES = ("KAYOBE_", "KOLLA_", "ANSIBLE_", "OS_")


@dataclass
class Options:
    environment: str = ENVIRONMENT
    images_registry: str | None = None
    images_tag: str | None = None
    cloud: str = "kolla-admin"
    clouds_yaml: Path | None = None
    resources: Path | None = None
    password: str | None = None


@dataclass(frozen=True)
class Release:
    """Another commit's all-in-one: the commit, its toolchain's bin directory, and the
    checkout whose state and logs the deployment keeps."""

    commit: str
    tools: Path
    home: Path


@dataclass
class Runner:
    repo: Path
    options: Options
    # The all-in-one cloud (its images overlay, state under .cache/sitectl/aio), or a site
    # (no overlay: its images are the pinned ones; state under .cache/sitectl/deploy/ENV).
    site: bool = False
    # Another commit's configuration and toolchain (`repo` is then its tree).
    release: Release | None = None
    # The commit whose deployment the steps upgrade (the upgrade rehearsal's base).
    upgrading_from: str | None = None
    work: Path = field(init=False)

    def __post_init__(self) -> None:
        home = self.release.home if self.release else self.repo
        self.work = (
            cache_dir(home, "sitectl", "deploy", self.options.environment)
            if self.site
            else cache_dir(home, "sitectl", "aio")
        )

    @property
    def tools(self) -> Path:
        """The bin directory of the toolchain that runs kayobe."""
        return self.release.tools if self.release else venv_bin()

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    @property
    def state_file(self) -> Path:
        return self.work / "state.json"

    def overlay_path(self) -> Path:
        return environments_dir(self.repo) / self.options.environment / OVERLAY

    def overlay_text(self) -> str | None:
        o = self.options
        if not (o.images_registry or o.images_tag):
            return None
        lines = [
            "---",
            "# Written by tools/sitectl aio run: the images child pipeline's output.",
            "# A throwaway CI overlay (zz-*); tools/sitectl aio teardown removes it.",
        ]
        if o.images_registry:
            lines.append(f"kolla_docker_registry: {o.images_registry}")
        if o.images_tag:
            lines.append(f"kolla_tag: {o.images_tag}")
        return "\n".join(lines) + "\n"

    def write_overlay(self) -> None:
        if self.site:  # a site's environment is the operator's: nothing is written into it
            return
        text = self.overlay_text()
        path = self.overlay_path()
        if text is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(text)

    def kayobe_executable(self) -> str:
        found = shutil.which("kayobe")
        if found:
            return found
        fallback = self.tools / "kayobe"
        if not fallback.exists():
            raise SiteError(f"no kayobe on PATH or in {self.tools}; run tools/sitectl setup.")
        return str(fallback)

    def environment(self, scratch: Path) -> dict[str, str]:
        # The operator's KAYOBE_/KOLLA_/ANSIBLE_/OS_ settings must not steer the throwaway
        # cloud; the tools this job put on PATH (stand-ins in tests) come before the venv's.
        env = operator_environment(
            self.repo,
            self.options.password,
            drop_prefixes=_DROPPED_PREFIXES,
            venv_first=False,
            tools=self.tools,
        )
        env["VIRTUAL_ENV"] = str(self.tools.parent)
        env["KAYOBE_ENVIRONMENT"] = self.options.environment
        env["ANSIBLE_LOG_PATH"] = str(self.logs / "ansible.log")
        env["ANSIBLE_NOCOLOR"] = "1"
        env["ANSIBLE_LOCAL_TEMP"] = str(scratch)
        return env

    def command(self, step: str, argv: Sequence[str]) -> str:
        """Run one command for `step`, its output appended to the step's log; the output."""
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / f"{step}.log"
        with (
            tempfile.TemporaryDirectory(prefix="sitectl-aio-") as scratch,
            log.open("a") as out,
        ):
            out.write(f"$ {' '.join(argv)}\n")
            out.flush()
            offset = out.tell()
            result = subprocess.run(
                list(argv),
                cwd=self.repo,
                env=self.environment(Path(scratch)),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        if result.returncode != 0:
            pattern = secrets_pattern([self.options.password] if self.options.password else [])
            said = [redact_text(line, pattern) for line in ansible_errors(log.read_text())]
            raise SiteError(
                f"step {step}: {Path(argv[0]).name} {' '.join(argv[1:4])} failed "
                f"(exit {result.returncode}); full output in {log}. What it said:",
                details=said,
                exit_code=1,
            )
        with log.open() as f:
            f.seek(offset)
            return f.read()

    def kayobe(self, step: str, *words: str) -> None:
        self.command(
            step, [self.kayobe_executable(), *words, "--environment", self.options.environment]
        )


def _images(runner: Runner) -> None:
    runner.kayobe("images", "overcloud", "container", "image", "pull")


def _resources(runner: Runner) -> None:
    from sitectl.aio import resources

    resources.create(runner)


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    action: Callable[[Runner], None]
    # Whether the overlay (images registry/tag) is an input: a changed overlay redoes the step.
    uses_overlay: bool = True


STEPS: tuple[Step, ...] = (
    Step(
        "bootstrap",
        "kayobe control host bootstrap",
        lambda r: r.kayobe("bootstrap", "control", "host", "bootstrap"),
        uses_overlay=False,
    ),
    Step(
        "host-configure",
        "kayobe overcloud host configure",
        lambda r: r.kayobe("host-configure", "overcloud", "host", "configure"),
    ),
    Step("images", "kayobe overcloud container image pull", _images),
    Step(
        "deploy",
        "kayobe overcloud service deploy",
        lambda r: r.kayobe("deploy", "overcloud", "service", "deploy"),
    ),
    Step(
        "post-configure",
        "kayobe overcloud post configure",
        lambda r: r.kayobe("post-configure", "overcloud", "post", "configure"),
    ),
    Step("resources", "test image, flavors and networks", _resources),
)
NAMES = tuple(step.name for step in STEPS)


def _kayobe_step(name: str, *words: str) -> Step:
    return Step(name, f"kayobe {' '.join(words)}", lambda r: r.kayobe(name, *words))


# kayobe's documented sequence for a site whose hosts are already provisioned (kayobe's
# deployment guide); a group with no hosts (no seed hypervisor) makes its step a no-op.
SITE_STEPS: tuple[Step, ...] = (
    _kayobe_step("bootstrap", "control", "host", "bootstrap"),
    _kayobe_step("seed-hypervisor", "seed", "hypervisor", "host", "configure"),
    _kayobe_step("seed-host", "seed", "host", "configure"),
    _kayobe_step("seed-services", "seed", "service", "deploy"),
    _kayobe_step("host-configure", "overcloud", "host", "configure"),
    _kayobe_step("images", "overcloud", "container", "image", "pull"),
    _kayobe_step("deploy", "overcloud", "service", "deploy"),
    _kayobe_step("post-configure", "overcloud", "post", "configure"),
)


def sequence(runner: Runner) -> tuple[Step, ...]:
    return SITE_STEPS if runner.site else STEPS


def status(runner: Runner, steps: Sequence[Step] | None = None) -> list[str]:
    """A line per step of the sequence (the runner's by default): done (how long it took),
    FAILED, or to do."""
    state = State.load(runner.state_file)
    names = [step.name for step in steps or sequence(runner)]
    width = max(len(name) for name in names) + 1
    lines = []
    for name in names:
        entry = state.done.get(name)
        mark = f"done ({entry['seconds']} s)" if entry else "to do"
        lines.append(f"{name:<{width}} {'FAILED' if state.failed == name else mark}")
    return lines


def inputs(runner: Runner, step: Step) -> str:
    text = (runner.overlay_text() or "") if step.uses_overlay else ""
    release = runner.release.commit if runner.release else ""
    seed = f"{runner.options.environment}\n{text}\n{release}\n{runner.upgrading_from or ''}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


def run(
    runner: Runner,
    start: str | None = None,
    steps: Sequence[Step] | None = None,
    before: Callable[[State], None] | None = None,
) -> int:
    """Run the steps (the runner's sequence by default) not done yet, all from `start` when
    given; `before` sees the state first (and may refuse). 0, or SiteError."""
    steps = tuple(steps or sequence(runner))
    names = [step.name for step in steps]
    if start is not None and start not in names:
        raise SiteError(f"no step '{start}'; the steps are: {', '.join(names)}.")
    state = State.load(runner.state_file)
    if before is not None:
        before(state)
    if start is not None:
        state.forget(names[names.index(start) :])
    runner.write_overlay()
    durations: list[tuple[str, str]] = []
    total = len(steps)
    started_all = time.monotonic()
    tag = "deploy" if runner.site else TAG
    try:
        for number, step in enumerate(steps, 1):
            key = inputs(runner, step)
            label = f"{number}/{total} {step.name}"
            if state.is_done(step.name, key):
                seconds = state.done[step.name].get("seconds", 0)
                progress.note(tag, f"{label}: done before ({seconds} s), skipped")
                durations.append((step.name, f"skipped (took {seconds} s)"))
                continue
            started = time.monotonic()
            try:
                with progress.step(tag, f"{label}: {step.title}"):
                    step.action(runner)
            except BaseException:
                state.mark_failed(step.name)
                durations.append((step.name, f"FAILED after {time.monotonic() - started:.1f} s"))
                raise
            seconds = time.monotonic() - started
            state.mark_done(step.name, key, seconds)
            durations.append((step.name, f"{seconds:.1f} s"))
    finally:
        width = max(len(name) for name in [*names, "total"]) + 1
        progress.note(tag, "durations:")
        for name, text in durations:
            progress.note(tag, f"  {name:<{width}} {text}")
        progress.note(tag, f"  {'total':<{width}} {time.monotonic() - started_all:.1f} s")
    return 0
