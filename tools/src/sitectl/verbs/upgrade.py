"""`sitectl upgrade BASE [HEAD] --env ENV`: the rehearsal of a merge request that moves the
toolchain (a release upgrade, a point release): what the site changes, what the new release
changes on its own, what it will reject or ignore, what its release notes say for this site,
and what a rehearsal without hosts cannot show (sitectl.diff.rehearsal).

Exit status: 0 the rehearsal found nothing to fix, 1 it found changes or something to fix
or check, 2 the operator's error (nothing half-written), 3 sitectl's own.
"""

import argparse
import os
import sys
from pathlib import Path

from sitectl import outdir
from sitectl.diff import output, rehearsal
from sitectl.diff import rehearsal_report as views
from sitectl.errors import CHANGED, NO_CHANGE, SiteError
from sitectl.verbs import Context, Verb, add_environment, environment

DEFAULT_OUT = Path("reports", "upgrade")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Rehearse moving ENV from BASE to HEAD merged onto BASE, where HEAD pins another "
        "toolchain: three renders tell the site's change from the release's, then the "
        "site's settings the new release rejects or ignores and the release notes that concern "
        "this site. Exit status: 0 nothing found, 1 changes or hazards, 2 the operator's "
        "error, 3 a failure of sitectl's own."
    )
    parser.add_argument("base", metavar="BASE", help="what runs today (any ref)")
    parser.add_argument(
        "head",
        metavar="HEAD",
        nargs="?",
        help="the upgrade (any ref), merged onto BASE; default: the working tree",
    )
    add_environment(parser, positional=False)
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help=f"write report.md, report.html, report.json and junit.xml here (replaced whole; "
        f"default: REPO/{DEFAULT_OUT}/ENV)",
    )


def run(ctx: Context, args: argparse.Namespace) -> int:
    env = environment(args)
    if env is None:
        raise SiteError("sitectl upgrade needs an environment: --env ENV.")
    out = outdir.check(args.out or ctx.repo / DEFAULT_OUT / env, views.REPORT, ctx.repo)
    still = rehearsal.toolchain_stays(ctx.repo, args.base, args.head)
    if still:
        print(still)
        return NO_CHANGE
    found, outcomes = rehearsal.rehearse(
        ctx.repo, env, args.base, args.head, vault_password_file=ctx.vault_password_file
    )
    # The first diff's sides are base and head: it knows every plaintext either side uses.
    files = views.artifacts(found, outcomes[0].secrets, output.gitlab_link(os.environ))
    views.write(out, files, ctx.repo)
    print(views.headline(found))
    print(views.toolchains_line(found))
    print(f"\nreport: {out}/report.html (also report.md, .json, junit.xml)")
    findings = found.hazards or any(
        r is not None and (r.changed or r.error)
        for r in (found.site, found.release, found.together)
    )
    if found.stopped and found.together is None:
        print(found.stopped, file=sys.stderr)
        return 2
    return CHANGED if findings else NO_CHANGE


VERB = Verb(
    "upgrade",
    "rehearse an upgrade: the site's and the release's changes told apart, what the new "
    "release rejects, its notes for this site",
    configure,
    run,
)
