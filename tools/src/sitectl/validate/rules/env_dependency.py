"""env-dependency: an environment's `.kayobe-environment` is unreadable, or names an unknown
environment, or its dependencies form a cycle.

kayobe orders the layers of an environment by these dependencies; when it cannot, nothing
loads. sitectl reads every environment's `.kayobe-environment`, so a broken one elsewhere is
reported here too (it stops sitectl from loading this environment).

Example of bad input::

    # environments/site/.kayobe-environment
    dependencies:
      - infiniband
      - sriovv          # no environment of that name

    # environments/a/.kayobe-environment        # environments/b/.kayobe-environment
    dependencies: [b]                           dependencies: [a]   (a cycle)
"""

import re
from collections.abc import Iterator
from pathlib import Path

from sitectl.environments import DOT_FILE
from sitectl.validate.files import FileContext
from sitectl.validate.finding import Finding
from sitectl.validate.stages import FILES

ID = "env-dependency"
DESCRIPTION = "a .kayobe-environment is unreadable, names an unknown environment, or is cyclic"
STAGE = FILES

HINT = (
    "Write it as `dependencies: [other-environment, ...]` naming existing environments "
    "(tools/sitectl envs lists them), with no environment depending on itself through others."
)
_LINE = re.compile(r"at line (\d+)")


def check(ctx: FileContext) -> Iterator[Finding]:
    relevant = set(ctx.layering or ()) | {ctx.environment}
    for name, problem in sorted(ctx.dot_file_errors.items()):
        message = problem
        if name not in relevant:
            message += (
                f" (environment {name}; sitectl reads every environment's {DOT_FILE}, so it "
                f"cannot load {ctx.environment} until this is fixed)"
            )
        line = _LINE.search(problem)
        yield Finding(
            rule=ID,
            environment=ctx.environment,
            host=None,
            file=ctx.relative(ctx.environments[name].path / DOT_FILE),
            key="dependencies",
            message=message,
            hint=HINT,
            line=int(line[1]) if line else None,
        )
    if ctx.layering_error is not None:
        culprit, dependency = _culprit(ctx)
        dot_file = ctx.environments[culprit].path / DOT_FILE
        yield Finding(
            rule=ID,
            environment=ctx.environment,
            host=None,
            file=ctx.relative(dot_file),
            key="dependencies",
            message=ctx.layering_error,
            hint=HINT,
            line=_line_of(dot_file, dependency) if dependency else None,
        )


def _culprit(ctx: FileContext) -> tuple[str, str | None]:
    """The environment whose .kayobe-environment breaks the layering, and the dependency:
    an unknown dependency (kayobe's layering stops at those first), else the one closing a
    cycle."""
    return (
        _search(ctx, ctx.environment, unknown=True, path=[], done=set())
        or _search(ctx, ctx.environment, unknown=False, path=[], done=set())
        or (ctx.environment, None)
    )


def _search(
    ctx: FileContext, name: str, unknown: bool, path: list[str], done: set[str]
) -> tuple[str, str] | None:
    """Depth-first from `name`: the first unknown dependency (`unknown`) or back edge."""
    path.append(name)
    for dependency in ctx.environments[name].dependencies:
        if dependency not in ctx.environments or dependency in path:
            if unknown == (dependency not in ctx.environments):
                return name, dependency
            continue
        if dependency not in done and (found := _search(ctx, dependency, unknown, path, done)):
            return found
    path.pop()
    done.add(name)
    return None


def _line_of(path: Path, word: str) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    pattern = re.compile(rf"(^|[\s\[,'\"-]){re.escape(word)}($|[\s\],'\"])")
    for number, line in enumerate(lines, start=1):
        if pattern.search(line) and not line.lstrip().startswith("#"):
            return number
    return None
