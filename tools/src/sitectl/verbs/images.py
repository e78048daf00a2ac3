"""`sitectl images`: Kolla container image builds.

sitectl images plan [ENV] [--base REF] [--head REF] [--also REGEX] [--pipeline FILE]
                    [--format text|json]
sitectl images render [ENV] [--out DIR]
sitectl images build [ENV] [--plan FILE | REGEX ...] [--tag TAG] [--push] [--registry HOST:PORT]
                     [--extra-config FILE] [--out DIR]
sitectl images pins --tag TAG [--all] [IMAGE ...]
sitectl images tag-variables [--check]
sitectl images scan-verdict REPORT... [--allowlist FILE] [--severity S] [--junit FILE]
"""

import argparse
import datetime
import json
import sys
from pathlib import Path

from sitectl import ci
from sitectl.errors import SiteError
from sitectl.files import write_atomically
from sitectl.images import build, ipa, kolla, pins, scan, tag_variables
from sitectl.images import pipeline as child_pipeline
from sitectl.images import plan as planner
from sitectl.kolla_playbooks import image_tag_variables
from sitectl.verbs import Context, Verb, add_environment, environment


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="images_action", metavar="ACTION", required=True)

    plan = actions.add_parser(
        "plan",
        help="which images a change (BASE..HEAD) must rebuild, and why",
        description="Render kolla's image tree and Dockerfiles for BASE and HEAD with real "
        "kolla-build --template-only, and list the images whose inputs changed, with all "
        "their descendants, among the images the environment builds.",
    )
    add_environment(plan)
    plan.add_argument(
        "--base",
        metavar="REF",
        help="default: the change GitLab's pipeline is about (a merge request: where it "
        "branched from its target; a push: the branch's previous head), else HEAD~1",
    )
    plan.add_argument("--head", default="HEAD", metavar="REF", help="default: HEAD")
    plan.add_argument(
        "--sealed",
        action="store_true",
        help="without the vault password: kayobe reads each side with every vault-encrypted "
        "value as a stand-in named after its ciphertext (nothing is decrypted)",
    )
    plan.add_argument(
        "--also",
        metavar="REGEX",
        help="also build the images matching REGEX (kolla-build's regex) and their descendants, "
        "whatever changed",
    )
    plan.add_argument(
        "--pipeline",
        type=Path,
        metavar="FILE",
        help="also write the child pipeline that builds exactly these images",
    )
    plan.add_argument("--format", choices=("text", "json"), default="text")

    render = actions.add_parser(
        "render",
        help="kolla's Dockerfiles for an environment (kolla-build --template-only)",
    )
    add_environment(render)
    render.add_argument("--out", type=Path, metavar="DIR", help="write the rendered tree here")

    builder = actions.add_parser(
        "build",
        help="build the planned (or named) images with real kolla-build, and push them",
        description="kolla-build on the kolla-build.conf and template overrides kayobe writes "
        "for the environment's image builder, on the container engine DOCKER_HOST points at. "
        "Without --plan or REGEX: the images the site builds (overcloud_container_image_regexes).",
    )
    add_environment(builder)
    chosen = builder.add_mutually_exclusive_group()
    chosen.add_argument(
        "--plan",
        type=Path,
        metavar="FILE",
        help="exactly the images of a plan (`sitectl images plan --format json`)",
    )
    chosen.add_argument("regexes", nargs="*", default=[], metavar="REGEX", help="kolla regexes")
    builder.add_argument("--tag", help="default: the environment's kolla_tag")
    builder.add_argument("--push", action="store_true", help="push each image once built")
    builder.add_argument(
        "--registry", metavar="HOST:PORT", help="default: the environment's kolla_docker_registry"
    )
    builder.add_argument(
        "--extra-config",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="another kolla-build.conf, read after the site's (repeatable)",
    )
    builder.add_argument("--threads", type=int, metavar="N", help="kolla-build's build threads")
    builder.add_argument(
        "--out",
        "--reports",
        dest="reports",
        type=Path,
        default=Path("reports/images"),
        metavar="DIR",
        help="build.json, build.xml (JUnit), build.md, build.log and logs/IMAGE.log "
        "(default: reports/images)",
    )

    pin = actions.add_parser("pins", help=f"record pushed images' tag in {pins.PIN_FILE}")
    pin.add_argument("--tag", required=True)
    pin.add_argument(
        "--all", action="store_true", help="every image was rebuilt: TAG becomes the default"
    )
    pin.add_argument("images", nargs="*", metavar="IMAGE")

    variables = actions.add_parser(
        "tag-variables",
        help=f"write {tag_variables.TABLE_FILE}: kolla-ansible's tag variable of each image",
    )
    variables.add_argument(
        "--check",
        action="store_true",
        help="only check that the committed table matches the installed kolla-ansible",
    )

    verdict = actions.add_parser(
        "scan-verdict",
        help="whether the scanner's reports (trivy JSON) block the images, with the allowlist",
    )
    verdict.add_argument("reports", nargs="+", type=Path, metavar="REPORT")
    verdict.add_argument(
        "--allowlist",
        type=Path,
        metavar="FILE",
        help=f"the site's accepted vulnerabilities (default: REPO/{scan.DEFAULT_ALLOWLIST})",
    )
    verdict.add_argument("--severity", default="CRITICAL", choices=scan.SEVERITIES)
    verdict.add_argument(
        "--include-unfixed", action="store_true", help="also block on vulnerabilities with no fix"
    )
    verdict.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML here")

    elements = actions.add_parser(
        "ipa-elements",
        help="the IPA image's diskimage-builder elements, expanded by diskimage-builder",
    )
    add_environment(elements)

    artifacts = actions.add_parser(
        "ipa-artifacts",
        help="name a built IPA kernel/ramdisk by release, date and commit, with SHA256SUMS",
    )
    artifacts.add_argument("--from", dest="source", type=Path, required=True, metavar="DIR")
    artifacts.add_argument("--out", type=Path, required=True, metavar="DIR")
    artifacts.add_argument("--release", required=True)
    artifacts.add_argument("--commit", required=True)
    artifacts.add_argument("--date", type=datetime.date.fromisoformat, help="default: today (UTC)")


