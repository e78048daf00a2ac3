"""`sitectl diff BASE [HEAD] [--env ENV]`: what a change does to the rendered configuration
(no --env: the base configuration alone, as kayobe without --environment).

Exit status (the README's table): 0 nothing changed, 1 something changed, 2 the operator's
error (a ref, a configuration that does not render; nothing half-written), 3 sitectl's own.
"""

import argparse
import os
import sys
from pathlib import Path

from sitectl import ci, outdir
from sitectl.diff import demo, gitlab, markdown, output, summary
from sitectl.diff.run import Request
from sitectl.diff.run import run as run_diff
from sitectl.errors import CHANGED, NO_CHANGE, SiteError
from sitectl.progress import note
from sitectl.verbs import Context, Verb, add_environment, add_list_option, environment

DEFAULT_OUT = Path("reports", "config-diff")
BASE_REPORT = "base"  # the report directory of the base configuration (no --env)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Render the configuration of BASE and of HEAD merged onto BASE (merge-request "
        "semantics: what merging would change) and report the difference, grouped service -> "
        "file -> change. Exit status: 0 no change, 1 changes, 2 the operator's error (a ref, a "
        "configuration that does not render), 3 a failure of sitectl's own."
    )
    parser.add_argument(
        "base",
        metavar="BASE",
        nargs="?",
        help="the target branch (any ref); default in a GitLab merge-request pipeline: the "
        "MR's target branch, fetched as origin/BRANCH",
    )
    parser.add_argument(
        "head",
        metavar="HEAD",
        nargs="?",
        help="the change (any ref), merged onto BASE; default: the working tree, uncommitted "
        "and untracked files included",
    )
    add_environment(parser, positional=False)
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write report.md, report.html, report.json, report.diff and junit.xml here "
        f"(replaced whole; default: REPO/{DEFAULT_OUT}/ENV, or .../{BASE_REPORT} without --env)",
    )
    parser.add_argument(
        "--format",
        choices=tuple(output.FORMATS),
        help="print this format of the report on stdout (default: a short summary)",
    )
    parser.add_argument(
        "--full", action="store_true", help="render every service, whatever the change"
    )
    add_list_option(
        parser,
        "--services",
        "SERVICE",
        "render only these kolla services (kolla-ansible tags, e.g. nova,neutron), whatever "
        "the change; the kayobe layer, globals and inventory are compared in full",
    )
    parser.add_argument(
        "--md-cap",
        type=int,
        default=markdown.DEFAULT_CAP,
        metavar="CHARS",
        help=f"size cap of report.md, the MR note (default {markdown.DEFAULT_CAP:,}; GitLab's "
        f"limit is {markdown.GITLAB_NOTE_LIMIT:,})",
    )
    parser.add_argument(
        "--report-url",
        metavar="URL",
        help="where the full report will be, for the note's pointer (default in GitLab CI: "
        "the job's artifact URL of report.html)",
    )
    parser.add_argument(
        "--no-post",
        action="store_true",
        help="do not post the MR note even in a GitLab MR pipeline with a token",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="render afresh, ignoring the render cache"
    )
    parser.add_argument(
        "--sealed",
        action="store_true",
        help="compare secrets by their ciphertext, never decrypting (the default when the "
        "configuration is encrypted and no vault password is given)",
    )
    parser.add_argument(
        "--check-options",
        action="store_true",
        help="also report the options the services would reject or ignore that the change "
        "introduces (validate --rendered's check on both renders)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help=f"diff a built-in example change ({demo.DESCRIPTION}) for {demo.ENVIRONMENT}; "
        "touches nothing in the repository; exits 0 once it has shown the change",
    )


def run(ctx: Context, args: argparse.Namespace) -> int:
    if args.demo:
        if args.base or args.head:
            raise SiteError("--demo makes its own change: give no BASE or HEAD with it.")
        env = environment(args) or demo.ENVIRONMENT
        base, head = "HEAD", demo.make_commit(ctx.repo)
        note("diff", f"demo: HEAD vs. HEAD + {demo.DESCRIPTION}")
    else:
        if not args.base:
            # In a merge-request pipeline: the MR's target branch, and the commit under test.
            args.base = ci.target_branch(ctx.repo)
            args.head = args.head or (args.base and "HEAD")
        if not args.base:
            raise SiteError("give BASE, the revision to compare with (e.g. main), or --demo.")
        env, base, head = environment(args), args.base, args.head
    if args.full and args.services is not None:
        raise SiteError("--full renders every service and --services only some: give one.")
    if args.md_cap < 1000:
        raise SiteError(f"--md-cap {args.md_cap} is too small to hold a summary (min 1000).")
    out = outdir.check(
        args.out or ctx.repo / DEFAULT_OUT / (env or BASE_REPORT), output.REPORT, ctx.repo
    )

    password_file = ctx.vault_password_file
    if args.demo:
        password_file = demo.password_file(ctx.repo, password_file)
    request = Request(
        repo=ctx.repo,
        environment=env,
        base=base,
        head=head,
        full=args.full,
        services=args.services,
        vault_password_file=password_file,
        use_cache=not args.no_cache,
        sealed=True if args.sealed else None,
        check_options=args.check_options,
    )
    outcome = run_diff(request)
    report = outcome.report
    if args.demo:
        report.head.label = "HEAD + the demo change"
    files = output.artifacts(
        report,
        outcome.unified,
        md_cap=args.md_cap,
        full_report=args.report_url or ci_report_url(out),
        secrets=outcome.secrets,
        link=output.gitlab_link(os.environ),
    )
    output.write(out, files, ctx.repo)

    if args.format:
        sys.stdout.write(files[output.FORMATS[args.format]])
        print(f"[diff] report: {out}/", file=sys.stderr)
    else:
        sys.stdout.write(summary.text(report))
        print(f"\nreport: {out}/report.html (also report.md, .json, .diff, junit.xml)")

    where = gitlab.target()
    if where is not None and not args.no_post and not args.demo:
        action, note_id = gitlab.post(
            files["report.md"], markdown.marker(report.environment), where
        )
        note("diff", f"MR !{where.merge_request}: note {note_id} {action}")
    if report.error:
        raise SiteError(
            report.error.splitlines()[0],
            details=[*report.error.splitlines()[1:], f"(the report is in {out}/)"],
        )
    if args.demo:  # the demo succeeds when it shows its change
        return 0 if report.changed else CHANGED
    return CHANGED if report.changed else NO_CHANGE


def ci_report_url(out: Path) -> str | None:
    """In GitLab CI: the artifact URL of report.html (valid once the job has uploaded it)."""
    job_url, project_dir = os.environ.get("CI_JOB_URL"), os.environ.get("CI_PROJECT_DIR")
    if not job_url or not project_dir:
        return None
    try:
        relative = out.resolve().relative_to(Path(project_dir).resolve())
    except ValueError:
        return None
    return f"{job_url.rstrip('/')}/artifacts/file/{relative.as_posix()}/report.html"


VERB = Verb(
    "diff",
    "what a change does to the rendered configuration (MR note, HTML, JSON, diff, JUnit)",
    configure,
    run,
)
