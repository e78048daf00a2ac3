"""The site's alert rules under promtool (`sitectl lint alerts`): the repository's pass, and a
broken rule, an untested alert and an untested rules file each fail with what to do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitectl.lint import alerts
from tests.helpers import REPO

RULES = Path("environments/monitoring/kolla/config/prometheus")


def test_every_alert_of_the_repository_is_tested_and_passes(promtool: str) -> None:
    assert list(alerts.problems(REPO)) == []
    layers = alerts.layers(REPO)
    assert {p.name for layer in layers for p in layer.rules} == {
        "hardware.rules",
        "hosts.rules",
        "openstack.rules",
    }


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The monitoring mixin alone, in a configuration of its own."""
    root = tmp_path / "site"
    (root / "etc" / "kayobe").mkdir(parents=True)
    shutil.copytree(REPO / "environments" / "monitoring", root / "environments" / "monitoring")
    (root / "etc" / "kayobe" / "environments").symlink_to(Path("..", "..", "environments"))
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_changed_rule_fails_its_test(promtool: str, copy: Path) -> None:
    _edit(copy / RULES / "hosts.rules", "for: 5m", "for: 30m")  # HostDown much later
    [problem] = alerts.problems(copy)
    assert problem.startswith("environments/monitoring/alert-tests/hosts.yml: promtool test")
    assert "HostDown" in problem


def test_an_alert_no_test_fires_is_named(promtool: str, copy: Path) -> None:
    rules = copy / RULES / "hosts.rules"
    rules.write_text(
        rules.read_text()
        + "\n      - alert: SwapFull\n        expr: node_memory_SwapFree_bytes == 0\n"
    )
    [problem] = alerts.problems(copy)
    assert "alert SwapFull never fires in a test" in problem


def test_a_rules_file_without_tests_and_a_broken_one_are_named(promtool: str, copy: Path) -> None:
    (copy / RULES / "extra.rules").write_text(
        "groups:\n  - name: x\n    rules:\n      - alert: A\n"
    )
    found = list(alerts.problems(copy))
    assert any("extra.rules: promtool check rules failed" in p for p in found)
    assert any("extra.rules: no test names it" in p for p in found)


def test_without_promtool_the_check_says_how_to_install_it(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alerts.shutil, "which", lambda name: None)
    [problem] = alerts.problems(copy)
    assert "apt-get install prometheus" in problem
