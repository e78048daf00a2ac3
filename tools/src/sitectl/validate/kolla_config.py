"""How kayobe processes each file under a layer's kolla/config before kolla-ansible reads it.

kayobe's kolla-openstack role matches each file against its custom config rules (its
defaults, and the site's kolla_openstack_custom_config_rules_extra), in increasing priority,
the first match deciding the strategy: `copy` (as written), `template`, `concat` or
`merge_configs` (INI, templated), `merge_yaml` (YAML, templated). A file no rule matches is
templated (kayobe's catch-all `**` rule).
"""

import functools
from pathlib import Path
from typing import Any

from sitectl import values
from sitectl.validate.files import FileContext, site_value

COPY, TEMPLATE = "copy", "template"
INI_STRATEGIES = ("merge_configs", "concat")
EXTRA_RULES = "kolla_openstack_custom_config_rules_extra"
_INI_DEFAULT = "ini_merge_strategy_default"  # kayobe's INI rules name their strategy by it

Rules = tuple[tuple[str, str], ...]  # (glob, strategy), in kayobe's order


def site_rules(ctx: FileContext) -> Rules:
    """The rules kayobe applies to this environment's kolla/config files."""
    return _rules(site_value(ctx, EXTRA_RULES))


def strategy(relative: str, rules: Rules) -> str:
    """The strategy of kolla/config/`relative`: the first rule whose glob matches it."""
    from wcmatch import glob

    for pattern, chosen in rules:
        if glob.globmatch(relative, pattern, flags=glob.GLOBSTAR):
            return chosen
    return TEMPLATE


def is_ini(chosen: str) -> bool:
    """Whether a strategy merges the file as INI."""
    return chosen in INI_STRATEGIES or _INI_DEFAULT in chosen


def is_templated(chosen: str) -> bool:
    """Whether kayobe templates a file of this strategy (all but `copy` do)."""
    return chosen != COPY


def _rules(extra: Any) -> Rules:
    """kayobe's custom config rules as (glob, strategy), lower priority first: the site's extra
    ones (those with a templated glob or priority cannot be placed: left out) and kayobe's."""
    entries = [
        (values.integer(rule.get("priority")), str(rule["glob"]), str(rule.get("strategy", "")))
        for rule in values.dicts(extra)
        if isinstance(rule.get("glob"), str)
        and "{{" not in rule["glob"]
        and rule.get("enabled", True) is not False
    ]
    placed = [(p, g, s) for p, g, s in entries if p is not None]
    combined = sorted([*_kayobe_rules(), *placed], key=lambda rule: rule[0])  # kayobe's order
    return tuple((pattern, chosen) for _, pattern, chosen in combined)


@functools.cache
def _kayobe_rules() -> tuple[tuple[int, str, str], ...]:
    """(priority, glob, strategy) of the installed kayobe's kolla-openstack default rules."""
    import yaml
    from kayobe.utils import get_data_files_path

    defaults = Path(get_data_files_path("ansible", "roles", "kolla-openstack", "defaults"))
    try:
        data = yaml.safe_load((defaults / "main.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return ()
    rules = values.dicts((data or {}).get("kolla_openstack_custom_config_rules_default"))
    return tuple(
        (values.integer(rule.get("priority")) or 0, str(rule["glob"]), str(rule.get("strategy")))
        for rule in rules
        if isinstance(rule.get("glob"), str)
    )