def run(ctx: Context, args: argparse.Namespace) -> int:
    if args.images_action == "plan":
        return run_plan(ctx, args)
    if args.images_action == "render":
        return run_render(ctx, args)
    if args.images_action == "build":
        return run_build(ctx, args)
    if args.images_action == "ipa-elements":
        variables = planner.builder_variables(ctx.repo, environment(args), ctx.vault_password_file)
        requested = ipa.dib_elements(variables)
        print("elements: " + " ".join(requested))
        print("expanded: " + " ".join(ipa.expand(requested)))
        return 0
    if args.images_action == "scan-verdict":
        return run_scan_verdict(ctx, args)
    if args.images_action == "tag-variables":
        return run_tag_variables(ctx, args.check)
    if args.images_action == "ipa-artifacts":
        for path in ipa.collect(args.source, args.out, args.release, args.commit, args.date):
            print(path)
        return 0
    if not args.images and not args.all:
        raise SiteError("name the images to pin, or pass --all.")
    pinned, parents = pins.deployed(ctx.repo, args.images)
    if parents:
        print(f"not pinned (kolla-ansible deploys no such image): {', '.join(parents)}")
    if not pinned and not args.all:
        print(f"{pins.PIN_FILE}: unchanged")
        return 0
    pins.update(ctx.repo, args.tag, pinned, everything=args.all)
    print(f"{pins.PIN_FILE}: {', '.join(pinned) or 'all images'} -> {args.tag}")
    return 0


