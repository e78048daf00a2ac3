"""`sitectl aio run|teardown|status`: the all-in-one cloud of CI on a throwaway VM.

    tools/sitectl aio run [--from STEP] [--images-registry R --images-tag T] [--artifacts DIR]
    tools/sitectl aio run --release BASE ...          # BASE's configuration and toolchain
    tools/sitectl aio upgrade [--from STEP] [--out DIR]  # kayobe's upgrade sequence to this one
    tools/sitectl aio teardown --artifacts DIR        # GitLab after_script: always runs
    tools/sitectl aio status
    tools/sitectl aio check [--resources FILE]         # the test resources fit the environment

See sitectl.aio.steps for the steps, their state file and resume semantics, and
sitectl.aio.upgrade for the upgrade rehearsal.
"""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sitectl import progress
from sitectl.aio import steps, teardown, upgrade
from sitectl.errors import SiteError
from sitectl.vault import VaultPassword, find_password
from sitectl.verbs import Context, Verb


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    run_ = sub.add_parser("run", help="deploy: the steps not done yet, in order")
    run_.add_argument(
        "--from", dest="start", choices=steps.NAMES, help="redo this step and every later one"
    )
    run_.add_argument(
        "--release",
        metavar="BASE",
        help="deploy this commit's configuration with the toolchain its pins name (the "
        "upgrade rehearsal's base)",
    )
    run_.add_argument("--images-registry", metavar="R", help="the images child's registry")
    run_.add_argument("--images-tag", metavar="T", help="the images child's tag")
    run_.add_argument("--environment", default=steps.ENVIRONMENT, help="default: ci-aio")
    run_.add_argument("--cloud", default="kolla-admin", help="for step 6; default: kolla-admin")
    run_.add_argument(
        "--clouds-yaml", type=Path, metavar="FILE", help="default: /etc/kolla/clouds.yaml"
    )
    run_.add_argument(
        "--resources", type=Path, metavar="FILE", help="default: ci/aio/resources.yml"
    )
    run_.add_argument(
        "--out",
        "--artifacts",
        dest="artifacts",
        type=Path,
        metavar="DIR",
        help="on failure, collect diagnostics here (--artifacts: the old spelling)",
    )
    up = sub.add_parser(
        "upgrade",
        help="kayobe's upgrade sequence, from the release `run --release` deployed to this one",
    )
    up.add_argument(
        "--from", dest="start", choices=upgrade.UPGRADE_NAMES, help="redo this step and later"
    )
    up.add_argument("--environment", default=steps.ENVIRONMENT, help="default: ci-aio")
    up.add_argument(
        "--out", dest="artifacts", type=Path, metavar="DIR", help="on failure, diagnostics here"
    )
    down = sub.add_parser("teardown", help="collect diagnostics (always; after_script)")
    down.add_argument(
        "--out", "--artifacts", dest="artifacts", type=Path, required=True, metavar="DIR"
    )
    down.add_argument("--environment", default=steps.ENVIRONMENT, help="default: ci-aio")
    sub.add_parser("status", help="which steps are done")
    check = sub.add_parser(
        "check", help="check the test resources against the environment (before a deploy)"
    )
    check.add_argument("--environment", default=steps.ENVIRONMENT, help="default: ci-aio")
    check.add_argument(
        "--resources", type=Path, metavar="FILE", help="default: ci/aio/resources.yml"
    )


def run(ctx: Context, args: argparse.Namespace) -> int:
    if args.action == "status":
        runner = steps.Runner(ctx.repo, steps.Options())
        lines = steps.status(runner, (*steps.STEPS, *upgrade.UPGRADE_STEPS))
        sys.stdout.write("".join(line + "\n" for line in lines))
        return 0
    if args.action == "check":
        return check_resources(ctx, args.environment, args.resources)
    if args.action == "teardown":
        runner = steps.Runner(ctx.repo, steps.Options(environment=args.environment))
        return teardown.teardown(runner, args.artifacts.absolute())
    password = find_password(ctx.repo, ctx.vault_password_file)
    if args.action == "upgrade":
        options = steps.Options(environment=args.environment, password=_value(password))
        runner = steps.Runner(ctx.repo, options)
        state = steps.State.load(runner.state_file)
        runner.upgrading_from = state.release
        return _collecting(
            runner,
            args.artifacts,
            lambda: steps.run(
                runner, args.start, upgrade.UPGRADE_STEPS, before=upgrade.needs_a_release
            ),
        )
    if (args.images_registry is None) != (args.images_tag is None):
        raise SiteError("give --images-registry and --images-tag together (the images child's).")
    options = steps.Options(
        environment=args.environment,
        images_registry=args.images_registry,
        images_tag=args.images_tag,
        cloud=args.cloud,
        clouds_yaml=args.clouds_yaml,
        resources=args.resources,
        password=_value(password),
    )
    runner = (
        upgrade.base_runner(ctx.repo, args.release, options)
        if args.release
        else steps.Runner(ctx.repo, options)
    )
    release = runner.release.commit if runner.release else None
    return _collecting(
        runner,
        args.artifacts,
        lambda: steps.run(runner, args.start, before=lambda s: s.deployed_from(release)),
    )


def _value(password: VaultPassword | None) -> str | None:
    return password.value if password else None


def _collecting(runner: steps.Runner, artifacts: Path | None, work: Callable[[], int]) -> int:
    """`work`; on failure, the diagnostics into `artifacts` first (when given)."""
    try:
        return work()
    except SiteError:
        if artifacts is not None:
            teardown.collect(runner, artifacts.absolute())
            progress.note("aio", f"diagnostics collected in {artifacts}")
        raise


def check_resources(ctx: Context, environment: str, path: Path | None) -> int:
    """0 when the resources fit, else SiteError listing what does not."""
    from sitectl.aio import resources
    from sitectl.dump import dump

    path = path or ctx.repo / resources.DEFAULT
    data = resources.load(path)
    hosts = dump(ctx.repo, environment, vault_password_file=ctx.vault_password_file)
    where = str(path.relative_to(ctx.repo) if path.is_relative_to(ctx.repo) else path)
    problems = sorted(
        {p for variables in hosts.values() for p in resources.check(data, variables, where)}
    )
    if problems:
        raise SiteError(
            f"the test resources do not fit {environment}; fix {where}:", details=problems
        )
    print(f"{where}: fits {environment}")
    return 0


VERB = Verb("aio", "the all-in-one CI cloud: resumable deploy steps, teardown", configure, run)
