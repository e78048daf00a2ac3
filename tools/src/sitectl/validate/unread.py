"""Which of a configuration's variables nothing reads (the variable-unread rule, and the
config diff's problems).

A kayobe variable (set in a layer's variables files or inventory) is read when kayobe names it
(its playbooks, roles, group_vars, templates, plugins or command line), when the site's own
code does (the layers' ansible/ playbooks, roles and filter plugins, hooks, and the kolla/config
files kayobe templates), when a run-time family matches it (`kolla_enable_*` resolved with the
feature flags kayobe loops over; `<network>_<attribute>` for the site's networks), or when the
value of a variable that is read, or of kolla/globals.yml, names it. kolla/globals.yml's keys
are kolla-ansible's: read when kolla-ansible names them. kolla-ansible does not read kayobe's
variables, so a kolla-ansible variable in a kayobe file is unread, and the finding says where it
belongs.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitectl import readers, vault
from sitectl.environments import label
from sitectl.readers import Index, Source
from sitectl.repo import environments_dir
from sitectl.site import build_site, used_network_names
from sitectl.validate import role_params
from sitectl.validate.files import KOLLA_GLOBALS, relative
from sitectl.validate.settings import KAYOBE, Setting, settings
from sitectl.validate.unread_allowlist import PATH as ALLOWLIST
from sitectl.validate.unread_allowlist import Allowlist
from sitectl.validate.unread_allowlist import load as load_allowlist

SITE_CODE = ("ansible", "hooks", "kolla")
NOT_CODE = frozenset({"passwords.yml", "globals.yml"})  # secrets; settings, not readers


@dataclass(frozen=True)
class Unread:
    """A setting nothing reads, with what the reader code does read that is close to it."""

    setting: Setting
    file: str  # relative to the repository
    suggestions: tuple[str, ...]
    kolla_ansible_reads: bool  # a kayobe variable that kolla-ansible, not kayobe, reads
    network: str | None = None  # an attribute of this network, which nothing uses
    renamed: str | None = None  # the name the toolchain documents it has now


@dataclass(frozen=True)
class Stale:
    """An allowlist entry that no longer applies, or that is malformed."""

    file: str
    line: int
    message: str


@dataclass
class Result:
    unread: list[Unread]
    stale: list[Stale]
    toolchain: dict[str, str]
    ignored: list[role_params.Ignored]  # passed to a role that never reads it


def repository(roots: list[Path]) -> Path:
    """The repository that holds the configuration (etc/kayobe's grandparent)."""
    first = roots[0]
    return first.parent.parent if first.parts[-2:] == ("etc", "kayobe") else first


def check(
    roots: list[Path],
    networks: Iterable[str],
    all_networks: Iterable[str],
    today: datetime.date,
    prefix: Path | None = None,
) -> Result:
    """The settings of these layers (kayobe's order, etc/kayobe first) that nothing reads.

    A setting of an environment must be read within the environment's own layers. One of
    etc/kayobe is a default shared by every environment: read when any environment's code or
    variables read it (the base's magnum settings are read by the magnum environment's
    kolla/config, not by an environment without Magnum). `prefix`: the virtualenv of the
    toolchain that reads them (default the running one)."""
    facts = _facts(tuple(roots), prefix)
    kayobe, kolla_ansible = facts.kayobe, facts.toolchain.kolla_ansible
    networks = sorted(set(networks), key=len, reverse=True)
    read = _read_names(facts.settings, kayobe, kolla_ansible, networks)
    base = roots[0].resolve()
    allowed = facts.allowlist.in_force(today)
    unread = [
        _unread(setting, facts.repo, kayobe, kolla_ansible, all_networks)
        for setting in facts.settings
        if setting.name not in read[setting.reader]
        and setting.name not in allowed
        and not (setting.path.resolve().is_relative_to(base) and setting.name in facts.shared)
    ]
    stale = [
        Stale(
            str(ALLOWLIST),
            entry.line,
            f"the allowance for {entry.name} expired on {entry.expires}: {entry.reason}",
        )
        for entry in facts.allowlist.expired(today)
    ] + [Stale(str(ALLOWLIST), p.line, p.message) for p in facts.allowlist.problems]
    return Result(unread, stale, facts.toolchain.versions, facts.ignored)


Signature = tuple[tuple[str, int, int], ...]  # the configuration's files: path, size, mtime


@dataclass(frozen=True)
class _Facts:
    """What the check reads from the files alone (not from kayobe's resolved variables)."""

    repo: Path
    toolchain: readers.Toolchain
    kayobe: Index  # the toolchain's kayobe index with the site's code
    settings: list[Setting]
    shared: frozenset[str]  # what any environment reads (for etc/kayobe's defaults)
    allowlist: Allowlist
    ignored: list[role_params.Ignored]


def _facts(roots: tuple[Path, ...], prefix: Path | None = None) -> _Facts:
    """The files' facts, read once per state of the files (and toolchain): validating many
    environments of one repository (or one environment many times) reads them once."""
    repo = repository(list(roots))
    signature = _signature(repo)
    return _facts_of(roots, signature, _shared(repo, roots[0], signature), prefix)


def _signature(repo: Path) -> Signature:
    """Every configuration file's path, size and modification time."""
    found = []
    for top in ("etc", "environments", "ansible"):
        for directory, _, names in os.walk(repo / top, followlinks=False):
            for name in names:
                path = os.path.join(directory, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                found.append((path, info.st_size, info.st_mtime_ns))
    return tuple(sorted(found))


@functools.lru_cache(maxsize=4)
def _shared(repo: Path, base: Path, signature: Signature) -> frozenset[str]:
    del signature  # the cache key: the files as they are
    return frozenset(_read_anywhere(repo, [base]))


@functools.lru_cache(maxsize=8)
def _facts_of(
    roots: tuple[Path, ...], signature: Signature, shared: frozenset[str], prefix: Path | None
) -> _Facts:
    del signature  # the cache key: the files as they are
    layers = list(roots)
    repo = repository(layers)
    toolchain = readers.toolchain_index(prefix)
    kayobe_roles = readers.sources(prefix)[0][0].root / "roles"
    return _Facts(
        repo,
        toolchain,
        toolchain.kayobe.merged(site_index(layers, repo)),
        list(settings(layers)),
        shared,
        load_allowlist(repo),
        list(role_params.check(layers, repo, kayobe_roles)),
    )


def _read_anywhere(repo: Path, roots: list[Path]) -> set[str]:
    """The names any environment's code mentions or any environment's variables' values
    mention (what can read a default of etc/kayobe)."""
    others = [p for p in sorted(environments_dir(repo).glob("*")) if p.is_dir()]
    layers = [roots[0], *others]
    names = set(site_index(layers, repo).names)
    for setting in settings(layers):
        names |= _mentions(setting.value)
    return names


def site_index(roots: list[Path], repo: Path) -> Index:
    """What the site's own code reads: each layer's ansible/, hooks/ and kolla/ (kolla/config
    is templated by kayobe), never a file outside the repository."""
    sources = [
        Source("site", root / name, boundary=repo, skipped=NOT_CODE)
        for root in roots
        for name in SITE_CODE
    ]
    return readers.build(sources)


def _read_names(
    found: list[Setting], kayobe: Index, kolla_ansible: Index, networks: list[str]
) -> dict[str, set[str]]:
    """The names read, per reader: directly, or through the value of a variable that is."""
    by_reader: dict[str, Index] = {KAYOBE: kayobe}
    read: dict[str, set[str]] = {KAYOBE: set(), "kolla-ansible": set()}
    values: dict[str, list[Any]] = {}
    pending: list[str] = []
    for setting in found:
        index = by_reader.get(setting.reader, kolla_ansible)
        if setting.reader == KAYOBE:
            values.setdefault(setting.name, []).append(setting.value)
        if setting.name not in read[setting.reader] and index.reads(setting.name, networks):
            read[setting.reader].add(setting.name)
            pending.append(setting.name)
        if setting.path.parts[-2:] == KOLLA_GLOBALS.parts:  # kayobe templates its values
            pending += sorted(_mentions(setting.value))
    while pending:
        name = pending.pop()
        read[KAYOBE].add(name)
        for value in values.pop(name, []):
            pending += sorted(_mentions(value) - read[KAYOBE])
    return read


def _mentions(value: Any) -> set[str]:
    """The names a value can read: every identifier of its templates, and the names its lists
    and mappings hold (kayobe reads lists of variable names, e.g. the host variables it passes
    to kolla-ansible's inventory)."""
    if isinstance(value, str):
        if "{{" in value or "{%" in value:
            return readers.identifiers(value)
        return set()
    if isinstance(value, dict):
        found = set()
        for key, item in value.items():
            found |= _mentions(item) | _named(key)
        return found
    if isinstance(value, list):
        found = set()
        for item in value:
            found |= _mentions(item) | _named(item)
        return found
    return set()


def _named(value: Any) -> set[str]:
    return {value} if isinstance(value, str) and readers.NAME.match(value) else set()


def _unread(
    setting: Setting, repo: Path, kayobe: Index, kolla_ansible: Index, networks: Iterable[str]
) -> Unread:
    own = kayobe if setting.reader == KAYOBE else kolla_ansible
    network = next(
        (
            n
            for n in sorted(networks, key=len, reverse=True)
            if setting.name.startswith(f"{n}_")
            and setting.name[len(n) + 1 :] in own.network_attributes
        ),
        None,
    )
    elsewhere = setting.reader == KAYOBE and setting.name in kolla_ansible.defined
    candidates = own.defined | {n for n in own.names if n.startswith(setting.name[:4])}
    close = difflib.get_close_matches(setting.name, sorted(candidates), n=3, cutoff=0.8)
    file = relative(repo.resolve(), setting.path.resolve())  # the real file, not a link's
    return Unread(setting, file, tuple(close), elsewhere, network, own.renames.get(setting.name))


def describe(unread: Unread, toolchain: dict[str, str]) -> tuple[str, str]:
    """(message, hint) of a finding."""
    setting = unread.setting
    if unread.network:
        message = (
            f"{setting.name} is set, but nothing reads it: network {unread.network} is used by "
            "no host's network_interfaces, no *_net_name variable and not external_net_names"
        )
    elif setting.reader == KAYOBE:
        message = (
            f"{setting.name} is set, but nothing reads it: not kayobe "
            f"{toolchain.get('kayobe', '?')}, not the site's playbooks, roles, hooks or "
            "kolla/config templates, and no variable that is read"
        )
    else:
        message = (
            f"{setting.name} is set in kolla-ansible's globals, but kolla-ansible "
            f"{toolchain.get('kolla-ansible', '?')} never reads it"
        )
    hints = []
    if unread.network:
        hints.append(f"Put network {unread.network} in use, or remove its attributes.")
    elif unread.suggestions:
        hints.append("Did you mean " + " or ".join(f"`{s}`" for s in unread.suggestions) + "?")
    if unread.renamed:
        hints.append(
            f"{'kayobe' if setting.reader == KAYOBE else 'kolla-ansible'} documents "
            f"{setting.name} as the old name of {unread.renamed}: use {unread.renamed}."
        )
    if unread.kolla_ansible_reads:
        hints.append(
            f"{setting.name} is a kolla-ansible variable, and kolla-ansible never sees kayobe's "
            "variables: set it in the layer's kolla/globals.yml (or use kayobe's "
            f"kolla_{setting.name} if it has one)."
        )
    if not hints:
        hints.append("Remove it, or correct its name.")
    hints.append(f"If something outside Ansible reads it, list it in {ALLOWLIST} with why.")
    return message, " ".join(hints)


def problems(
    config: Path,
    environment: str | None,
    hostvars: Mapping[str, Any],
    today: datetime.date,
    prefix: Path | None = None,
) -> list[tuple[str, int, str, str, str]]:
    """(file, line, variable, message, hint) of what nothing reads in `environment` of the
    configuration at `config`, whose hosts resolve to `hostvars` ({host: variables}, e.g. a
    render's): what the config diff compares between its two sides. `prefix`: the virtualenv
    of the toolchain that reads them (default the running one)."""
    site = build_site(label(environment), hostvars)
    roots = vault.config_roots(config, environment)
    networks = used_network_names(site.hosts.values())
    return list(findings_of(check(roots, networks, site.networks, today, prefix)))


def findings_of(result: Result) -> Iterator[tuple[str, int, str, str, str]]:
    """(file, line, variable, message, hint) of each problem, in file order."""
    for unread in sorted(result.unread, key=lambda u: (u.file, u.setting.line)):
        message, hint = describe(unread, result.toolchain)
        yield unread.file, unread.setting.line, unread.setting.name, message, hint
    for ignored in result.ignored:
        passed = ignored.passed
        hint = (
            "Did you mean " + " or ".join(f"`{s}`" for s in ignored.suggestions) + "?"
            if ignored.suggestions
            else f"Correct the name to one role {passed.role} reads, or remove it."
        )
        yield (
            passed.file,
            passed.line,
            passed.name,
            f"{passed.name} is passed to role {passed.role}, which never reads it",
            hint,
        )
    for stale in result.stale:
        yield (
            stale.file,
            stale.line,
            "",
            f"{stale.file}: {stale.message}",
            "Review the entry: renew its date with a reason, or remove it (and the variable).",
        )
