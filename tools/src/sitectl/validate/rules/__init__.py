"""The validator's rules: one module per rule, in the order they run.

Each module has
  ID           the rule's id (its module name with dashes), e.g. `net-cidr-overlap`;
  DESCRIPTION  one line: what the rule finds;
  STAGE        FILES (runs on the files, before kayobe: sitectl.validate.files.FileContext),
               SITE (runs on kayobe's resolved configuration: sitectl.site.Site) or
               LOAD (the kayobe run itself: reported by the runner);
  check()      FILES and SITE rules: check(context) -> Iterable[Finding], a pure function;
and a docstring that explains the rule and shows an example of bad input.

To add a rule: write rules/NAME.py like the others, add it to RULES below, and give it a
unit test and a minimal broken environment in tests/validate/.
"""

from types import ModuleType

from sitectl.validate.rules import (
    baremetal_host_managed,
    baremetal_no_bmc,
    blazar_filter_missing,
    blazar_host_not_compute,
    env_dependency,
    grafana_dashboard_invalid,
    host_missing_interface,
    host_no_address,
    image_pin_unknown,
    ini_syntax,
    inventory_host_name,
    inventory_syntax,
    ip_duplicate,
    ip_outside_cidr,
    ironic_networks_missing,
    jinja_syntax,
    kayobe_load,
    magnum_keystone_not_public,
    magnum_kubeconfig_missing,
    magnum_template_invalid,
    mtu_exceeds_parent,
    net_cidr_overlap,
    net_gateway_outside,
    net_invalid,
    net_pool_overlaps_static,
    net_vip_outside,
    pci_alias_unmatched,
    pci_filter_missing,
    physnet_mapped_off_compute,
    physnet_unmapped,
    symlink_outside,
    var_undefined,
    var_wrong_type,
    variable_unread,
    vault_password,
    vlan_conflict,
    yaml_syntax,
)
from sitectl.validate.stages import FILES, LOAD, SITE

RULES: tuple[ModuleType, ...] = (
    # On the files, before kayobe runs.
    env_dependency,
    symlink_outside,
    vault_password,
    yaml_syntax,
    inventory_syntax,
    inventory_host_name,
    ini_syntax,
    grafana_dashboard_invalid,
    # kayobe itself.
    kayobe_load,
    # On the resolved configuration.
    jinja_syntax,
    var_undefined,
    variable_unread,
    net_invalid,
    var_wrong_type,
    net_cidr_overlap,
    net_gateway_outside,
    net_vip_outside,
    net_pool_overlaps_static,
    ip_outside_cidr,
    ip_duplicate,
    host_no_address,
    host_missing_interface,
    vlan_conflict,
    mtu_exceeds_parent,
    physnet_unmapped,
    physnet_mapped_off_compute,
    pci_alias_unmatched,
    pci_filter_missing,
    blazar_filter_missing,
    blazar_host_not_compute,
    magnum_keystone_not_public,
    magnum_kubeconfig_missing,
    magnum_template_invalid,
    image_pin_unknown,
    ironic_networks_missing,
    baremetal_no_bmc,
    baremetal_host_managed,
)

BY_ID: dict[str, ModuleType] = {rule.ID: rule for rule in RULES}

__all__ = ["BY_ID", "FILES", "LOAD", "RULES", "SITE"]
