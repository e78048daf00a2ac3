"""`sitectl check hosts [ENV] [--limit HOSTS]`: are the deployed hosts what the configuration
says? pytest-testinfra checks over SSH, as kayobe connects: interfaces (up, MTU, address, VLAN,
bridge and bond members, IPoIB mode), SR-IOV virtual functions, chrony, and the kolla
containers the render puts on each host (running, healthy, their config directory present).

Prints a line per check on stderr, a summary on stdout, and writes report.md, report.html,
report.json and junit.xml to --out. Exit status: 0 every check passed, 1 a check failed.
"""

import argparse
import sys
from pathlib import Path

from sitectl import outdir
from sitectl.errors import SiteError
from sitectl.hostcheck import report
from sitectl.hostcheck.run import Options, check_hosts
from sitectl.verbs import Context, Verb, add_environment, add_list_option, environment

FAILED = 1


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="what", metavar="WHAT", required=True)
    hosts = sub.add_parser("hosts", help="check the deployed hosts against the configuration")
    add_environment(hosts)
    hosts.add_argument(
        "--limit", "-l", metavar="HOSTS", help="hosts or groups, comma-separated (globs allowed)"
    )
    hosts.add_argument(
        "--out",
        type=Path,
        default=Path("reports", "host-checks"),
        metavar="DIR",
        help="where the reports go (default: reports/host-checks)",
    )
    hosts.add_argument(
        "--no-containers",
        dest="containers",
        action="store_false",
        help="do not check the kolla containers (they need a render of the environment)",
    )
    add_list_option(hosts, "--services", "SERVICE", "check only these services' containers")
    hosts.add_argument("--ssh-key", type=Path, metavar="FILE", help="instead of the site's key")
    hosts.add_argument(
        "--ssh-extra-args", metavar="ARGS", help="more ssh options, e.g. '-o ProxyJump=seed'"
    )


def run(ctx: Context, args: argparse.Namespace) -> int:
    if args.services and not args.containers:
        raise SiteError("--services chooses the containers to check: not with --no-containers.")
    options = Options(
        limit=args.limit,
        containers=args.containers,
        services=args.services,
        ssh_extra_args=args.ssh_extra_args,
        ssh_key=args.ssh_key,
    )
    out = outdir.check(args.out, report.REPORT, ctx.repo)
    result = check_hosts(ctx.repo, environment(args), options, ctx.vault_password_file)
    report.write(result, out)
    sys.stdout.write(report.text(result))
    print(f"[check] reports in {out}", file=sys.stderr)
    return FAILED if result.failed else 0


VERB = Verb(
    "check", "check deployed hosts against the configuration (exit 1 on failures)", configure, run
)
