"""`sitectl show [ENV]`: an environment's resolved configuration (kayobe's own), redacted."""

import argparse
import sys
from pathlib import Path
from typing import Any

from sitectl.dump import dump
from sitectl.environments import discover, layering
from sitectl.errors import SiteError
from sitectl.formats import FORMATS, emit
from sitectl.render import dump_sealed
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
    parser.add_argument(
        "--sealed",
        action="store_true",
        help="without the vault password: every vault-encrypted value shows as a stand-in "
        "named after its ciphertext (nothing is decrypted)",
    )


def run(ctx: Context, args: argparse.Namespace) -> int:
    env = environment(args)
    if args.format == "summary" and (args.host or args.var):
        raise SiteError("--format summary shows whole hosts: drop --host and --var.")
    if args.sealed:
        if ctx.vault_password_file is not None:
            raise SiteError("--sealed reads no vault password: drop --vault-password-file.")
        data = dump_sealed(ctx.repo, env, lambda copy: _dump(copy, env, args, None))
    else:
        data = _dump(ctx.repo, env, args, ctx.vault_password_file)
    if args.format == "summary":
        sys.stdout.write(summarise(env, layering(discover(ctx.repo), env), data))
    else:
        emit(data, args.format)
    return 0


def _dump(repo: Path, env: str | None, args: argparse.Namespace, password: Path | None) -> Any:
    if args.format == "summary":
        return dump(repo, env, hosts=args.hosts, vault_password_file=password)
    return dump(
        repo, env, host=args.host, hosts=args.hosts, var=args.var, vault_password_file=password
    )


VERB = Verb(
    "show",
    "print an environment's resolved configuration (kayobe configuration dump, redacted)",
    configure,
    run,
)
