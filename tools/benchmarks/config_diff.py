"""Benchmark: the config diff of a merge request, the naive way against `sitectl diff`.

    .venv/bin/python tools/benchmarks/config_diff.py [--envs ci-aio,example-site]
        [--scenarios one-service,globals] [--cold-base] [--json FILE]

Not a test: it renders for real and takes a long time (a full render of ci-aio is minutes).
Everything happens in a temporary clone of the repository's committed HEAD, and runs the
clone's own sitectl (`python -m sitectl --repo CLONE ...` with the clone's tools/src first on
the path): work in progress in the repository cannot change the code, or the render cache's
keys, halfway through. The clone and its render cache are removed at the end.

Scenarios, each a throwaway branch of the clone:
  one-service  the nova.conf override changed (etc/kayobe/kolla/config/nova.conf, the change of
               `sitectl diff --demo`): only nova reads it
  globals      a kolla global changed (etc/kayobe/kolla/globals.yml): every service may read it

Measurements, per environment and scenario:
  naive  what a fresh CI job does with other Kayobe tooling (kayobe-automation's config-diff):
         two full renders one after the other, each as kayobe runs it (one kolla-ansible run:
         `SITECTL_RENDER_PARTS=1 sitectl render --no-cache`), then `diff -Nur`. The base
         side's naive render is made once per environment and counted in each scenario.
  tool   `sitectl diff main BRANCH --env ENV --out DIR` as CI would run it.
         Cached: the full render of main, as in CI where the target branch's own pipeline
         rendered it (`sitectl render ENV --ref main`, timed too: "full render" below).
         Nothing of the branch is cached. With --cold-base, main's render is not cached.
Targets (issue #17): one-service <= 0.10 of naive; globals <= 0.33; and a globals change,
which makes kayobe's layer and every service again, is the whole-configuration case: never
slower than naive.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEMO_FILE = "etc/kayobe/kolla/config/nova.conf"
DEMO_ANCHOR = "[filter_scheduler]"
DEMO_ADDITION = "[DEFAULT]\ncpu_allocation_ratio = 4.0\nram_allocation_ratio = 1.0\n\n"
GLOBALS_FILE = "etc/kayobe/kolla/globals.yml"
GLOBALS_ADDITION = '\n# benchmark: a global every service reads\nopenstack_logging_debug: "True"\n'
TARGETS = {"one-service": 0.10, "globals": 0.33}
IDENTITY = ("-c", "user.name=bench", "-c", "user.email=bench@localhost")


@dataclass
class Result:
    environment: str
    scenario: str
    naive_s: float
    tool_s: float
    base_cached: bool
    plan: str
    changed: bool

    @property
    def ratio(self) -> float:
        return self.tool_s / self.naive_s

    @property
    def met(self) -> bool:
        return self.ratio <= TARGETS[self.scenario]


def git(repo: Path, *args: str) -> str:
    command = ["git", "-C", str(repo), *IDENTITY, *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes)."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def make_branch(clone: Path, name: str, path: str, old: str, new: str) -> None:
    git(clone, "checkout", "-q", "-b", name, "main")
    file = clone / path
    text = file.read_text()
    file.write_text(text.replace(old, new, 1) if old else text + new)
    git(clone, "commit", "-q", "-am", f"benchmark: {name}")
    git(clone, "checkout", "-q", "main")


class Failed(Exception):
    """A step of the benchmark failed (its output is on stderr): that environment is skipped."""


class Sitectl:
    """The clone's sitectl, one process per call, timed."""

    def __init__(self, clone: Path, password: Path) -> None:
        self.clone = clone
        self.password = password
        self.env = {**os.environ, "PYTHONPATH": str(clone / "tools" / "src")}
        for name in ("SITECTL_REPO", "SITECTL_GITLAB_TOKEN", "GITLAB_TOKEN", "CI_API_V4_URL"):
            self.env.pop(name, None)

    def __call__(self, *args: str, ok: Sequence[int] = (0,), one_run: bool = False) -> float:
        """Seconds; one_run: kolla-ansible genconfig in one run, as kayobe runs it."""
        command = [sys.executable, "-m", "sitectl", "--repo", str(self.clone)]
        command += ["--vault-password-file", str(self.password), *args]
        env = {**self.env, "SITECTL_RENDER_PARTS": "1"} if one_run else self.env
        started = time.monotonic()
        result = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, check=False)
        seconds = time.monotonic() - started
        if result.returncode not in ok:
            raise Failed(f"sitectl {' '.join(args)} exited {result.returncode}")
        return seconds


