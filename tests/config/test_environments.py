"""Environments: discovery, kayobe's layering order, and clear errors for broken declarations."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kayobe import utils as kayobe_utils

from sitectl.environments import discover, layering, read_summary, unordered
from sitectl.errors import SiteError
from tests.synthetic import add_env, make_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


class OrderedSet(dict):
    """A set that iterates in insertion order: substituted for `set` in kayobe.utils, it makes
    kayobe's EnvironmentFinder deterministic (dependencies in declared order)."""

    def __init__(self, items: object = ()) -> None:
        super().__init__(dict.fromkeys(items))  # type: ignore[arg-type]

    def add(self, item: object) -> None:
        self[item] = None


def kayobe_order(repo: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    with monkeypatch.context() as patch:
        patch.setattr(kayobe_utils, "set", OrderedSet, raising=False)
        return kayobe_utils.EnvironmentFinder(str(repo / "etc" / "kayobe"), name).ordered()


# --- discovery ------------------------------------------------------------------------------


def test_discover_lists_directories_with_dependencies_and_summary(repo: Path) -> None:
    add_env(repo, "site", ["mixin-b", "mixin-a"], readme="# site\n\nThe site.\nSecond line.\n")
    add_env(repo, "mixin-a")
    add_env(repo, "mixin-b", [])
    add_env(repo, ".hidden")
    (repo / "environments" / "README.md").write_text("not an environment\n")

    envs = discover(repo)

    assert list(envs) == ["mixin-a", "mixin-b", "site"]
    assert envs["site"].dependencies == ("mixin-b", "mixin-a")
    assert envs["site"].summary == "The site. Second line."
    assert envs["site"].path == repo / "environments" / "site"
    assert envs["mixin-a"].dependencies == ()
    assert envs["mixin-a"].summary == ""


def test_discover_without_environments_directory(tmp_path: Path) -> None:
    (tmp_path / "etc" / "kayobe").mkdir(parents=True)
    assert discover(tmp_path) == {}


def test_duplicate_dependencies_count_once(repo: Path) -> None:
    add_env(repo, "site", ["a", "a"])
    add_env(repo, "a")
    assert discover(repo)["site"].dependencies == ("a",)


@pytest.mark.parametrize(
    ("readme", "summary"),
    [
        ("# Title\n\nFirst paragraph\nwraps.\n\nSecond.\n", "First paragraph wraps."),
        ("# Title\nProse right under the heading.\n", "Prose right under the heading."),
        ("Plain first line.\n", "Plain first line."),
        ("# Only a heading\n\n## And another\n", "Only a heading"),
        ("# T\n\n<!-- comment -->\n\n```\ncode\n```\n\nReal text.\n", "Real text."),
        ("", ""),
    ],
)
def test_summary_is_the_first_prose_paragraph(tmp_path: Path, readme: str, summary: str) -> None:
    (tmp_path / "README.md").write_text(readme)
    assert read_summary(tmp_path / "README.md") == summary


def test_summary_of_missing_readme(tmp_path: Path) -> None:
    assert read_summary(tmp_path / "README.md") == ""


# --- layering, compared with kayobe -----------------------------------------------------------


def test_environment_without_dependencies_is_alone(repo: Path) -> None:
    add_env(repo, "solo")
    assert layering(discover(repo), "solo") == ["solo"]


def test_chain_puts_dependencies_first(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_env(repo, "site", ["middle"])
    add_env(repo, "middle", ["base"])
    add_env(repo, "base")
    assert layering(discover(repo), "site") == ["base", "middle", "site"]
    assert kayobe_order(repo, "site", monkeypatch) == ["base", "middle", "site"]


def test_diamond_matches_kayobe(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_env(repo, "site", ["ironic", "ephemeral", "infiniband", "sriov"])
    add_env(repo, "ephemeral", ["ironic"])
    for name in ("ironic", "infiniband", "sriov"):
        add_env(repo, name)
    ours = layering(discover(repo), "site")
    assert ours == kayobe_order(repo, "site", monkeypatch)
    assert ours[-1] == "site"
    assert ours.index("ironic") < ours.index("ephemeral")


# Random dependency graphs: environment i may depend on environments j < i (so no cycles).
dags = st.integers(min_value=1, max_value=7).flatmap(
    lambda n: st.tuples(
        *[
            st.lists(st.integers(0, i - 1), unique=True, max_size=i) if i else st.just([])
            for i in range(n)
        ]
    )
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(graph=dags, names=st.permutations(list("abcdefg")))
def test_layering_is_kayobes_order(
    graph: tuple[list[int], ...], names: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = make_repo(Path(tmp))
        for i, deps in enumerate(graph):
            add_env(repo, names[i], [names[j] for j in deps])
        top = names[len(graph) - 1]
        envs = discover(repo)
        assert layering(envs, top) == kayobe_order(repo, top, monkeypatch)


def test_kayobes_own_order_varies_only_within_unordered_groups(repo: Path) -> None:
    """Unpatched, kayobe iterates sets in hash order; across hash seeds its order must always be
    ours up to permutations inside the groups unordered() reports."""
    add_env(repo, "site", ["a", "c", "d", "e"])
    add_env(repo, "a", ["b"])
    for name in "bcde":
        add_env(repo, name)
    envs = discover(repo)
    ours = layering(envs, "site")
    groups = [set(g) for g in unordered(envs, "site")]
    assert {"b", "c", "d", "e"} in groups

    script = (
        "import json, sys; from kayobe.utils import EnvironmentFinder; "
        "print(json.dumps(EnvironmentFinder(sys.argv[1], 'site').ordered()))"
    )
    orders = set()
    for seed in range(6):
        result = subprocess.run(
            [sys.executable, "-c", script, str(repo / "etc" / "kayobe")],
            env={"PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        )
        order = json.loads(result.stdout)
        orders.add(tuple(order))
        assert sorted(order) == sorted(ours)
        assert order[4:] == ours[4:] == ["a", "site"]
        assert set(order[:4]) == set(ours[:4])
    assert len(orders) > 1, "expected kayobe's order to depend on the hash seed"


def test_fully_ordered_layering_has_no_unordered_group(repo: Path) -> None:
    add_env(repo, "site", ["b"])
    add_env(repo, "b", ["a"])
    add_env(repo, "a")
    assert unordered(discover(repo), "site") == []


# --- errors ---------------------------------------------------------------------------------


def error_of(repo: Path, name: str) -> str:
    with pytest.raises(SiteError) as caught:
        layering(discover(repo), name)
    return caught.value.message


def test_unknown_environment_lists_the_known_ones(repo: Path) -> None:
    add_env(repo, "alpha")
    add_env(repo, "beta")
    message = error_of(repo, "gamma")
    assert "unknown environment 'gamma'" in message
    assert "alpha, beta" in message


def test_unknown_environment_when_there_is_none(repo: Path) -> None:
    assert "none" in error_of(repo, "x")


def test_missing_dependency_names_file_and_entry(repo: Path) -> None:
    add_env(repo, "site", ["ironic", "infinband"])
    add_env(repo, "ironic")
    add_env(repo, "infiniband")
    message = error_of(repo, "site")
    assert str(Path("environments", "site", ".kayobe-environment")) in message
    assert "'infinband'" in message
    assert "infiniband, ironic, site" in message


def test_cycle_shows_the_cycle(repo: Path) -> None:
    add_env(repo, "site", ["a"])
    add_env(repo, "a", ["b"])
    add_env(repo, "b", ["a"])
    message = error_of(repo, "site")
    assert "cycle" in message
    assert "a -> b -> a" in message or "b -> a -> b" in message


def test_self_dependency_is_a_cycle(repo: Path) -> None:
    add_env(repo, "site", ["site"])
    assert "site -> site" in error_of(repo, "site")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("dependencies: [a, b\n", "not valid YAML at line 2"),
        ("dependencies: [a]\n  bad: indent\n", "not valid YAML at line 2"),
        ("", "is empty"),
        ("- a\n- b\n", "holds a list, not a mapping"),
        ("dependencies: a\n", "`dependencies` must be a list"),
        ("dependencies:\n", "`dependencies` must be a list"),
        ("dependencies: [a, 3]\n", "dependency entry 2 (3)"),
        ("dependencies: [a, [b]]\n", "dependency entry 2"),
    ],
)
def test_malformed_kayobe_environment(repo: Path, content: str, expected: str) -> None:
    path = add_env(repo, "site") / ".kayobe-environment"
    path.write_text(content)
    with pytest.raises(SiteError) as caught:
        discover(repo)
    assert str(path) in caught.value.message
    assert expected in caught.value.message
