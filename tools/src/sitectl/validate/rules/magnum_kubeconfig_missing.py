"""magnum-kubeconfig-missing: Magnum is enabled, but no layer of the configuration has
kolla/config/magnum/kubeconfig, the credentials of the Cluster API management cluster.

kolla-ansible copies that file to the conductor; without it, it disables Magnum's Cluster
API drivers (magnum.conf [drivers] disabled_drivers), and every cluster create fails with
"no driver" although the deploy succeeded.

Example of bad input::

    environments/site/.kayobe-environment   # depends on magnum
    environments/site/kolla/config/magnum/  # no kubeconfig
"""

from collections.abc import Iterator
from pathlib import Path

from sitectl import values
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "magnum-kubeconfig-missing"
DESCRIPTION = "Magnum is enabled without the Cluster API management cluster's kubeconfig"
STAGE = SITE

KUBECONFIG = Path("kolla", "config", "magnum", "kubeconfig")


def check(site: Site) -> Iterator[Finding]:
    if not values.truthy(site.setting("kolla_enable_magnum")):
        return
    layers = [site.setting("kayobe_config_path"), *(site.setting("kayobe_env_search_paths") or [])]
    directories = [Path(d) for d in layers if isinstance(d, str) and d and "{{" not in d]
    if not directories or any((d / KUBECONFIG).is_file() for d in directories):
        return  # (no layer known: nothing to say)
    yield Finding(
        ID,
        site.environment,
        None,
        None,
        "kolla_enable_magnum",
        f"Magnum is enabled, but no layer of the configuration has {KUBECONFIG}: kolla-ansible "
        "then disables the Cluster API drivers and no cluster can be created",
        f"Put the management cluster's kubeconfig in the site's {KUBECONFIG}, vault-encrypted "
        "(ansible-vault encrypt), or turn Magnum off.",
    )
