"""`sitectl deploy ENV [--from STEP] [--status]`: a site deployed by kayobe's documented
sequence (the control host, the seed hypervisor, the seed, then the overcloud's hosts, images
and services), as resumable steps: a rerun skips what is done and continues from the step that
failed (sitectl.aio.steps, SITE_STEPS). Runs against real hosts, as `sitectl kayobe` does."""

import argparse
import sys

from sitectl.aio import steps
from sitectl.environments import discover, layering
from sitectl.errors import SiteError
from sitectl.vault import find_password
from sitectl.verbs import Context, Verb, add_environment, environment

NAMES = [step.name for step in steps.SITE_STEPS]


def configure(parser: argparse.ArgumentParser) -> None:
    add_environment(parser)
    parser.add_argument(
        "--from",
        dest="start",
        choices=NAMES,
        metavar="STEP",
        help=f"redo STEP and every later one ({', '.join(NAMES)})",
    )
    parser.add_argument("--status", action="store_true", help="show which steps are done, and stop")


def run(ctx: Context, args: argparse.Namespace) -> int:
    env = environment(args)
    if env is None:
        raise SiteError("give the environment to deploy, e.g. tools/sitectl deploy example-site.")
    layering(discover(ctx.repo), env)  # an unknown environment is an error before any kayobe
    password = find_password(ctx.repo, ctx.vault_password_file)
    options = steps.Options(environment=env, password=password.value if password else None)
    runner = steps.Runner(ctx.repo, options, site=True)
    if args.status:
        sys.stdout.write("".join(line + "\n" for line in steps.status(runner)))
        return 0
    return steps.run(runner, args.start)


VERB = Verb(
    "deploy",
    "deploy a site by kayobe's sequence (seed, hosts, services) as resumable steps",
    configure,
    run,
)
