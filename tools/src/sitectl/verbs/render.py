"""`sitectl render ENV [--ref REF] [--services a,b] [--out DIR]`: an environment's full
configuration as plain files (kayobe's variables, kolla's inputs, every service's files per
host), secrets redacted, cached by a hash of its inputs. Prints the render directory."""

import argparse
from pathlib import Path

from sitectl.render import render
from sitectl.verbs import Context, Verb


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("environment", metavar="ENV")
    parser.add_argument(
        "--ref", metavar="REF", help="a git revision to render (default: the working tree)"
    )
    parser.add_argument(
        "--services",
        metavar="A,B",
        help="only these services (kolla-ansible tags, e.g. nova,neutron; default: all)",
    )
    parser.add_argument(
        "-o",
        "--out",
        type=Path,
        metavar="DIR",
        help="write the render here (replaced whole; default: print the cached render's path)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="render afresh, neither reading nor writing the cache",
    )


def run(ctx: Context, args: argparse.Namespace) -> int:
    path = render(
        ctx.repo,
        args.environment,
        ref=args.ref,
        services=args.services.split(",") if args.services is not None else None,
        out=args.out,
        vault_password_file=ctx.vault_password_file,
        use_cache=not args.no_cache,
    )
    print(path)
    return 0


VERB = Verb(
    "render",
    "render an environment's configuration (kayobe, kolla inputs, service files) to a directory",
    configure,
    run,
)
