"""Which files of the repository are GitLab pipelines: the parent, every local file it
includes or triggers (followed through those files too), and the templates the image planner
makes child pipelines from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from sitectl.images import TEMPLATES as CHILD_TEMPLATES

PARENT = Path(".gitlab-ci.yml")


class GitLabLoader(yaml.SafeLoader):
    """PyYAML's safe loader that also reads GitLab's `!reference [job, key]` tags."""


GitLabLoader.add_constructor(
    "!reference",
    lambda loader, node: loader.construct_sequence(node),  # type: ignore[arg-type]
)


def load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=GitLabLoader)


def files(repo: Path) -> list[Path]:
    """The pipeline files, relative to `repo`, the parent first."""
    found: list[Path] = []
    todo = [PARENT]
    while todo:
        path = todo.pop(0)
        if path in found or not (repo / path).is_file():
            continue
        found.append(path)
        todo += [Path(local.lstrip("/")) for local in _locals(load(repo / path))]
    found += sorted(p.relative_to(repo) for p in (repo / CHILD_TEMPLATES).glob("*.yml"))
    return list(dict.fromkeys(found))


def _locals(node: Any) -> Iterator[str]:
    """Every `local:` file named anywhere in a pipeline (include:, trigger:include:)."""
    if isinstance(node, dict):
        local = node.get("local")
        if isinstance(local, str):
            yield local
        for value in node.values():
            yield from _locals(value)
    elif isinstance(node, list):
        for item in node:
            yield from _locals(item)
