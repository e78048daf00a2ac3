"""Build Kolla images for real: kolla-build on the kolla-build.conf and template overrides kayobe
writes for the environment's image builder (`kolla.build_config`), on the container engine the
environment points at (DOCKER_HOST, or kolla's podman socket).

Progress is one line per image started, built or failed; kolla-build's whole output and its
per-image logs go to the reports directory with the report (JSON, JUnit XML and Markdown),
written there only once kolla-build has finished.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitectl import outdir
from sitectl.errors import SiteError
from sitectl.images import kolla
from sitectl.junit import Case, Suite, document
from sitectl.progress import note
from sitectl.repo import venv_bin

REPORT_FILES = ("build.json", "build.xml", "build.md", "build.log")
REPORTS = outdir.kind("image build report", (*REPORT_FILES, "logs"))
# kolla-build's summary lists; "failed" holds images with an error status.
SUMMARY_LISTS = ("built", "failed", "not_matched", "skipped", "unbuildable")

_LOGGER = re.compile(r"^(?P<level>[A-Z]+):kolla\.common\.utils\.(?P<image>[\w.-]+):(?P<text>.*)$")
_TOOK = re.compile(r"\(took (?P<h>\d+):(?P<m>\d+):(?P<s>[\d.]+)\)")


@dataclass(frozen=True)
class Request:
    """What to build. No regexes: the images the site builds (kayobe's
    overcloud_container_image_regexes), as `kayobe overcloud container image build` does."""

    regexes: tuple[str, ...] = ()
    tag: str | None = None  # default: the configuration's kolla_tag
    registry: str | None = None  # default: the configuration's kolla_docker_registry
    push: bool = False
    # More kolla-build.conf files, read after the site's (later options win).
    extra_config: tuple[Path, ...] = ()
    threads: int | None = None


@dataclass
class Outcome:
    tag: str
    registry: str | None
    prefix: str  # registry/namespace/ of the images
    pushed: bool
    regexes: tuple[str, ...]
    built: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # image: kolla's status
    seconds: dict[str, float] = field(default_factory=dict)
    duration: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.failed and bool(self.built)

    def reference(self, image: str) -> str:
        return f"{self.prefix}{image}:{self.tag}"

    def to_json(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "registry": self.registry,
            "pushed": self.pushed,
            "regexes": list(self.regexes),
            "built": [
                {"name": n, "image": self.reference(n), "seconds": self.seconds.get(n)}
                for n in self.built
            ],
            "failed": [{"name": n, "status": s} for n, s in self.failed.items()],
            "duration_s": round(self.duration, 1),
        }

    def junit(self) -> str:
        cases = [
            Case(name, "images.build", seconds=self.seconds.get(name), output=self.reference(name))
            for name in self.built
        ]
        cases += [
            Case(
                name,
                "images.build",
                seconds=self.seconds.get(name),
                failure=f"{name}: {status}",
                details=f"kolla-build status {status!r}; the image's log is logs/{name}.log",
            )
            for name, status in self.failed.items()
        ]
        return document("sitectl images build", [Suite("images build", cases, self.duration)])

    def markdown(self) -> str:
        state = "built" if self.passed else "failed"
        lines = [
            f"### Image build {state}: tag `{self.tag}`",
            "",
            f"{len(self.built)} built, {len(self.failed)} failed, in {self.duration:.0f} s"
            + (
                f"; pushed to `{self.registry or 'the engine default registry'}`."
                if self.pushed
                else "."
            ),
            "",
            "| image | result | time |",
            "|---|---|---|",
        ]
        for name in self.built:
            lines.append(
                f"| `{self.reference(name)}` | built | {self.seconds.get(name, 0):.0f} s |"
            )
        for name, status in self.failed.items():
            lines.append(f"| `{name}` | **{status}** (logs/{name}.log) | |")
        return "\n".join(lines) + "\n"

    def text(self) -> str:
        lines = [f"{len(self.built)} built, {len(self.failed)} failed (tag {self.tag})"]
        lines += [f"  built   {self.reference(n)}" for n in self.built]
        lines += [f"  FAILED  {n}: {s}" for n, s in self.failed.items()]
        return "\n".join(lines) + "\n"


def regexes_of_plan(path: Path) -> tuple[str, ...]:
    """The exact images of a plan (`sitectl images plan --format json`) as kolla regexes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        names = [entry["name"] for entry in data["images"]]
    except OSError as e:
        raise SiteError(f"{path}: cannot read the plan: {e.strerror}") from None
    except (ValueError, KeyError, TypeError):
        raise SiteError(
            f"{path}: not an image plan: expected the JSON of "
            "`sitectl images plan --format json` (an 'images' list of {name: ...})."
        ) from None
    if not all(isinstance(n, str) and re.fullmatch(r"[\w.-]+", n) for n in names):
        raise SiteError(f"{path}: the plan's image names are not kolla image names.")
    return tuple(f"^{re.escape(name)}$" for name in names)


def check_engine() -> None:
    """A clear error, before kolla-build starts, when no container engine answers."""
    import docker  # kolla-build's own client library, in this venv

    try:
        docker.from_env(timeout=10).ping()
    except Exception as e:
        where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        raise SiteError(
            f"no container engine answers at {where} ({type(e).__name__}).",
            "Start dockerd (or podman's API socket) on the builder, or point DOCKER_HOST at it.",
        ) from None


