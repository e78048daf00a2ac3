"""Benchmark: the config diff of a merge request, the naive way against `sitectl diff`.

    .venv/bin/python tools/benchmarks/config_diff.py [--envs ci-aio,example-site]
                                                     [--scenarios one-service,globals]

Not a test: it renders for real and takes a long time (a full render of ci-aio is minutes).
It works in a temporary clone of the repository (its committed HEAD) and leaves nothing behind.

Scenarios, each a throwaway branch of the clone:
  one-service  nova.conf override changed (etc/kayobe/kolla/config/nova.conf): only nova reads it
  globals      a kolla global changed (etc/kayobe/kolla/globals.yml): every service may read it

Measurements, per environment and scenario:
  naive  what a fresh CI job does today (kayobe-automation's config-diff): two full renders,
         nothing cached, then `diff -Nur`. The base side's full render is made once per
         environment and counted in each scenario's naive time.
  tool   `sitectl diff BASE BRANCH --env ENV` (plan, renders, comparison, every report file).
         Cached: the full render of BASE, as in CI where the target branch's own pipeline has
         rendered it (the naive base render above, made into a fresh cache). Not cached: anything
         of the branch. With --cold-base the BASE render is not cached either.
Targets: one-service <= 1/5 of naive; globals no slower than naive.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from sitectl import vault
from sitectl.diff import demo, output
from sitectl.diff.model import Report
from sitectl.diff.run import Request, run
from sitectl.render import render

GLOBALS_FILE = "etc/kayobe/kolla/globals.yml"
GLOBALS_CHANGE = '\n# benchmark: a global every service reads\nopenstack_logging_debug: "True"\n'
TARGETS = {"one-service": 0.2, "globals": 1.0}


@dataclass
class Result:
    environment: str
    scenario: str
    naive_s: float
    tool_s: float
    plan: str
    base_cached: bool
    changed: bool

    @property
    def ratio(self) -> float:
        return self.tool_s / self.naive_s if self.naive_s else float("nan")

    @property
    def met(self) -> bool:
        return self.ratio <= TARGETS[self.scenario]


IDENTITY = ("-c", "user.name=bench", "-c", "user.email=bench@localhost")


def git(repo: Path, *args: str) -> str:
    command = ["git", "-C", str(repo), *IDENTITY, *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def make_branch(clone: Path, name: str, change: Callable[[str], str], path: str) -> None:
    git(clone, "checkout", "-q", "-b", name, "main")
    file = clone / path
    file.write_text(change(file.read_text()))
    git(clone, "commit", "-q", "-am", f"benchmark: {name}")
    git(clone, "checkout", "-q", "main")


def timed[T](what: Callable[[], T]) -> tuple[T, float]:
    started = time.monotonic()
    value = what()
    return value, time.monotonic() - started


@dataclass
class Bench:
    clone: Path
    scratch: Path
    password: Path | None
    cold_base: bool

    def naive_base(self, env: str) -> tuple[Path, float]:
        """The full render of main: uncached, or made into a fresh cache the tool may use."""
        out = self.scratch / f"naive-{env}-base"
        if self.cold_base:
            return timed(lambda: self._render(env, "main", out=out, use_cache=False))
        rendered, seconds = timed(
            lambda: self._render(env, "main", use_cache=True, cache_dir=self.cache(env))
        )
        shutil.copytree(rendered, out)
        return out, seconds

    def naive_head(self, env: str, scenario: str, base: Path) -> float:
        head = self.scratch / f"naive-{env}-{scenario}"
        _, render_s = timed(lambda: self._render(env, scenario, out=head, use_cache=False))
        diff = ["diff", "-Nur", str(base / "config"), str(head / "config")]
        _, diff_s = timed(lambda: subprocess.run(diff, capture_output=True, check=False))
        shutil.rmtree(head, ignore_errors=True)
        return render_s + diff_s

    def tool(self, env: str, scenario: str) -> tuple[Report, float]:
        cache = self.cache(env) if not self.cold_base else self.scratch / f"cold-{scenario}"
        request = Request(
            self.clone, env, "main", scenario, cache_dir=cache, vault_password_file=self.password
        )

        def diff() -> Report:
            outcome = run(request)
            files = output.artifacts(outcome.report, outcome.unified)
            output.write(self.scratch / f"report-{env}-{scenario}", files)
            return outcome.report

        return timed(diff)

    def cache(self, env: str) -> Path:
        return self.scratch / f"cache-{env}"  # fresh: nothing of this run is in it before

    def _render(self, env: str, ref: str, **options: object) -> Path:
        return render(self.clone, env, ref=ref, vault_password_file=self.password, **options)  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2])
    parser.add_argument("--envs", default="ci-aio,example-site")
    parser.add_argument("--scenarios", default="one-service,globals")
    parser.add_argument("--vault-password-file", type=Path)
    parser.add_argument("--cold-base", action="store_true", help="do not pre-cache BASE")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    envs = [e for e in args.envs.split(",") if e]
    scenarios = [s for s in args.scenarios.split(",") if s]
    password = args.vault_password_file
    if vault.find_password(args.repo, password) is None:
        password = args.repo / vault.EXAMPLE_PASSWORD_FILE

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="sitectl-bench-") as scratch_name:
        scratch = Path(scratch_name)
        clone = scratch / "clone"
        subprocess.run(
            ["git", "clone", "-q", "--no-hardlinks", str(args.repo), str(clone)], check=True
        )
        git(clone, "checkout", "-q", "-B", "main")
        make_branch(clone, "one-service", demo.change, demo.FILE)
        make_branch(clone, "globals", lambda text: text + GLOBALS_CHANGE, GLOBALS_FILE)
        print(f"clone of {args.repo} at {git(clone, 'rev-parse', '--short', 'main')}", flush=True)
        bench = Bench(clone, scratch, password, args.cold_base)
        for env in envs:
            base, base_s = bench.naive_base(env)
            print(f"[bench] {env}: naive base render (full) {base_s:.0f} s", flush=True)
            for scenario in scenarios:
                naive_s = base_s + bench.naive_head(env, scenario, base)
                print(f"[bench] {env} {scenario}: naive {naive_s:.0f} s", flush=True)
                report, tool_s = bench.tool(env, scenario)
                services = ",".join(report.plan.services)
                result = Result(
                    environment=env,
                    scenario=scenario,
                    naive_s=naive_s,
                    tool_s=tool_s,
                    plan=report.plan.mode + (f" ({services})" if services else ""),
                    base_cached=not args.cold_base,
                    changed=report.changed,
                )
                results.append(result)
                print(f"[bench] {env} {scenario}: tool {tool_s:.0f} s, ratio {result.ratio:.2f}")

    print()
    print(f"{'environment':<14}{'scenario':<13}{'naive s':>9}{'tool s':>9}{'ratio':>8}"
          f"{'target':>8}  {'met':<4} plan / what was cached")  # fmt: skip
    for r in results:
        cached = "BASE full render cached" if r.base_cached else "nothing cached"
        print(
            f"{r.environment:<14}{r.scenario:<13}{r.naive_s:>9.0f}{r.tool_s:>9.0f}"
            f"{r.ratio:>8.2f}{'<=' + str(TARGETS[r.scenario]):>8}  {'yes' if r.met else 'NO':<4} "
            f"{r.plan}; {cached}; head cold"
        )
    if args.json:
        args.json.write_text(
            json.dumps([{**asdict(r), "ratio": r.ratio, "met": r.met} for r in results], indent=2)
        )
    return 0 if all(r.met for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
