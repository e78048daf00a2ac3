"""`sitectl refstack list|run`: RefStack's required tests, run through Rally's tempest verifier.

    tools/sitectl refstack list --guideline 2025.11.json --target compute [--component identity]
        --out refstack.txt
    tools/sitectl refstack run --cloud ci-aio --guideline 2025.11.json --target compute
        --reports reports/refstack
    tools/sitectl refstack compare reports/refstack/before reports/refstack/after
        --out reports/refstack/compare

`run` makes tempest.conf with python-tempestconf plus the site's overrides
(ci/refstack/tempest-overrides.conf), creates (or reuses) Rally's verifier from the pinned
tempest release without opendev, normalises the list by UUID against the verifier's tests,
runs `rally verify start` with the skip and xfail lists (ci/refstack/*.yaml, each entry with a
reason), writes JUnit XML, HTML and JSON reports and a summary per capability, and exits 1 on
unexpected failures, on tests listed but not run, and on list lines matching no test.
`compare` reads two runs' reports (the upgrade rehearsal's, before and after) and exits 1 when a
test that passed before does not pass after (refstack/compare.py).
"""

import argparse
import json
import os
import sys
from importlib import metadata
from pathlib import Path

import yaml

from sitectl import outdir, progress
from sitectl.errors import SiteError
from sitectl.refstack import (
    cloud,
    compare,
    guideline,
    lists,
    normalise,
    summary,
    tempest_source,
)
from sitectl.refstack import tempestconf as tconf
from sitectl.refstack.rally import Rally
from sitectl.repo import cache_dir
from sitectl.verbs import Context, Verb

TAG = "refstack"
DEFAULT_OVERRIDES = Path("ci", "refstack", "tempest-overrides.conf")
DEFAULT_SKIP = Path("ci", "refstack", "skip-list.yaml")
DEFAULT_XFAIL = Path("ci", "refstack", "xfail-list.yaml")
GUIDELINES = Path("ci", "refstack", "guidelines")
REPORTS = {"junit-xml": "refstack.junit.xml", "html": "refstack.html", "json": "refstack.json"}
COMPARISON = {"markdown": "compare.md", "json": "compare.json", "junit": "compare.junit.xml"}
COMPARISON_DIR = outdir.kind("RefStack comparison", COMPARISON.values())
REPORTS_DIR = outdir.kind(
    "RefStack report",
    (*REPORTS.values(), "load-list.txt", "skip-list.yaml", "xfail-list.yaml", "summary.txt"),
)


def _selection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--guideline",
        metavar="FILE|URL",
        help="interop guideline JSON: a file or an http(s) URL (default: the newest shipped "
        f"under {GUIDELINES}/)",
    )
    parser.add_argument(
        "--target",
        default="platform",
        help="platform, compute, object (or a platform's full name); default: platform",
    )
    parser.add_argument(
        "--component", metavar="NAME", help="only capabilities NAME-* (e.g. identity)"
    )


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    lst = sub.add_parser("list", help="write the RefStack list of a guideline's target")
    _selection_options(lst)
    lst.add_argument("--out", type=Path, metavar="FILE", help="default: stdout")

    run_ = sub.add_parser("run", help="run RefStack's tests against a cloud through Rally")
    run_.add_argument("--cloud", required=True, help="the cloud's name in clouds.yaml")
    run_.add_argument("--clouds-yaml", type=Path, metavar="FILE", help="default: openstacksdk's")
    _selection_options(run_)
    run_.add_argument(
        "--load-list", type=Path, metavar="FILE", help="a RefStack list instead of --guideline"
    )
    run_.add_argument(
        "--overrides",
        type=Path,
        action="append",
        metavar="FILE",
        help=f"tempest.conf overrides, INI (repeatable; default: {DEFAULT_OVERRIDES})",
    )
    run_.add_argument("--skip-list", type=Path, metavar="FILE", help=f"default: {DEFAULT_SKIP}")
    run_.add_argument("--xfail-list", type=Path, metavar="FILE", help=f"default: {DEFAULT_XFAIL}")
    run_.add_argument(
        "--out",
        "--reports",
        dest="reports",
        type=Path,
        required=True,
        metavar="DIR",
        help="the reports (--reports: the old spelling)",
    )
    run_.add_argument(
        "--concurrency",
        type=int,
        default=0,
        help="tempest workers (default: one per 20 tests, at most one per CPU)",
    )
    run_.add_argument(
        "--tempest-version", default=None, help="default: the pinned tempest's version"
    )
    run_.add_argument(
        "--tempestconf-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="an extra argument for discover-tempest-config (repeatable), e.g. "
        "--tempestconf-arg=--create",
    )

    cmp_ = sub.add_parser(
        "compare", help="two runs' results test by test; exit 1 when a passing test regressed"
    )
    cmp_.add_argument("before", type=Path, metavar="BEFORE", help="the earlier run's --out")
    cmp_.add_argument("after", type=Path, metavar="AFTER", help="the later run's --out")
    cmp_.add_argument("--out", type=Path, metavar="DIR", required=True, help="the comparison")


