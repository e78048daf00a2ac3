"""`sitectl validate [ENV... | --all]`: catch broken site configuration before kayobe does.

A configuration without environments is validated as its base configuration (`sitectl
validate`, or `--all`), as kayobe without --environment would load it.

Runs the rules of sitectl.validate (YAML, layering, vault, then kayobe's resolved
configuration: networks, addresses, interfaces, VLANs, MTUs, physnets, PCI, Ironic) on each
environment. Exit status: 0 clean, 1 findings, 2 usage error.
"""

import argparse
import sys
from pathlib import Path

from sitectl.environments import label
from sitectl.errors import SiteError
from sitectl.files import write_atomically
from sitectl.validate import report, runner
from sitectl.validate.files import environment_names
from sitectl.validate.rules import BY_ID, RULES
from sitectl.verbs import Context, Verb

FINDINGS = 1


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("environments", nargs="*", metavar="ENV", help="environments to check")
    parser.add_argument(
        "--all",
        action="store_true",
        help="check every environment (the base configuration when there are none)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="what to print on stdout: text (default) or a JSON list of findings",
    )
    parser.add_argument(
        "--junit", type=Path, metavar="FILE", help="also write a JUnit XML report to FILE"
    )
    parser.add_argument(
        "--rules", action="store_true", help="list the rules (id and description) and exit"
    )
    parser.add_argument("--explain", metavar="RULE", help="show a rule's documentation and exit")


def run(ctx: Context, args: argparse.Namespace) -> int:
    if args.rules:
        width = max(len(rule.ID) for rule in RULES)
        for rule in RULES:
            print(f"{rule.ID:<{width}}  {rule.STAGE:<5}  {rule.DESCRIPTION}")
        return 0
    if args.explain:
        rule = BY_ID.get(args.explain)
        if rule is None:
            raise SiteError(
                f"no rule {args.explain!r}; sitectl validate --rules lists them: "
                + ", ".join(BY_ID)
            )
        print((rule.__doc__ or rule.DESCRIPTION).strip())
        return 0
    known = environment_names(ctx.repo)
    if args.all and args.environments:
        raise SiteError("give one or more environments, or --all (not both).")
    if not args.all and not args.environments and known:
        raise SiteError(
            "give one or more environments, or --all; this configuration has environments "
            f"({', '.join(known)})."
        )
    names: list[str | None] = (
        list(known) if args.all else list(dict.fromkeys(args.environments))
    ) or [None]
    unknown = [name for name in names if name is not None and name not in known]
    if unknown:
        raise SiteError(
            f"unknown environment(s) {', '.join(unknown)}; the known environments are: "
            f"{', '.join(known) or 'none'}."
        )
    reports = []
    for name in names:
        print(f"[validate] {label(name)}: checking ...", file=sys.stderr, flush=True)
        result = runner.validate(ctx.repo, name, ctx.vault_password_file)
        print(f"[validate] {result.summary()}", file=sys.stderr, flush=True)
        reports.append(result)
    if args.junit is not None:
        try:
            write_atomically(args.junit, report.junit(reports))
        except OSError as e:
            raise SiteError(f"cannot write the JUnit report {args.junit}: {e}") from None
    sys.stdout.write(report.as_json(reports) if args.format == "json" else report.text(reports))
    return FINDINGS if any(r.findings for r in reports) else 0


VERB = Verb(
    "validate",
    "check environments for configuration errors before deploying (exit 1 on findings)",
    configure,
    run,
)
