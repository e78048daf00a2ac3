"""The site's Prometheus alert rules and their unit tests, through promtool.

The rules are every `kolla/config/prometheus/*.rules` of the configuration (etc/kayobe and each
environment); their tests are the `alert-tests/*.yml` beside that kolla/ directory, in promtool's
unit test format. Each rules file must pass `promtool check rules`, every test file must pass
`promtool test rules`, every rules file must be named by a test, and every alert must be seen
firing by one (an alert no test fires is an alert nobody knows works).

Run as `python -m sitectl.lint.alerts [REPO]` (the lint job's `alerts` check); exit 1 with the
problems on standard output.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from sitectl.repo import environments_dir, kayobe_config_dir

RULES_DIR = Path("kolla", "config", "prometheus")
TESTS_DIR = "alert-tests"
INSTALL = "install Debian's prometheus package (apt-get install prometheus), which has promtool"


@dataclass(frozen=True)
class Layer:
    """A configuration directory with alert rules: etc/kayobe or an environment."""

    root: Path
    rules: tuple[Path, ...]
    tests: tuple[Path, ...]


def layers(repo: Path) -> list[Layer]:
    roots = [kayobe_config_dir(repo)]
    environments = environments_dir(repo)
    if environments.is_dir():
        roots += sorted(p for p in environments.iterdir() if p.is_dir())
    found = []
    for root in roots:
        rules = tuple(sorted((root / RULES_DIR).glob("*.rules")))
        tests = tuple(sorted((root / TESTS_DIR).glob("*.yml")))
        if rules or tests:
            found.append(Layer(root, rules, tests))
    return found


def problems(repo: Path) -> Iterator[str]:
    promtool = shutil.which("promtool")
    found = layers(repo)
    if not found:
        return
    if promtool is None:
        yield f"promtool is not installed, so the alert rules cannot be checked: {INSTALL}."
        return
    for layer in found:
        yield from _layer_problems(repo, layer, promtool)


def _layer_problems(repo: Path, layer: Layer, promtool: str) -> Iterator[str]:
    def shown(path: Path) -> str:
        return str(path.relative_to(repo)) if path.is_relative_to(repo) else str(path)

    for rules in layer.rules:
        proc = _run(promtool, "check", "rules", rules)
        if proc.returncode != 0:
            yield f"{shown(rules)}: promtool check rules failed:\n{_tail(proc)}"
    tested: set[Path] = set()
    fired: set[str] = set()
    for test in layer.tests:
        try:
            spec = yaml.safe_load(test.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as e:
            yield f"{shown(test)}: not a promtool test file ({e})"
            continue
        tested |= {(test.parent / name).resolve() for name in spec.get("rule_files") or []}
        for case in spec.get("tests") or []:
            fired |= {
                check.get("alertname")
                for check in case.get("alert_rule_test") or []
                if check.get("exp_alerts")
            }
        proc = _run(promtool, "test", "rules", test)
        if proc.returncode != 0:
            yield f"{shown(test)}: promtool test rules failed:\n{_tail(proc)}"
    for rules in layer.rules:
        if rules.resolve() not in tested:
            yield (
                f"{shown(rules)}: no test names it; add one to {shown(layer.root / TESTS_DIR)}/ "
                "(promtool's unit test format, rule_files: [../kolla/config/prometheus/...])."
            )
            continue
        for alert in sorted(_alerts(rules) - fired):
            yield (
                f"{shown(rules)}: alert {alert} never fires in a test; add a case whose "
                "exp_alerts expects it."
            )


def _alerts(rules: Path) -> set[str]:
    try:
        data = yaml.safe_load(rules.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return set()  # promtool check rules has said why
    return {
        rule["alert"]
        for group in data.get("groups") or []
        for rule in group.get("rules") or []
        if isinstance(rule, dict) and "alert" in rule
    }


def _run(promtool: str, *args: object) -> subprocess.CompletedProcess[str]:
    command = [promtool, *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _tail(proc: subprocess.CompletedProcess[str]) -> str:
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    return "\n".join("  " + line for line in lines[-40:])


def main(argv: list[str]) -> int:
    repo = Path(argv[0] if argv else ".").resolve()
    found = list(problems(repo))
    for problem in found:
        print(problem)
    if not found:
        rules = sum(len(layer.rules) for layer in layers(repo))
        tests = sum(len(layer.tests) for layer in layers(repo))
        print(f"{rules} alert rule file(s), {tests} test file(s): every alert tested and passing")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