def build(config: kolla.BuildConfig, request: Request, reports: Path) -> Outcome:
    """Run kolla-build for `request`; write the reports (and logs) to `reports`."""
    reports = outdir.check(reports, REPORTS)
    for extra in request.extra_config:
        if not extra.is_file():
            raise SiteError(f"{extra}: extra kolla-build configuration not found.")
    check_engine()
    default = config.conf_sections().get("DEFAULT", {})
    registry = request.registry or config.registry
    namespace = default.get("namespace", ["kolla"])[-1]
    outcome = Outcome(
        tag=request.tag or default.get("tag", ["latest"])[-1],
        registry=registry,
        prefix=f"{registry}/{namespace}/" if registry else f"{namespace}/",
        pushed=request.push,
        regexes=request.regexes or config.site_regexes,
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sitectl-build-") as tmp:
        work = Path(tmp).resolve()  # kolla checks archive paths against an absolute work dir
        staged = work / "reports"
        (staged / "logs").mkdir(parents=True)
        summary_file = work / "summary.json"
        command = _command(config, request, outcome, work, staged / "logs", summary_file)
        returncode = _run(command, staged / "build.log", outcome)
        summary = _summary(summary_file, returncode, staged / "build.log")
        finished = list(outcome.seconds)  # in the order kolla built them: parents first
        outcome.built = sorted(
            (e["name"] for e in summary.get("built", [])),
            key=lambda name: (finished.index(name) if name in finished else len(finished), name),
        )
        outcome.failed = {e["name"]: e.get("status", "error") for e in summary.get("failed", [])}
        outcome.failed.update(
            {e["name"]: "unbuildable" for e in summary.get("unbuildable", []) if _asked(e, outcome)}
        )
        outcome.duration = time.monotonic() - started
        if not outcome.built and not outcome.failed:
            raise SiteError(
                "kolla-build matched no image of this configuration with "
                f"{' '.join(outcome.regexes) or 'the site regexes'}.",
                "Check the regexes (or the plan) against `sitectl images render`.",
            )
        (staged / "build.json").write_text(
            json.dumps(outcome.to_json(), indent=2) + "\n", encoding="utf-8"
        )
        (staged / "build.xml").write_text(outcome.junit(), encoding="utf-8")
        (staged / "build.md").write_text(outcome.markdown(), encoding="utf-8")
        _replace_dir(staged, reports)
    return outcome


def _asked(entry: dict[str, Any], outcome: Outcome) -> bool:
    """An unbuildable image counts as a failure only when the request named it."""
    return any(re.search(regex, entry["name"]) for regex in outcome.regexes)


def _command(
    config: kolla.BuildConfig,
    request: Request,
    outcome: Outcome,
    work: Path,
    logs: Path,
    summary_file: Path,
) -> list[str]:
    conf = kolla.write_config(config, work / "config")
    command = [str(venv_bin() / "kolla-build"), "--config-file", str(conf)]
    for extra in request.extra_config:
        command += ["--config-file", str(extra.resolve())]
    command += [
        "--work-dir",
        str(work / "work"),
        "--logs-dir",
        str(logs),
        "--tag",
        outcome.tag,
        "--format",
        "json",
        "--summary-json-file",
        str(summary_file),
    ]
    if outcome.registry:
        command += ["--registry", outcome.registry]
    if request.push:
        command.append("--push")
    if request.threads:
        command += ["--threads", str(request.threads)]
    return command + list(outcome.regexes)


def _run(command: Sequence[str], log: Path, outcome: Outcome) -> int:
    """kolla-build, its output into `log`, one progress line per image event."""
    note("images", f"kolla-build: tag {outcome.tag}, images matching {' '.join(outcome.regexes)}")
    with log.open("w", encoding="utf-8") as sink:
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            sink.write(line)
            _progress(line.rstrip("\n"), outcome)
        return proc.wait()


def _progress(line: str, outcome: Outcome) -> None:
    match = _LOGGER.match(line)
    if not match:
        return
    image, text = match["image"], match["text"]
    if text.startswith("Building started"):
        note("images", f"{image}: building")
    elif text.startswith("Built at"):
        took = _TOOK.search(text)
        if took:
            seconds = int(took["h"]) * 3600 + int(took["m"]) * 60 + float(took["s"])
            outcome.seconds[image] = seconds
            note("images", f"{image}: built in {seconds:.0f} s")
    elif match["level"] == "ERROR":
        note("images", f"{image}: {text.strip()[:200]}")


def _summary(path: Path, returncode: int, log: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        raise SiteError(
            f"kolla-build stopped (exit {returncode}) before writing its summary:", tail
        ) from None
    return {name: list(data.get(name) or []) for name in SUMMARY_LISTS}


def _replace_dir(staged: Path, target: Path) -> None:
    """The staged reports and logs in place of `target` (sitectl.outdir's policy)."""
    with outdir.replacing(target, REPORTS) as staging:
        shutil.copytree(staged, staging, dirs_exist_ok=True)