def measure(
    sitectl: "Sitectl", scratch: Path, env: str, scenarios: Sequence[str], cold_base: bool
) -> list[Result]:
    results = []
    base = scratch / f"naive-{env}-main"
    base_s = sitectl("render", env, "--ref", "main", "--out", str(base), "--no-cache", one_run=True)
    print(f"[bench] {env}: naive render of main {base_s:.0f} s", flush=True)
    if not cold_base:
        full_s = sitectl("render", env, "--ref", "main", "--out", str(scratch / "full"))
        shutil.rmtree(scratch / "full")
        print(f"[bench] {env}: full render of main (sitectl, cached) {full_s:.0f} s", flush=True)
    for scenario in scenarios:
        head = scratch / f"naive-{env}-{scenario}"
        head_s = sitectl(
            "render", env, "--ref", scenario, "--out", str(head), "--no-cache", one_run=True
        )
        started = time.monotonic()
        diff = ["diff", "-Nur", str(base / "config"), str(head / "config")]
        subprocess.run(diff, capture_output=True, check=False)
        naive_s = base_s + head_s + time.monotonic() - started
        shutil.rmtree(head)
        print(f"[bench] {env} {scenario}: naive {naive_s:.0f} s", flush=True)
        out = scratch / f"report-{env}-{scenario}"
        tool_args = ["diff", "main", scenario, "--env", env, "--out", str(out)]
        tool_s = sitectl(*tool_args, "--no-post", ok=(0, 1))
        report = json.loads((out / "report.json").read_text())
        plan = report["plan"]["mode"]
        if report["plan"]["services"]:
            plan += f" ({','.join(report['plan']['services'])})"
        result = Result(env, scenario, naive_s, tool_s, not cold_base, plan, report["changed"])
        results.append(result)
        print(f"[bench] {env} {scenario}: tool {tool_s:.0f} s, ratio {result.ratio:.2f}")

    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument("--envs", default="ci-aio,example-site")
    parser.add_argument("--scenarios", default="one-service,globals")
    parser.add_argument("--vault-password-file", type=Path)
    parser.add_argument("--cold-base", action="store_true", help="do not pre-cache main's render")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    envs = [e for e in args.envs.split(",") if e]
    scenarios = [s for s in args.scenarios.split(",") if s in TARGETS]
    password = args.vault_password_file or args.repo / ".vault-password"
    if not password.is_file():
        password = args.repo / "ci" / "vault-password.example"

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="sitectl-bench-") as scratch_name:
        scratch = Path(scratch_name)
        clone = scratch / "clone"
        subprocess.run(["git", "clone", "-q", str(args.repo), str(clone)], check=True)
        git(clone, "checkout", "-q", "-B", "main")
        make_branch(clone, "one-service", DEMO_FILE, DEMO_ANCHOR, DEMO_ADDITION + DEMO_ANCHOR)
        make_branch(clone, "globals", GLOBALS_FILE, "", GLOBALS_ADDITION)
        print(f"[bench] clone of {args.repo} at {git(clone, 'rev-parse', '--short', 'main')}")
        print(f"[bench] load before: {load()} on {os.cpu_count()} cores", flush=True)
        sitectl = Sitectl(clone, password)
        failed: list[str] = []
        for env in envs:
            try:
                results += measure(sitectl, scratch, env, scenarios, args.cold_base)
            except Failed as e:
                print(f"[bench] {env}: skipped: {e}", flush=True)
                failed.append(env)

    cached = "main's full render cached" if not args.cold_base else "nothing cached"
    print(f"\n{'environment':<14}{'scenario':<13}{'naive':>8}{'tool':>8}{'ratio':>7}  target")
    for r in results:
        verdict = "met" if r.met else "NOT met"
        print(
            f"{r.environment:<14}{r.scenario:<13}{r.naive_s:>7.0f}s{r.tool_s:>7.0f}s"
            f"{r.ratio:>7.2f}  <= {TARGETS[r.scenario]} {verdict}; {r.plan}"
        )
    print(f"naive: two full renders, nothing cached, + diff -Nur. tool: {cached}; branch cold.")
    print(f"load after: {load()} on {os.cpu_count()} cores")
    if args.json:
        rows = [{**asdict(r), "ratio": r.ratio, "met": r.met} for r in results]
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    for env in failed:
        print(f"{env}: not measured (a render failed; see above)")
    return 0 if results and not failed and all(r.met for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
