"""var-undefined: a variable of the site's own files cannot be templated because its Jinja
names a variable nothing defines (usually a typo, or a variable the site forgot to set).

kayobe's dump leaves such a value as its raw template (`http://{{ pulp_server_address }}`),
so nothing fails until the first playbook that reads it, or the template ends up verbatim in a
service's configuration. A name counts as defined when any host of the environment has it
(variables set for some hosts or groups only are fine), when the site's files set it anywhere,
when kayobe's own playbooks and roles define it (role defaults, play vars, set_fact, register:
defined lazily, at run time), or when Ansible provides it (facts, `ansible_*`, hostvars,
groups, inventory_hostname, item, omit, lookup...). Only values the dump really left
unrendered are read: guarded names (`x | default(...)`, `x is defined`) render, and
`{% raw %}` and `!unsafe` values are meant for a later templating.

Example of bad input::

    # environments/site/pulp.yml
    pulp_url: "http://{{ pulp_server_address }}:24817"     # pulp_server_address: defined nowhere
"""

import functools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import yaml

from sitectl import readers, values
from sitectl.site import Site
from sitectl.validate import templated
from sitectl.validate.files import (
    INVENTORY_VARS_DIRS,
    Loader,
    inventory_vars_files,
    plaintext,
    vars_files,
)
from sitectl.validate.finding import Finding
from sitectl.validate.rules import _inventory
from sitectl.validate.stages import SITE
from sitectl.validate.templated import JINJA

ID = "var-undefined"
DESCRIPTION = "a variable of the site cannot be templated: its Jinja names an undefined variable"
STAGE = SITE

MARKERS = ("{{", "{%")
# What Ansible provides to every template (besides facts and ansible_* variables).
MAGIC = frozenset(
    {
        "hostvars",
        "groups",
        "group_names",
        "inventory_hostname",
        "inventory_hostname_short",
        "inventory_dir",
        "inventory_file",
        "playbook_dir",
        "play_hosts",
        "role_path",
        "role_name",
        "role_names",
        "omit",
        "item",
        "environment",
        "vars",
        "lookup",
        "query",
        "q",
        "now",
        "undef",
    }
)


class _Unsafe(str):
    """A `!unsafe` value: never templated by Ansible."""


class _SourceLoader(Loader):
    pass


_SourceLoader.add_constructor(
    "!unsafe", lambda loader, node: _Unsafe(loader.construct_scalar(node))
)


def check(site: Site) -> Iterator[Finding]:
    roots = layer_roots(site)
    if not roots:
        return
    sources = site_sources(roots)
    known = (
        MAGIC
        | frozenset(JINJA.globals)
        | kayobe_names()
        | frozenset(sources)
        | frozenset(key for host in site.hosts.values() for key in host.vars)
    )
    for key, written in sorted(sources.items()):
        templates = {
            text for value in written for text in templated.strings_with(value, MARKERS, _Unsafe)
        }
        if not templates:
            continue
        hosts = [h for h in site.hosts.values() if key in h.vars]
        left = {
            h.name: templates & set(templated.strings_with(h.get(key), MARKERS, _Unsafe))
            for h in hosts
        }  # unrendered
        failed = [h for h in hosts if left[h.name]]
        unrendered = set().union(*left.values())
        names = sorted({n for text in unrendered for n in undeclared(text)} - known)
        names = [n for n in names if not n.startswith("ansible_")]
        if not names:
            continue
        shown = ", ".join(names)
        yield Finding(
            ID,
            site.environment,
            None if len(failed) == len(site.hosts) else failed[0].name,  # site-wide or not
            None,
            key,
            f"{key} cannot be templated: it names {shown}, which no host, file of the "
            "configuration or kayobe playbook defines, so kayobe leaves its raw template "
            f"({values.show(sorted(unrendered)[0])})",
            f"Define {names[0]} in the environment's variables, correct the name if it is a "
            f"typo, or guard it (`{names[0]} | default(...)`).",
        )


def layer_roots(site: Site) -> list[Path]:
    """The configuration's layers, as kayobe resolved them (etc/kayobe, then the
    environments)."""
    layers = [
        site.setting("kayobe_config_path"),
        *values.strings(site.setting("kayobe_env_search_paths")),
    ]
    return [Path(d) for d in layers if isinstance(d, str) and d and "{{" not in d]


def site_sources(roots: list[Path]) -> dict[str, list[Any]]:
    """Every variable the site's files set (variables files, group_vars and host_vars, INI
    inventories) -> the values written (not vault-encrypted files: secrets, not templates)."""
    found: dict[str, list[Any]] = {}
    for path in _variable_files(roots):
        read = plaintext(path, None)
        try:
            data = yaml.load(read[0], Loader=_SourceLoader) if read else None
        except (yaml.YAMLError, ValueError, TypeError, RecursionError):
            continue  # yaml-syntax reports it
        for key, value in data.items() if isinstance(data, dict) else ():
            found.setdefault(str(key), []).append(value)
    inside = [root.resolve() for root in roots]
    for parsed in _inventory.parse(roots):
        if any(parsed.path.resolve().is_relative_to(root) for root in inside):
            for key, value, _ in parsed.variables:
                found.setdefault(key, []).append(str(value) if isinstance(value, str) else value)
    return found


def _variable_files(roots: list[Path]) -> Iterator[Path]:
    for root in roots:
        yield from vars_files(root)
        for kind in INVENTORY_VARS_DIRS:
            yield from inventory_vars_files(root, kind)


def _templates(value: Any) -> Iterator[str]:
    """The strings of a value holding Jinja, `!unsafe` ones (never templated) left out."""
    return templated.strings_with(value, MARKERS, _Unsafe)


@functools.lru_cache(maxsize=4096)
def undeclared(text: str) -> frozenset[str]:
    """The variables a template reads from its context (none when it does not parse:
    jinja-syntax reports that)."""
    try:
        return frozenset(jinja2.meta.find_undeclared_variables(JINJA.parse(text)))
    except Exception:
        return frozenset()


@functools.cache
def kayobe_names(playbooks: Path | None = None) -> frozenset[str]:
    """Every variable kayobe's own playbooks, roles and inventory define, also those defined
    only at run time: role defaults and vars, group_vars, play and task `vars:`, set_fact,
    register, loop_var."""
    if playbooks is None:
        from kayobe.utils import get_data_files_path

        playbooks = Path(get_data_files_path("ansible"))
    names: set[str] = set()
    for path in sorted(playbooks.rglob("*")):
        parts = path.relative_to(playbooks).parts
        if not path.is_file() or "molecule" in parts or "tests" in parts:
            continue
        if path.suffix not in (".yml", ".yaml") and "group_vars" not in parts:
            continue
        try:
            data = readers.parse_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and {"defaults", "vars", "group_vars", "host_vars"} & set(parts):
            names.update(str(key) for key in data)
        names.update(_defined_in(data))
    return frozenset(names)


def _defined_in(data: Any, depth: int = 0) -> Iterable[str]:
    """Names a play or task list defines: `vars:` keys, set_fact keys, register, loop_var."""
    if depth > 50:
        return
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("vars", "set_fact", "ansible.builtin.set_fact") and isinstance(value, dict):
                yield from (str(name) for name in value)
            elif key in ("register", "loop_var") and isinstance(value, str):
                yield value
            yield from _defined_in(value, depth + 1)
    elif isinstance(data, list):
        for item in data:
            yield from _defined_in(item, depth + 1)
