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