def run_scan_verdict(ctx: Context, args: argparse.Namespace) -> int:
    entries, expired = scan.load_allowlist(
        args.allowlist or ctx.repo / scan.DEFAULT_ALLOWLIST, datetime.date.today()
    )
    reports = dict(scan.load_report(path) for path in args.reports)
    verdict = scan.judge(
        reports, entries, expired, args.severity, ignore_unfixed=not args.include_unfixed
    )
    sys.stdout.write(scan.text(verdict, args.severity))
    if args.junit is not None:
        write_atomically(args.junit, scan.junit(verdict))
    return 0 if verdict.passed else 1


def run_tag_variables(ctx: Context, check: bool) -> int:
    path = ctx.repo / tag_variables.TABLE_FILE
    if check:
        problems = tag_variables.drift(ctx.repo)
        if problems:
            raise SiteError(
                f"{tag_variables.TABLE_FILE} does not match the installed kolla-ansible; "
                "regenerate it with `tools/sitectl images tag-variables`:",
                details=problems,
                exit_code=1,
            )
        print(f"{tag_variables.TABLE_FILE}: matches the installed kolla-ansible")
        return 0
    variables = image_tag_variables()
    write_atomically(path, tag_variables.table_text(variables))
    print(f"{tag_variables.TABLE_FILE}: {len(variables)} tag variables")
    return 0


def run_plan(ctx: Context, args: argparse.Namespace) -> int:
    base = args.base or ci.announce("images", ci.change(ctx.repo))
    if args.sealed and ctx.vault_password_file is not None:
        raise SiteError("--sealed reads no vault password: drop --vault-password-file.")
    result = planner.plan(
        ctx.repo,
        environment(args),
        base,
        args.head,
        ctx.vault_password_file,
        requested=args.also,
        sealed=args.sealed,
    )
    if args.pipeline:
        prefix = tag_prefix = registry = ""
        if result.images:
            config = kolla.build_config(
                planner.builder_variables(
                    planner.checkout(ctx.repo, args.head),
                    environment(args),
                    ctx.vault_password_file,
                    args.sealed,
                )
            )
            prefix, tag_prefix = config.image_prefix(), config.tag_prefix
            registry = config.registry or ""
        args.pipeline.parent.mkdir(parents=True, exist_ok=True)
        args.pipeline.write_text(
            child_pipeline.generate(ctx.repo, result, prefix, tag_prefix, registry),
            encoding="utf-8",
        )
    if args.format == "json":
        json.dump(result.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(result.text())
    return 0


def run_build(ctx: Context, args: argparse.Namespace) -> int:
    if args.plan and args.regexes:
        raise SiteError("give --plan or REGEX, not both.")
    if args.environment_option is not None and args.environment:
        # With --env, the first positional is a regex, not ENV.
        args.regexes = [args.environment, *args.regexes]
        args.environment = None
    regexes = build.regexes_of_plan(args.plan) if args.plan else tuple(args.regexes)
    if args.plan and not regexes:
        print(f"{args.plan}: the plan has no image to build.")
        return 0
    config = kolla.build_config(
        planner.builder_variables(ctx.repo, environment(args), ctx.vault_password_file)
    )
    request = build.Request(
        regexes=regexes,
        tag=args.tag,
        registry=args.registry,
        push=args.push,
        extra_config=tuple(args.extra_config),
        threads=args.threads,
    )
    outcome = build.build(config, request, args.reports)
    sys.stdout.write(outcome.text())
    print(f"reports: {args.reports}/build.md, build.json, build.xml, logs/")
    return 0 if outcome.passed else 1


def run_render(ctx: Context, args: argparse.Namespace) -> int:
    config = kolla.build_config(
        planner.builder_variables(ctx.repo, environment(args), ctx.vault_password_file)
    )
    result = kolla.render(ctx.repo, config, keep_dir=args.out)
    site = set(result.site_images)
    for name in planner.tree_order(result):
        depth = len(result.ancestry(name)) - 1
        mark = "" if name in site else "   (not built by this site)"
        print(f"{'  ' * depth}{name}{mark}")
    return 0


VERB = Verb(
    "images",
    "Kolla container images: plan a change's rebuilds (and its child pipeline), render, pin",
    configure,
    run,
)
