"""What a change needs rendered: nothing, some kolla services, or everything.

From the files that differ between base and head, for one environment:

- outside the configuration (README.md, tools/, tests/, ci/, docs...): nothing to render.
  The configuration is etc/kayobe/ and what its symlinks reach (environments/, ansible/).
  Both sides are rendered with the same toolchain, so requirements.txt cannot change a diff.
  A file outside it that the configuration names (`lookup('pipe', kayobe_config_path ~
  '/../../tools/x.py')`, and what that script names in turn: config_tree.named()) matters as
  much as the configuration files that name it: another environment's file, nothing; a
  kolla/config override, its services; anything else, everything.
- another environment's files (not in this environment's layering): nothing.
- Markdown files (not inside an inventory directory): nothing.
- kolla/config/NAME.conf or kolla/config/NAME/... (base or an environment's): the kolla-ansible
  services whose roles read that override, e.g. nova.conf -> nova, nova-cell;
  neutron/ml2_conf.ini -> neutron. global.conf, or a name no role is known to read: everything.
  Unless a role of kolla-ansible's loadbalancer step reads one of them, that step is left
  out (its HAProxy and ProxySQL files come from variables the change does not touch).
- anything else of the configuration (*.yml, inventory, kolla/globals.yml, passwords.yml,
  networks, .kayobe-environment, hooks, symlinks): everything, since it may reach any service.
"""

import posixpath
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from sitectl.diff.model import Plan
from sitectl.diff.services import KollaServices

CONFIG_ROOT = "etc/kayobe"
ENVIRONMENTS = "environments"  # inside CONFIG_ROOT (usually a symlink to REPO/environments)
EVERYTHING = "global"  # kolla/config/global.conf applies to every service
# kolla-ansible's loadbalancer step (site.yml's play tagged `loadbalancer`): HAProxy, keepalived
# and ProxySQL for every selected service, from variables and these roles' own overrides
# (kolla/config/haproxy, haproxy-config, proxysql, keepalived). A change no role of it reads
# cannot change its output, and a selected render leaves it out (`--skip-tags loadbalancer`).
LOADBALANCER_TAG = "loadbalancer"
LOADBALANCER_ROLES = frozenset({"loadbalancer", "haproxy-config", "proxysql-config"})


@dataclass(frozen=True)
class Effect:
    """What one changed file means for the render."""

    kind: str  # "none", "services", "full"
    why: str
    services: frozenset[str] = frozenset()
    override: str = ""  # kind "services": the kolla/config name (nova for nova.conf)


def config_roots(links: Mapping[str, str]) -> dict[str, str]:
    """{repository path: path as kayobe sees it} for etc/kayobe and the directories its
    top-level symlinks point to (etc/kayobe/environments -> ../../environments)."""
    roots = {CONFIG_ROOT: CONFIG_ROOT}
    for link, target in links.items():
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(link), target))
        if not resolved.startswith(("..", "/")):
            roots[resolved] = link
    return roots


def seen_as(path: str, roots: Mapping[str, str] | None = None) -> str | None:
    """`path` (relative to the repository) as kayobe sees it under etc/kayobe; None: it is not
    part of the configuration."""
    roots = roots or {CONFIG_ROOT: CONFIG_ROOT, ENVIRONMENTS: f"{CONFIG_ROOT}/{ENVIRONMENTS}"}
    for root, alias in sorted(roots.items(), key=lambda item: -len(item[0])):
        if path == root or path.startswith(root + "/"):
            return alias + path[len(root) :]
    return None


def is_read(path: str, roots: Mapping[str, str] | None = None) -> bool:
    """Whether a render may read `path` (and so whatever it names): part of the configuration,
    and not documentation."""
    seen = seen_as(path, roots)
    return seen is not None and not _documentation(path, seen)


def _documentation(path: str, seen: str) -> bool:
    """Markdown, unless inside an inventory directory (Ansible reads every file there)."""
    return path.endswith(".md") and "inventory" not in seen.split("/")[:-1]


def may_be_named(changed: Iterable[str], roots: Mapping[str, str] | None = None) -> bool:
    """Whether a changed file outside the configuration could be one the configuration names
    (only then are the names worth looking for: a change to documentation alone is not)."""
    return any(seen_as(path, roots) is None and not path.endswith(".md") for path in changed)


