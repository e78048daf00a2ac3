"""`sitectl validate [ENV... | --all]`: catch broken site configuration before kayobe does.

A configuration without environments is validated as its base configuration (`sitectl
validate`, or `--all`), as kayobe without --environment would load it.

Runs the rules of sitectl.validate (YAML, layering, vault, then kayobe's resolved
configuration: networks, addresses, interfaces, VLANs, MTUs, physnets, PCI, Ironic) on each
environment. Exit status: 0 clean, 1 findings, 2 usage error.
"""

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from sitectl import vault
from sitectl.environments import label
from sitectl.errors import SiteError
from sitectl.files import write_atomically
from sitectl.progress import note
from sitectl.render import dump_sealed, render
from sitectl.schema import check as schema_check
from sitectl.schema import rule as option_schema
from sitectl.validate import report, runner
from sitectl.validate.files import environment_names
from sitectl.validate.rules import BY_ID, RULES
from sitectl.verbs import Context, Verb, add_list_option

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
        "--codequality",
        type=Path,
        metavar="FILE",
        help="also write GitLab's Code Quality report (the findings that know their file)",
    )
    parser.add_argument(
        "--rules", action="store_true", help="list the rules (id and description) and exit"
    )
    parser.add_argument("--explain", metavar="RULE", help="show a rule's documentation and exit")
    parser.add_argument(
        "--rendered",
        action="store_true",
        help="also check every rendered service config file against the options the services "
        "register (oslo.config, at the pinned release); renders what the cache lacks",
    )
    parser.add_argument(
        "--strict", action="store_true", help="with --rendered: deprecations are errors too"
    )
    parser.add_argument(
        "--sealed",
        action="store_true",
        help="without the vault password: kayobe loads a copy in which every vault-encrypted "
        "value is a stand-in named after its ciphertext (nothing is decrypted)",
    )
    add_list_option(
        parser,
        "--services",
        "SERVICE",
        "with --rendered: render and check only these kolla-ansible services",
    )


def run(ctx: Context, args: argparse.Namespace) -> int:
    if args.rules:
        width = max(len(rule.ID) for rule in RULES)
        for rule in RULES:
            print(f"{rule.ID:<{width}}  {rule.STAGE:<5}  {rule.DESCRIPTION}")
        return 0
    if args.explain:
        rule = {**BY_ID, option_schema.ID: option_schema}.get(args.explain)
        if rule is None:
            raise SiteError(
                f"no rule {args.explain!r}; sitectl validate --rules lists them: "
                + ", ".join(BY_ID)
            )
        print((rule.__doc__ or rule.DESCRIPTION).strip())
        return 0
    if (args.strict or args.services) and not args.rendered:
        raise SiteError("--strict and --services go with --rendered.")
    if args.sealed and ctx.vault_password_file is not None:
        raise SiteError("--sealed reads no vault password: drop --vault-password-file.")
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
    if not args.sealed:  # a missing password is the operator's to give, as in every verb
        vault.require_password(ctx.repo, names, ctx.vault_password_file, sealed_option=True)
    reports = []
    for name in names:
        note("validate", f"{label(name)}: checking ...")
        result = (
            runner.validate(ctx.repo, name, dumper=sealed_dumper, sealed=True)
            if args.sealed
            else runner.validate(ctx.repo, name, ctx.vault_password_file)
        )
        if args.rendered:
            rendered_check(ctx, name, result, args.strict, args.services, sealed=args.sealed)
        if args.format == "json":  # stdout is data: the result in words here
            note("validate", result.summary())
        else:  # the text report on stdout says the result: once
            note("validate", f"{label(name)}: checked in {result.seconds:.1f} s")
        reports.append(result)
    for path, what, text in (
        (args.junit, "JUnit report", report.junit),
        (args.codequality, "Code Quality report", report.code_quality),
    ):
        if path is not None:
            try:
                write_atomically(path, text(reports))
            except OSError as e:
                raise SiteError(f"cannot write the {what} {path}: {e}") from None
    sys.stdout.write(report.as_json(reports) if args.format == "json" else report.text(reports))
    return FINDINGS if any(r.findings for r in reports) else 0


def sealed_dumper(repo: Path, environment: str | None, password_file: Path | None) -> Any:
    """kayobe's dump of a sealed copy of the working tree (validate --sealed), naming the
    operator's files, not the copy's (render.dump_sealed)."""
    return dump_sealed(
        repo, environment, lambda copy: runner.default_dumper(copy, environment, None)
    )


def rendered_check(
    ctx: Context,
    name: str | None,
    result: runner.EnvironmentReport,
    strict: bool,
    services: list[str] | None,
    sealed: bool = False,
) -> None:
    """The option-schema check on the environment's render, added to its report: the site's
    problems as findings (deprecations only with --strict), kolla-ansible's own as notes."""
    started = time.monotonic()
    rendered = render(
        ctx.repo,
        name,
        services=services,
        vault_password_file=ctx.vault_password_file,
        sealed=sealed,
    )
    outcome = schema_check.check(ctx.repo, rendered, name)
    errors = outcome.site("error") + (outcome.site("warning") if strict else [])
    findings = [option_schema.finding(result.environment, p) for p in errors]
    result.results.append(
        runner.RuleResult(option_schema, findings, seconds=time.monotonic() - started)
    )
    if not strict:
        result.notes += [f"warning: {line}" for line in schema_check.lines(outcome.site("warning"))]
    own = outcome.kolla()
    if own:
        result.notes.append(
            f"{len(own)} problems in kolla-ansible's own templates (not the site's):"
        )
        result.notes += [f"  {line}" for line in schema_check.lines(own)]
    result.notes.append(
        f"option-schema: {outcome.checked} rendered config files checked; "
        + schema_check.skipped_summary(outcome.skipped)
    )
    if outcome.missing_namespaces:
        result.notes.append(
            "option namespaces that did not load (their options are unchecked): "
            + ", ".join(outcome.missing_namespaces)
        )


VERB = Verb(
    "validate",
    "check environments for configuration errors before deploying (exit 1 on findings)",
    configure,
    run,
)
