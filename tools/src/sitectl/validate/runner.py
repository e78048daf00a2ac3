"""Validate one environment: the file rules, then one kayobe dump, then the site rules.

    files  --(no findings)-->  sitectl.dump.dump()  --(loaded)-->  Site  -->  site rules

kayobe runs at most once per environment (and not at all when the dump cache is warm or the
file rules found problems). Rules are pure; this module times them, turns a rule's crash into
a `validator-error` finding instead of a traceback, and locates each finding's key in the
layered files.
"""

import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from sitectl.dump import NO_HOSTS, cache_key, dump
from sitectl.environments import label
from sitectl.errors import SiteError
from sitectl.progress import note
from sitectl.repo import cache_dir
from sitectl.site import Site, build_site
from sitectl.validate import files
from sitectl.validate.finding import Finding
from sitectl.validate.locate import Location, Locator
from sitectl.validate.rules import RULES, kayobe_load
from sitectl.validate.stages import FILES, SITE

INTERNAL = "validator-error"  # the rule id of a rule's own crash (a bug in the validator)

Dumper = Callable[[Path, str, Path | None], Any]


@dataclass
class RuleResult:
    rule: ModuleType
    findings: list[Finding] = field(default_factory=list)
    skipped: str | None = None  # why the rule did not run
    seconds: float = 0.0


@dataclass
class EnvironmentReport:
    environment: str
    results: list[RuleResult]
    hosts: int = 0
    networks: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        found = [f for result in self.results for f in result.findings]
        return sorted(found, key=Finding.sort_key)

    @property
    def rules_run(self) -> int:
        return sum(1 for result in self.results if result.skipped is None)

    def summary(self) -> str:
        counts = ", ".join(
            plural(n, word)
            for n, word in (
                (self.hosts, "host"),
                (self.networks, "network"),
                (self.rules_run, "rule"),
            )
        )
        return (
            f"{self.environment}: {plural(len(self.findings), 'finding')} ({counts}) "
            f"in {self.seconds:.1f} s"
        )


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def default_dumper(repo: Path, environment: str | None, password_file: Path | None) -> Any:
    """sitectl's dump, remembering (by the dump's own cache key) that an environment has no
    hosts: the dump caches only results, and mixins have no hosts."""
    key = cache_key(repo, environment, None, None, None)
    marker = cache_dir(repo, "sitectl", "validate") / f"{key}.no-hosts"
    if marker.exists():
        note("dump", f"{label(environment)}: cached (no hosts)")
        raise SiteError(f"{NO_HOSTS} {label(environment)} matches 'all' (cached)")
    try:
        return dump(repo, environment, vault_password_file=password_file)
    except SiteError as e:
        if NO_HOSTS in e.message:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        raise


def validate(
    repo: Path,
    environment: str | None,
    password_file: Path | None = None,
    dumper: Dumper = default_dumper,
    sealed: bool = False,
) -> EnvironmentReport:
    """Run every rule on `environment` (None: the base configuration alone). SiteError only
    for an unknown environment. `sealed`: without the vault password (the dumper loads a
    sealed copy): nothing is decrypted, and the vault-password rule does not run."""
    started = time.monotonic()
    ctx = files.load(repo, environment, password_file)
    if sealed:
        ctx = replace(ctx, password=None, password_error=None)
    results = {rule.ID: RuleResult(rule) for rule in RULES}
    report = EnvironmentReport(ctx.environment, list(results.values()))
    if sealed:
        report.notes.append(
            "sealed: nothing was decrypted, so what vault-encrypted files hold was not checked"
        )

    file_rules = [rule for rule in RULES if rule.STAGE == FILES]
    for rule in file_rules:
        if rule.ID == "vault-password" and ctx.layering is None:
            results[rule.ID].skipped = "not run: the environment's layering is broken"
            continue
        if rule.ID == "vault-password" and sealed:
            results[rule.ID].skipped = "not run: --sealed reads no vault password"
            continue
        results[rule.ID] = _run(rule, ctx, results[rule.ID])
    report.results = list(results.values())

    site_rules = [rule for rule in RULES if rule.STAGE == SITE]
    if report.findings:
        reason = "not run: the file checks found problems, so kayobe was not run"
        report.notes.append("kayobe was not run: fix the findings above first")
        for rule in [kayobe_load, *site_rules]:
            results[rule.ID].skipped = reason
    else:
        site = _load_site(repo, environment, password_file, dumper, report, results)
        if site is None:
            for rule in site_rules:
                results[rule.ID].skipped = "not run: kayobe could not load the environment"
        else:
            report.hosts, report.networks = len(site.hosts), len(site.networks)
            for rule in site_rules:
                results[rule.ID] = _run(rule, site, results[rule.ID])
            _locate(Locator(repo, ctx.roots), site, results.values())
    report.results = list(results.values())
    report.seconds = time.monotonic() - started
    return report


