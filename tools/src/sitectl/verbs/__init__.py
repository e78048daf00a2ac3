"""The verbs of the sitectl CLI, one module each.

To add a verb: write verbs/NAME.py defining `configure(parser)`, `run(ctx, args) -> int` and
`VERB = Verb("name", "one-line help", configure, run)`, then add `NAME.VERB` to VERBS in
sitectl/cli.py. Raise SiteError for anything the operator can fix; print results on stdout and
progress on stderr.
"""

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Context:
    """What every verb gets besides its own arguments: the global options, resolved."""

    repo: Path
    vault_password_file: Path | None


@dataclass(frozen=True)
class Verb:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[Context, argparse.Namespace], int]
    # Everything after the verb goes, unparsed, to the tool it wraps (as args.passthrough).
    passthrough: bool = False


# --- options every verb spells the same way -------------------------------------------------

ENVIRONMENT_HELP = (
    "the kayobe environment (see sitectl envs); none: the base configuration alone, as "
    "kayobe without --environment"
)


def add_environment(parser: argparse.ArgumentParser, positional: bool = True) -> None:
    """ENV (optional positional, where the verb has no other positionals), and the options
    --env / --environment, which every verb accepts."""
    if positional:
        parser.add_argument("environment", nargs="?", metavar="ENV", help=ENVIRONMENT_HELP)
    parser.add_argument(
        "--env",
        "--environment",
        dest="environment_option",
        metavar="ENV",
        help=ENVIRONMENT_HELP if not positional else "the same as ENV",
    )


def environment(args: argparse.Namespace) -> str | None:
    """The environment a verb was given (None: the base configuration)."""
    from sitectl.errors import SiteError

    positional = getattr(args, "environment", None)
    option = getattr(args, "environment_option", None)
    if positional and option and positional != option:
        raise SiteError(f"two environments given ({positional} and --env {option}): give one.")
    return option or positional or None


def names(text: str) -> list[str]:
    """`a,b,c` as a list; an empty name is a usage error."""
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise argparse.ArgumentTypeError(
            f"{text!r}: give names separated by commas, e.g. nova,neutron"
        )
    return items


def add_list_option(parser: argparse.ArgumentParser, flag: str, metavar: str, help: str) -> None:
    """A list-valued option, spelt alike by every verb: comma-separated (`--services
    nova,neutron`) and repeatable; it never swallows the positional after it (the
    environment), as a space-separated list would."""
    parser.add_argument(flag, type=names, action="extend", metavar=f"{metavar}[,...]", help=help)