def _select(ctx: Context, args: argparse.Namespace) -> guideline.Selection:
    chosen = args.guideline or _shipped_guideline(ctx.repo)
    return guideline.select(guideline.load(chosen), args.target, args.component)


def _shipped_guideline(repo: Path) -> str:
    """The newest guideline the repository ships (ci/refstack/guidelines/), said as used."""
    shipped = sorted((repo / GUIDELINES).glob("*.json"))
    if not shipped:
        raise SiteError(
            f"give --guideline FILE|URL (an interop guideline JSON): the repository ships none "
            f"under {GUIDELINES}/."
        )
    progress.note(TAG, f"no --guideline: using the shipped {shipped[-1].relative_to(repo)}")
    return str(shipped[-1])


def run_list(ctx: Context, args: argparse.Namespace) -> int:
    selection = _select(ctx, args)
    text = guideline.render_list(selection)
    for test in selection.flagged:
        progress.note(TAG, f"flagged, left out: {test.line} ({test.capability})")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        progress.note(TAG, f"{len(selection.tests)} tests of {selection.target} -> {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def _repo_path(ctx: Context, given: Path | None, default: Path) -> Path:
    return given if given is not None else ctx.repo / default


def _concurrency(tests: int) -> int:
    """Every tempest worker imports and discovers all of tempest first (seconds of CPU): a
    short list runs faster in one worker; a long one gets one worker per CPU."""
    return max(1, min(os.cpu_count() or 1, tests // 20))


def run_run(ctx: Context, args: argparse.Namespace) -> int:
    version = args.tempest_version or metadata.version("tempest")
    title = ""
    aliases: dict[str, tuple[str, ...]] = {}
    capability_of_uuid: dict[str, str] = {}
    if args.load_list is not None:
        if args.guideline is not None:
            raise SiteError("give either --guideline or --load-list, not both.")
        try:
            lines = normalise.read_lines(args.load_list.read_text())
        except OSError as e:
            raise SiteError(f"cannot read {args.load_list}: {e.strerror}.") from None
        title = f"RefStack list {args.load_list.name}"
    else:
        selection = _select(ctx, args)
        lines = [test.line for test in selection.tests]
        aliases = {test.name: test.aliases for test in selection.tests}
        capability_of_uuid = {test.uuid: test.capability for test in selection.tests}
        part = f" ({args.component})" if args.component else ""
        title = f"RefStack {selection.guideline} {selection.target}{part}"
    if not lines:
        raise SiteError("the list of tests to run is empty.")
    overrides = args.overrides or [ctx.repo / DEFAULT_OVERRIDES]
    skip_entries = lists.load(_repo_path(ctx, args.skip_list, DEFAULT_SKIP))
    xfail_entries = lists.load(_repo_path(ctx, args.xfail_list, DEFAULT_XFAIL))
    reports = outdir.claim(args.reports, REPORTS_DIR, ctx.repo)
    work = cache_dir(ctx.repo, "sitectl", "refstack", "work", args.cloud)
    work.mkdir(parents=True, exist_ok=True, mode=0o700)
    credentials = cloud.credentials(args.cloud, args.clouds_yaml)

    with progress.step(TAG, f"tempest {version} as a local git repository"):
        source, sha = tempest_source.git_repo(version)
    rally = Rally(ctx.repo, sha)
    verifier = f"tempest-{version}"
    deployment = f"sitectl-{args.cloud}-{os.getpid()}"  # destroyed at the end
    with rally.locked():
        rally.ensure_database()
        if rally.has_verifier(verifier):
            progress.note(TAG, f"reusing Rally's verifier {verifier} ({rally.home})")
        else:
            with progress.step(TAG, f"creating Rally's verifier {verifier}"):
                rally.create_verifier(verifier, source, version)
        index = normalise.Index(rally.verifier_tests(verifier))
        result = index.normalise(lines, aliases)
        for line in result.unmatched:
            progress.note(TAG, f"matches no test of tempest {version}: {line}")
        for line in result.duplicates:
            progress.note(TAG, f"duplicate, listed once: {line}")
        skips, unmatched_skips = lists.resolve(skip_entries, index)
        xfails, unmatched_xfails = lists.resolve(xfail_entries, index)
        for line in unmatched_skips + unmatched_xfails:
            progress.note(TAG, f"skip/xfail entry matches no test (ignored): {line}")
        load_file = reports / "load-list.txt"
        load_file.write_text("".join(f"{t}\n" for t in result.tests))
        skip_file = reports / "skip-list.yaml"
        xfail_file = reports / "xfail-list.yaml"
        skip_file.write_text(yaml.safe_dump(skips, width=1000))
        xfail_file.write_text(yaml.safe_dump(xfails, width=1000))
        progress.note(
            TAG,
            f"{len(result.tests)} tests to run, {len(skips)} skip and {len(xfails)} xfail "
            f"entries, {len(result.unmatched)} unmatched lines",
        )

        conf = work / "tempest.conf"
        with progress.step(TAG, f"tempest.conf for '{args.cloud}' by python-tempestconf"):
            tconf.discover(args.cloud, conf, args.clouds_yaml, args.tempestconf_arg)
            applied = tconf.apply_overrides(conf, overrides)
        progress.note(TAG, f"site overrides: {', '.join(applied) or 'none'}")
        try:
            with progress.step(TAG, "Rally deployment and verifier configuration"):
                rally.create_deployment(deployment, credentials)
                rally.configure(verifier, deployment, conf)
            uuid = ""
            if result.tests:
                with progress.step(TAG, f"rally verify start ({len(result.tests)} tests)"):
                    uuid = rally.start(
                        verifier,
                        deployment,
                        load_file,
                        skip_file if skips else None,
                        xfail_file if xfails else None,
                        args.concurrency or _concurrency(len(result.tests)),
                        work / "verify-start.log",
                    )
                with progress.step(TAG, f"reports in {reports}"):
                    rally.reports(uuid, {kind: reports / name for kind, name in REPORTS.items()})
        finally:
            rally.destroy_deployment(deployment)
    results = {}
    if uuid:
        results = summary.statuses(json.loads((reports / REPORTS["json"]).read_text()))
    outcome = summary.summarise(title, results, result.tests, capability_of_uuid, result.unmatched)
    text = summary.render(outcome)
    (reports / "summary.txt").write_text(text)
    sys.stdout.write(text)
    return 0 if outcome.ok else 1


def run_compare(ctx: Context, args: argparse.Namespace) -> int:
    before, after = (compare.results(d, REPORTS["json"]) for d in (args.before, args.after))
    comparison = compare.compare(before, after)
    title = f"RefStack {args.before.name} -> {args.after.name}"
    texts = {
        "markdown": compare.markdown(comparison, title),
        "json": json.dumps(compare.to_json(comparison), indent=1) + "\n",
        "junit": compare.junit_xml(comparison, title),
    }
    with outdir.replacing(args.out, COMPARISON_DIR, ctx.repo) as staging:
        for kind, name in COMPARISON.items():
            (staging / name).write_text(texts[kind], encoding="utf-8")
    sys.stdout.write(texts["markdown"])
    return 0 if comparison.ok else 1


def run(ctx: Context, args: argparse.Namespace) -> int:
    if args.action == "list":
        return run_list(ctx, args)
    if args.action == "compare":
        return run_compare(ctx, args)
    return run_run(ctx, args)


VERB = Verb("refstack", "RefStack's required tests through Rally: lists and runs", configure, run)