def classify(
    path: str,
    environments: Iterable[str],
    services: KollaServices,
    roots: Mapping[str, str] | None = None,
    named: Mapping[str, Collection[str]] | None = None,
) -> Effect:
    """The effect of a change to `path` (relative to the repository) on rendering the
    environment whose layering is `environments` (dependencies and itself). `named`: the
    files outside the configuration that it names, each with the configuration files that
    name it."""
    seen = seen_as(path, roots)
    if seen is None:
        if named and path in named:
            return _through(path, named[path], lambda n: classify(n, environments, services, roots))
        return Effect("none", f"{path} is not part of the configuration")
    if _documentation(path, seen):
        return Effect("none", f"{path} is documentation")
    relative = seen[len(CONFIG_ROOT) :].lstrip("/")
    parts = relative.split("/") if relative else []
    if len(parts) >= 2 and parts[0] == ENVIRONMENTS:
        if parts[1] not in set(environments):
            return Effect("none", f"{path} belongs to another environment ({parts[1]})")
        if len(parts) == 2:
            return Effect("full", f"{path} changes the environment itself")
        parts = parts[2:]  # inside an environment of the layering: same rules as the base
    if len(parts) >= 3 and parts[0] == "kolla" and parts[1] == "config":
        name = parts[2] if len(parts) > 3 else parts[2].rsplit(".", 1)[0]
        if name == EVERYTHING:
            return Effect("full", f"{path} applies to every kolla service")
        tags = services.tags_for_override(name)
        if tags is None:
            return Effect("full", f"no kolla-ansible role is known to read {path}")
        listed = ", ".join(sorted(tags))
        return Effect("services", f"{path} is read by {listed} only", tags, name)
    return Effect("full", f"{path} may affect any service")


def _through(path: str, namers: Collection[str], effect_of: Callable[[str], Effect]) -> Effect:
    """The effect of a change to a file the configuration names: that of a change to the
    configuration files that name it (`effect_of`), the widest of them."""
    effects = {namer: effect_of(namer) for namer in sorted(namers)}
    relevant = {namer: e for namer, e in effects.items() if e.kind != "none"}
    if not relevant:
        first, effect = next(iter(effects.items()))
        return Effect("none", f"{path} is read only through {first} ({effect.why})")
    overrides = {e.override for e in relevant.values()}
    if {e.kind for e in relevant.values()} == {"services"} and len(overrides) == 1:
        namer = next(iter(relevant))
        tags = frozenset().union(*(e.services for e in relevant.values()))
        why = f"{path} is read through {namer}, which only {', '.join(sorted(tags))} read"
        return Effect("services", why, tags, overrides.pop())
    namer = next((n for n, e in relevant.items() if e.kind == "full"), next(iter(relevant)))
    return Effect("full", f"{path} is read through {namer}, so it may affect any service")


def plan(
    changed: Iterable[str],
    environments: Iterable[str],
    services: KollaServices,
    roots: Mapping[str, str] | None = None,
    force_full: bool = False,
    named: Mapping[str, Collection[str]] | None = None,
) -> Plan:
    """`named`: as classify()'s (the diff reads it at both sides; config_tree.named())."""
    changed = sorted(set(changed))
    environments = list(environments)
    effects = {path: classify(path, environments, services, roots, named) for path in changed}
    relevant = {path: e for path, e in effects.items() if e.kind != "none"}
    if force_full:
        return Plan("full", "a full render was asked for (--full)", changed_files=changed)
    if not relevant:
        reason = (
            "no configuration file of this environment changed"
            if changed
            else "the two sides are the same tree"
        )
        return Plan("none", reason, changed_files=changed)
    full = [path for path, e in relevant.items() if e.kind == "full"]
    if full:
        more = f" (and {len(full) - 1} more)" if len(full) > 1 else ""
        return Plan(
            "full",
            f"{relevant[full[0]].why}{more}",
            changed_files=changed,
            trigger=full[0],
        )
    tags = sorted({t for e in relevant.values() for t in e.services})
    loadbalancer = LOADBALANCER_TAG in tags or any(
        services.read_by_any(e.override, LOADBALANCER_ROLES) for e in relevant.values()
    )
    return Plan(
        "services",
        f"the change touches only {', '.join(relevant)}, which only {', '.join(tags)} read",
        services=tags,
        changed_files=changed,
        skipped=[] if loadbalancer else [LOADBALANCER_TAG],
    )
