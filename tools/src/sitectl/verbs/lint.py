"""`sitectl lint [CHECK...] [--junit FILE]`: the repository's linters, as the lint job runs them.

Exit status: 0 clean, 1 a check found problems (its output is printed), 2 error.
"""

import argparse
import sys
from pathlib import Path

from sitectl.errors import SiteError
from sitectl.files import write_atomically
from sitectl.lint import CHECKS, run_checks
from sitectl.lint.junit import junit
from sitectl.verbs import Context, Verb


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Run the repository's linters: " + "; ".join(
        f"{c.name}: {c.description}" for c in CHECKS.values()
    )
    parser.add_argument(
        "checks",
        nargs="*",
        metavar="CHECK",
        help=f"which checks ({', '.join(CHECKS)}; default: all)",
    )
    parser.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML here")


def run(ctx: Context, args: argparse.Namespace) -> int:
    unknown = [name for name in args.checks if name not in CHECKS]
    if unknown:
        raise SiteError(f"no lint check {unknown[0]!r}; the checks are: {', '.join(CHECKS)}.")
    results = run_checks(ctx.repo, args.checks or list(CHECKS))
    if args.junit:
        write_atomically(args.junit, junit(results))
    for result in results:
        verdict = "ok" if result.passed else "FAILED"
        print(f"{result.check:<9} {verdict:<7} {result.seconds:>6.1f} s  {result.command}")
    for result in results:
        if not result.passed:
            print(f"\n--- {result.check} ---\n{result.output}", file=sys.stderr)
    return 0 if all(r.passed for r in results) else 1


VERB = Verb(
    "lint",
    "the repository's linters: yamllint, ansible-lint, ruff, pipeline schema",
    configure,
    run,
)