def check_site(site: Site) -> list[Finding]:
    """Every site rule on a Site (unlocated findings): for tests and other callers."""
    found: list[Finding] = []
    for rule in RULES:
        if rule.STAGE == SITE:
            found += _run(rule, site, RuleResult(rule)).findings
    return sorted(found, key=Finding.sort_key)


def check_files(ctx: files.FileContext) -> list[Finding]:
    """Every file rule on a FileContext."""
    found: list[Finding] = []
    for rule in RULES:
        if rule.STAGE == FILES:
            found += _run(rule, ctx, RuleResult(rule)).findings
    return sorted(found, key=Finding.sort_key)


def _run(rule: ModuleType, context: Any, result: RuleResult) -> RuleResult:
    started = time.monotonic()
    try:
        result.findings = list(rule.check(context))
    except OSError:  # this machine's (an unreadable file, a full disk): not a finding
        raise
    except Exception as e:  # a bug in the rule: say so, and go on with the others
        where = traceback.extract_tb(e.__traceback__)[-1]
        result.findings = [
            Finding(
                INTERNAL,
                context.environment,
                None,
                None,
                None,
                f"rule {rule.ID} crashed ({type(e).__name__}: {e}, at "
                f"{Path(where.filename).name}:{where.lineno}); its checks did not run",
                "This is a bug in sitectl validate: report it with this message.",
            )
        ]
    result.seconds = time.monotonic() - started
    return result


def _load_site(
    repo: Path,
    environment: str | None,
    password_file: Path | None,
    dumper: Dumper,
    report: EnvironmentReport,
    results: dict[str, RuleResult],
) -> Site | None:
    started = time.monotonic()
    load = results[kayobe_load.ID]
    name = label(environment)
    try:
        data = dumper(repo, environment, password_file)
    except SiteError as e:
        load.seconds = time.monotonic() - started
        if NO_HOSTS in e.message:
            report.notes.append(f"{name} has no hosts (a mixin?): only the file checks apply to it")
            return build_site(name, {})
        load.findings = [kayobe_load.finding(repo, name, e)]
        report.notes.append("the site rules did not run: kayobe could not load the environment")
        return None
    except OSError:  # this machine's (a read-only cache, a full disk): not a finding
        raise
    except Exception as e:  # a bug on the way to kayobe: report, never a traceback
        load.seconds = time.monotonic() - started
        load.findings = [
            Finding(
                INTERNAL,
                name,
                None,
                None,
                None,
                f"loading the environment through kayobe crashed ({type(e).__name__}: {e})",
                "This is a bug in sitectl: report it with this message.",
            )
        ]
        return None
    load.seconds = time.monotonic() - started
    return build_site(name, data)


def _locate(locator: Locator, site: Site, results: Iterable[RuleResult]) -> None:
    """Fill in file and line of findings that name a key but no file: the key's winning
    definition; for a key defined nowhere, the host's inventory entry (per-host keys) or where
    the network's other attributes are (NAME_cidr...)."""
    for result in results:
        located = []
        for finding in result.findings:
            if finding.file is None and finding.key is not None:
                where = _where(locator, site, finding.key, finding.host)
                if where is not None:
                    finding = finding.located(where.file, where.line)
            located.append(finding)
        result.findings = located


def _where(locator: Locator, site: Site, key: str, host_name: str | None) -> Location | None:
    host = site.hosts.get(host_name) if host_name else None
    variable = key.split(".", 1)[0]  # kolla_image_tags.keystone-api: the variable's definition
    where = locator.locate(variable, host_name, host.groups if host else ())
    if where is None and host_name:
        where = locator.host_entry(host_name, section=key)
    if where is None:
        network = max((n for n in site.networks if key.startswith(f"{n}_")), key=len, default=None)
        if network is not None:
            where = locator.family(f"{network}_")
    return where
