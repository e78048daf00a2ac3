"""`sitectl render [ENV] [--ref REF] [--services a,b] [--out DIR]`: an environment's full
configuration as plain files (kayobe's variables, kolla's inputs, every service's files per
host), secrets redacted, cached by a hash of its inputs. Prints the render directory."""

import argparse
from pathlib import Path

from sitectl.render import render
from sitectl.verbs import Context, Verb, add_environment, add_list_option, environment


def configure(parser: argparse.ArgumentParser) -> None:
    add_environment(parser)
    parser.add_argument(
        "--ref", metavar="REF", help="a git revision to render (default: the working tree)"
    )
    add_list_option(
        parser,
        "--services",
        "SERVICE",
        "only these services (kolla-ansible tags, e.g. nova,neutron; default: all)",
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
    parser.add_argument(
        "--sealed",
        action="store_true",
        help="without the vault password: every vault-encrypted value becomes a stand-in "
        "named after its ciphertext (nothing is decrypted)",
    )


def run(ctx: Context, args: argparse.Namespace) -> int:
    path = render(
        ctx.repo,
        environment(args),
        ref=args.ref,
        services=args.services,
        out=args.out,
        vault_password_file=ctx.vault_password_file,
        use_cache=not args.no_cache,
        sealed=args.sealed,
    )
    print(path)
    return 0


VERB = Verb(
    "render",
    "render an environment's configuration (kayobe, kolla inputs, service files) to a directory",
    configure,
    run,
)
