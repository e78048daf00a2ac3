"""The sitectl command line: global options, one sub-command per verb (see sitectl.verbs)."""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sitectl.errors import INTERRUPTED, SiteError
from sitectl.repo import find_repo
from sitectl.verbs import Context, Verb, envs, setup, show

VERBS: tuple[Verb, ...] = (
    setup.VERB,
    envs.VERB,
    show.VERB,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitectl",
        description="The tooling of this Kayobe site configuration: what CI runs, you can run.",
    )
    parser.add_argument(
        "--repo",
        type=Path,
        metavar="PATH",
        help="the configuration repository (default: the launcher's, else found upwards from "
        "the working directory by etc/kayobe)",
    )
    parser.add_argument(
        "--vault-password-file",
        type=Path,
        metavar="FILE",
        help="the vault password (default: $KAYOBE_VAULT_PASSWORD, "
        "$KAYOBE_VAULT_PASSWORD_FILE, then REPO/.vault-password)",
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    for verb in VERBS:
        sub = verbs.add_parser(verb.name, help=verb.help, description=verb.help)
        verb.configure(sub)
        sub.set_defaults(verb_run=verb.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        ctx = Context(repo=find_repo(args.repo), vault_password_file=args.vault_password_file)
        return args.verb_run(ctx, args)
    except SiteError as e:
        print(e.render(), file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("sitectl: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # e.g. `sitectl show ENV | head`
        sys.stderr.close()
        return 0
