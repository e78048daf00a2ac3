"""Kayobe environments: which exist, what each depends on, and the order kayobe layers them.

An environment is a directory under environments/ (reached by kayobe as
etc/kayobe/environments). Its optional `.kayobe-environment` file declares
`dependencies: [a, b]`; kayobe applies the dependencies first and the environment last, so
later ones override earlier ones.

layering() reproduces kayobe.utils.EnvironmentFinder.ordered(): the same depth-first
collection and the same graphlib topological sort, but with the dependencies kept in their
declared order where kayobe keeps them in a set. Where the dependencies leave the order open,
kayobe's order therefore depends on Python's string hashing and can change from one run to the
next; ours is the one kayobe produces when the sets iterate in declaration order, and
unordered() names the environments concerned.
"""

import graphlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from sitectl.errors import SiteError
from sitectl.repo import environments_dir

DOT_FILE = ".kayobe-environment"
README = "README.md"


@dataclass(frozen=True)
class Environment:
    name: str
    path: Path
    dependencies: tuple[str, ...]
    summary: str


def discover(repo: Path) -> dict[str, Environment]:
    """Every environment of the repository by name (sorted), with its declared dependencies."""
    root = environments_dir(repo)
    if not root.is_dir():
        return {}
    return {
        path.name: Environment(
            name=path.name,
            path=path,
            dependencies=read_dependencies(path / DOT_FILE),
            summary=read_summary(path / README),
        )
        for path in sorted(root.iterdir())
        if path.is_dir() and not path.name.startswith(".")
    }


def read_dependencies(dot_file: Path) -> tuple[str, ...]:
    """The `dependencies` of a .kayobe-environment file (none when the file is absent)."""
    if not dot_file.is_file():
        return ()
    try:
        data = yaml.safe_load(dot_file.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SiteError(f"{dot_file} is not valid YAML{where}: {e.problem or e}.") from None
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise SiteError(f"{dot_file} cannot be read as YAML: {e}.") from None
    example = "write it as `dependencies: [other-environment, ...]`"
    if data is None:
        raise SiteError(f"{dot_file} is empty, which kayobe cannot read; {example} or delete it.")
    if not isinstance(data, dict):
        raise SiteError(f"{dot_file} holds a {type(data).__name__}, not a mapping; {example}.")
    dependencies = data.get("dependencies", [])
    if not isinstance(dependencies, list):
        raise SiteError(
            f"{dot_file}: `dependencies` must be a list of environment names, not "
            f"{type(dependencies).__name__} {dependencies!r}; {example}."
        )
    for number, entry in enumerate(dependencies, start=1):
        if not isinstance(entry, str) or not entry:
            raise SiteError(
                f"{dot_file}: dependency entry {number} ({entry!r}) is not an environment name."
            )
    return tuple(dict.fromkeys(dependencies))


def read_summary(readme: Path) -> str:
    """The first paragraph of prose in a README (its first heading if it has no prose)."""
    try:
        text = readme.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    heading = ""
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        prose = [line for line in lines if not line.startswith("#")]
        if lines and not heading and lines[0].startswith("#"):
            heading = lines[0].lstrip("#").strip()
        if prose and not prose[0].startswith(("```", "<!--")):
            return " ".join(prose)
    return heading


BASE_LABEL = "the base configuration"


def label(name: str | None, prefix: str = "") -> str:
    """How messages and reports name an environment (None: the base configuration alone);
    `prefix` goes before a name ("environment ")."""
    return f"{prefix}{name}" if name is not None else BASE_LABEL


def kayobe_args(name: str | None) -> list[str]:
    """kayobe's option for the environment (none for the base configuration)."""
    return [] if name is None else ["--environment", name]


def layering(environments: Mapping[str, Environment], name: str | None) -> list[str]:
    """The environments kayobe applies for `name`, in order: dependencies first, `name` last
    (none for the base configuration alone)."""
    if name is None:
        return []
    return [env for group in _groups(environments, name) for env in group]


def unordered(environments: Mapping[str, Environment], name: str) -> list[list[str]]:
    """Groups of environments in the layering of `name` whose relative order no dependency
    fixes: kayobe may apply them in a different order on another run."""
    return [group for group in _groups(environments, name) if len(group) > 1]


def _groups(environments: Mapping[str, Environment], name: str) -> list[list[str]]:
    """The layering as graphlib hands it out: each group becomes ready together."""
    if name not in environments:
        known = ", ".join(environments) or "none"
        raise SiteError(f"unknown environment {name!r}; the known environments are: {known}.")
    graph: dict[str, tuple[str, ...]] = {}
    _collect(environments, name, graph)
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for env, dependencies in graph.items():
        sorter.add(env, *dependencies)
    try:
        sorter.prepare()
    except graphlib.CycleError as e:
        # graphlib lists each node before the one that depends on it; show "depends on" order.
        cycle = " -> ".join(reversed(e.args[1]))
        raise SiteError(
            f"the dependencies of environment {name!r} form a cycle: {cycle} (each depends on "
            f"the next); kayobe cannot order them. Remove one of these dependencies from its "
            f"{DOT_FILE}."
        ) from None
    groups = []
    while sorter.is_active():
        ready = list(sorter.get_ready())
        groups.append(ready)
        sorter.done(*ready)
    return groups


def _collect(
    environments: Mapping[str, Environment], name: str, graph: dict[str, tuple[str, ...]]
) -> None:
    """Depth-first, in the order kayobe's EnvironmentFinder._collect visits them."""
    if name in graph:
        return
    env = environments[name]
    graph[name] = env.dependencies
    for dependency in env.dependencies:
        if dependency not in environments:
            known = ", ".join(environments)
            raise SiteError(
                f"{env.path / DOT_FILE} lists dependency {dependency!r}, but there is no "
                f"environment of that name (known: {known})."
            )
        _collect(environments, dependency, graph)
