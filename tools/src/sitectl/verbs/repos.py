"""`sitectl repos sync|snapshot|promote|status [ENV] [--only NAME...]`: the site's package
repository mirrors in Pulp (pulp.yml). `sync` brings every mirror up to its upstream;
`snapshot` syncs and pins a dated snapshot of each mirror that changed in
etc/kayobe/pulp-repo-versions.yml; `promote` serves the pinned snapshots under the production names;
`status` shows where each repository is."""

import argparse
import os
import sys

from sitectl.errors import SiteError
from sitectl.repos import Pulp, promote, propose, snapshot, stamp, status, sync
from sitectl.repos.site import settings
from sitectl.verbs import Context, Verb, add_environment, add_list_option, environment


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, text in (
        ("sync", "bring every mirror up to its upstream (nothing published or pinned)"),
        ("snapshot", "sync, then pin a dated snapshot of each mirror that changed"),
        ("promote", "serve the pinned snapshots under the production names"),
        ("status", "each repository's pinned snapshot, latest version and production"),
    ):
        each = sub.add_parser(action, help=text)
        add_environment(each)
        add_list_option(each, "--only", "NAME", "only these repositories")
        if action == "snapshot":
            each.add_argument(
                "--propose",
                action="store_true",
                help="push the new pins as a branch whose push opens a merge request into the "
                "default branch (GitLab push options; the token from $REPOS_PUSH_TOKEN)",
            )
            each.add_argument(
                "--push-to",
                metavar="URL",
                help="where --propose pushes (default: this project, from $CI_SERVER_URL "
                "and $CI_PROJECT_PATH)",
            )


def run(ctx: Context, args: argparse.Namespace) -> int:
    site = settings(ctx.repo, environment(args), args.only, ctx.vault_password_file)
    pulp = Pulp(site.url, site.username, site.password)
    if args.action == "sync":
        for name, version in sync(pulp, site.upstreams).items():
            print(f"{name}: version {version}")
    elif args.action == "snapshot":
        when = stamp()
        pins = snapshot(ctx.repo, pulp, site.upstreams, when)
        for name, pin in sorted(pins.items()):
            print(f"{name}: {pin.snapshot} (version {pin.version})")
        if args.propose:
            branch = propose(
                ctx.repo,
                args.push_to or _project_url(),
                os.environ.get("CI_DEFAULT_BRANCH") or "main",
                when,
                os.environ.get("REPOS_PUSH_TOKEN"),
            )
            print(f"proposed: {branch}" if branch else "proposed: nothing (no pin moved)")
    elif args.action == "promote":
        moved = promote(ctx.repo, pulp, site.upstreams)
        print("promoted: " + (", ".join(moved) if moved else "nothing (already served)"))
    else:
        for row in status(ctx.repo, pulp, site.upstreams):
            pinned = f"{row.pinned.snapshot} (version {row.pinned.version})" if row.pinned else "-"
            sys.stdout.write(
                f"{row.name}: pinned {pinned}; latest version {row.latest or '-'}; "
                f"production {row.production or '-'}\n"
            )
    return 0


def _project_url() -> str:
    server, project = os.environ.get("CI_SERVER_URL"), os.environ.get("CI_PROJECT_PATH")
    if not server or not project:
        raise SiteError(
            "--propose pushes to this GitLab project: give --push-to URL outside a pipeline "
            "(CI_SERVER_URL and CI_PROJECT_PATH are not set)."
        )
    return f"{server.rstrip('/')}/{project}.git"


VERB = Verb("repos", "snapshot, pin and promote the site's package mirrors in Pulp", configure, run)
