"""`sitectl pipeline jobs|run`: the GitLab pipeline on this machine, through gitlab-ci-local.

    tools/sitectl pipeline jobs --kind mr                      # what an MR pipeline runs
    tools/sitectl pipeline jobs --file ci/aio/pipeline.yml     # a child pipeline on its own
    tools/sitectl pipeline run --kind mr lint config-diff-ci-aio
    tools/sitectl pipeline run --kind web --var KOLLA_IMAGE_REGEX=^nova- images-plan

Jobs run with the shell executor in this repository, exactly as their scripts say; jobs that
need a real cloud, registry or site (aio, deploy, the image builds) are listed, not meant to be
run here. See sitectl.gitlab_local for the pipeline kinds.
"""

import argparse
import sys
from pathlib import Path

from sitectl import gitlab_local
from sitectl.errors import SiteError
from sitectl.verbs import Context, Verb


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kind",
        choices=gitlab_local.KINDS,
        default="branch",
        help="the kind of pipeline to simulate (default: branch, a push)",
    )
    parser.add_argument(
        "--target",
        default="main",
        metavar="BRANCH",
        help="--kind mr: the merge request's target branch (default: main)",
    )
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a CI/CD variable, as the web form or the project settings would set (repeatable)",
    )
    parser.add_argument(
        "--file", type=Path, metavar="FILE", help="a pipeline file (default: .gitlab-ci.yml)"
    )


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    _common(sub.add_parser("jobs", help="the jobs a pipeline of that kind has, with their rules"))
    run_ = sub.add_parser("run", help="run jobs with gitlab-ci-local's shell executor")
    _common(run_)
    run_.add_argument("jobs", nargs="+", metavar="JOB")
    run_.add_argument("--needs", action="store_true", help="also run the jobs they need")


def run(ctx: Context, args: argparse.Namespace) -> int:
    variables = dict(_variable(text) for text in args.var)
    tool = gitlab_local.ensure()
    if args.action == "jobs":
        listed = gitlab_local.jobs(
            tool, ctx.repo, args.kind, file=args.file, target=args.target, variables=variables
        )
        width = max((len(job.name) for job in listed), default=4)
        for job in listed:
            flags = " (may fail)" if job.allow_failure else ""
            print(f"{job.name:<{width}}  {job.stage:<12} {job.when}{flags}")
        return 0
    arguments = gitlab_local.pipeline_arguments(args.kind, args.target, variables)
    arguments += ["--needs"] if args.needs else []
    proc = gitlab_local.gitlab_ci_local(
        tool, ctx.repo, [*arguments, *args.jobs], file=args.file, capture=False
    )
    if proc.returncode != 0:
        print(f"[pipeline] gitlab-ci-local exited {proc.returncode}", file=sys.stderr)
    return 0 if proc.returncode == 0 else 1


def _variable(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise SiteError(f"--var {text!r}: give NAME=VALUE.")
    return name, value


VERB = Verb(
    "pipeline",
    "the GitLab pipeline on this machine (gitlab-ci-local): list a kind's jobs, run jobs",
    configure,
    run,
)
