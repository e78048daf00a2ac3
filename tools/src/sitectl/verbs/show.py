"""`sitectl show [ENV]`: an environment's resolved configuration (kayobe's own), redacted."""

import argparse
import sys

from sitectl.dump import dump
from sitectl.environments import discover, layering
from sitectl.errors import SiteError
from sitectl.formats import FORMATS, emit
from sitectl.summary import summarise
from sitectl.verbs import Context, Verb, add_environment, environment


def configure(parser: argparse.ArgumentParser) -> None:
    add_environment(parser)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--host", metavar="H", help="one host: print its variables directly")
    which.add_argument("--hosts", metavar="PATTERN", help="hosts and/or groups (Ansible pattern)")
    parser.add_argument("--var", metavar="NAME", help="only this variable")
    parser.add_argument(
        "--format",
        choices=(*FORMATS, "summary"),
        default="json",
        help="summary: each host's groups, interfaces and addresses (not with --host/--var)",
    )


def run(ctx: Context, args: argparse.Namespace) -> int:
    env = environment(args)
    if args.format == "summary":
        if args.host or args.var:
            raise SiteError("--format summary shows whole hosts: drop --host and --var.")
        hosts = dump(
            ctx.repo,
            env,
            hosts=args.hosts,
            vault_password_file=ctx.vault_password_file,
        )
        order = layering(discover(ctx.repo), env)
        sys.stdout.write(summarise(env, order, hosts))
        return 0
    data = dump(
        ctx.repo,
        env,
        host=args.host,
        hosts=args.hosts,
        var=args.var,
        vault_password_file=ctx.vault_password_file,
    )
    emit(data, args.format)
    return 0


VERB = Verb(
    "show",
    "print an environment's resolved configuration (kayobe configuration dump, redacted)",
    configure,
    run,
)
