"""kayobe's kolla-openstack.yml in a render of some services: only the overrides they read.

kolla-openstack.yml builds kolla-ansible's custom config (KOLLA_CONFIG_PATH/config) from
every kolla/config file of the site and of kayobe's role, one task iteration per file: the
INI merges alone take 5 s of a render of ci-aio. That tree is not part of the render: only
what kolla-ansible genconfig writes from it is. A render of some services therefore needs
only the overrides their roles read (kolla_custom_config.read_by), and leaves the others
out through kayobe's own list of globs to copy (kolla_openstack_custom_config_include_globs,
kayobe's default + the site's _extra), filtered by override name.

The list stays whole, and the render says why, when:
- the render is a full one;
- a selected role, or a role it uses, reaches an override by a name it computes;
- the site sets the list itself (its value is then not kayobe's default + _extra);
- a variable of the site names the custom config directory (node_custom_config, or the
  path itself): kolla-ansible could then read any override through it;
- this kayobe's role defines the list another way.
"""

import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from sitectl import kolla_custom_config, kolla_playbooks

VARIABLE = "kolla_openstack_custom_config_include_globs"
PARTS = (f"{VARIABLE}_default", f"{VARIABLE}_extra")
KAYOBE_DEFAULTS = Path("share", "kayobe", "ansible", "roles", "kolla-openstack", "defaults")


@dataclass(frozen=True)
class Scope:
    left_out: frozenset[str]  # override names kolla-openstack.yml does not copy
    why: str  # what render.json records

    def extra_vars(self) -> dict[str, str]:
        """kayobe's variable, filtered ({} when nothing is left out)."""
        if not self.left_out:
            return {}
        names = "|".join(sorted(name.replace(".", "[.]") for name in self.left_out))
        # a glob whose first component is NAME, NAME.ext or NAME.ext.j2 (override_name)
        pattern = f"^(?:{names})(?:[.][^./]*)?(?:[.]j2)?(?:/|$)"
        listed = " + ".join(PARTS)
        return {VARIABLE: f"{{{{ ({listed}) | rejectattr('glob', 'match', '{pattern}') | list }}}}"}

    def write(self, path: Path) -> list[str]:
        """kayobe's -e for the scope (written to `path`), or none."""
        variables = self.extra_vars()
        if not variables:
            return []
        path.write_text(json.dumps(variables, indent=2) + "\n", encoding="utf-8")
        return ["-e", f"@{path}"]


EVERY = "every override"


def scope(chosen: Sequence[str] | None, skipped: Sequence[str], site: Iterable[str]) -> Scope:
    """What kolla-openstack.yml copies for a render of `chosen` kolla-ansible tags (None:
    all) without `skipped`; `site`: the hosts' variables as kayobe dumped them (YAML)."""
    if chosen is None:
        return Scope(frozenset(), f"{EVERY} (a full render)")
    wanted, left = set(chosen), set(skipped)
    roles = sorted(
        role
        for role, tags in kolla_playbooks.role_tags().items()
        if set(tags) & wanted and not set(tags) & left
    )
    read = kolla_custom_config.read_by(roles)
    if read is None:
        return Scope(frozenset(), f"{EVERY} (a role of {', '.join(roles)} computes its paths)")
    site = list(site)
    if any(_sets(VARIABLE, text) for text in site):
        return Scope(frozenset(), f"{EVERY} (the configuration sets {VARIABLE})")
    if any(_names_the_directory(text) for text in site):
        return Scope(frozenset(), f"{EVERY} (a variable names the custom config directory)")
    if not _kayobe_composes():
        return Scope(frozenset(), f"{EVERY} (this kayobe's {VARIABLE} is not {' + '.join(PARTS)})")
    left_out = kolla_custom_config.every_name() - read
    return Scope(
        frozenset(left_out),
        f"the overrides {', '.join(roles)} read ({', '.join(sorted(read))}); "
        f"{len(left_out)} others left out",
    )


def _sets(variable: str, text: str) -> bool:
    return re.search(rf"^{re.escape(variable)}:", text, re.M) is not None


# node_custom_config, or its value: the dump's own (normalised) path, or kolla's default
_DIRECTORY = re.compile(r"node_custom_config|<render:kolla-config>/config\b|/etc/kolla/config\b")
_DEFINED = "kolla_node_custom_config_path:"  # kayobe's variable that sets it


def _names_the_directory(text: str) -> bool:
    return any(
        _DIRECTORY.search(line) and not line.startswith(_DEFINED) for line in text.splitlines()
    )


def _kayobe_composes() -> bool:
    """Whether kayobe's kolla-openstack role defines the list as its default + _extra."""
    defaults = Path(sys.prefix, KAYOBE_DEFAULTS, "main.yml")
    try:
        value = (yaml.safe_load(defaults.read_text(encoding="utf-8")) or {}).get(VARIABLE)
    except (OSError, yaml.YAMLError, AttributeError):
        return False
    expected = "{{ " + " + ".join(PARTS) + " }}"
    return isinstance(value, str) and " ".join(value.split()) == expected
