"""`sitectl envs`: the environments, their dependencies, layering order and summary."""

import argparse
import json
from typing import Any

from sitectl.environments import discover, layering, unordered
from sitectl.repo import environments_dir
from sitectl.verbs import Context, Verb


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(ctx: Context, args: argparse.Namespace) -> int:
    environments = discover(ctx.repo)
    rows: list[dict[str, Any]] = [
        {
            "name": env.name,
            "path": str(env.path.relative_to(ctx.repo, walk_up=True)),
            "dependencies": list(env.dependencies),
            "layering": layering(environments, env.name),
            "unordered": unordered(environments, env.name),
            "summary": env.summary,
        }
        for env in environments.values()
    ]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    elif not rows:
        where = environments_dir(ctx.repo)
        why = f"{where} is empty" if where.is_dir() else "it has no environments directory"
        print(
            f"no environments ({why}): kayobe uses the base configuration alone "
            "(etc/kayobe), as every sitectl verb does without an environment"
        )
    else:
        print("\n\n".join(describe(row) for row in rows))
    return 0


def describe(row: dict[str, Any]) -> str:
    lines = [
        row["name"],
        f"  depends on  {', '.join(row['dependencies']) or '-'}",
        f"  layering    {' -> '.join(row['layering'])}",
    ]
    lines += [
        f"  note        kayobe applies {', '.join(group)} in no fixed order (no dependency"
        " between them): if they set the same variable, declare one"
        for group in row["unordered"]
    ]
    lines.append(f"  summary     {row['summary'] or '-'}")
    return "\n".join(lines)


VERB = Verb("envs", "list the environments, their dependencies and layering order", configure, run)
