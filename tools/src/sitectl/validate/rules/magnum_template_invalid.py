"""magnum-template-invalid: a cluster template of magnum_cluster_templates lacks what
ansible/magnum-cluster-templates.yml needs, repeats another's name, or lists its extra networks
in a form the driver cannot use.

The playbook stops at the first bad template, after creating the ones before it; the driver
reads extra_networks as Neutron network names (a space separates two), so a name with a space
or an empty name attaches the nodes to networks nobody meant.

Example of bad input::

    # environments/site/magnum.yml
    magnum_cluster_templates:
      - name: kubernetes-hpc
        image: ubuntu-noble-kube-v1.33
        flavor: baremetal.hpc            # no master_flavor, no external_network
        extra_networks: provider-10g     # a string, not a list
"""

from collections.abc import Iterator
from typing import Any

from sitectl import values
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "magnum-template-invalid"
DESCRIPTION = "a Magnum cluster template is incomplete, repeated, or names networks wrongly"
STAGE = SITE

KEY = "magnum_cluster_templates"
REQUIRED = ("name", "image", "flavor", "master_flavor", "external_network")


def check(site: Site) -> Iterator[Finding]:
    if not values.truthy(site.setting("kolla_enable_magnum")):
        return
    templates = site.setting(KEY)
    if not isinstance(templates, list):
        yield _finding(site, f"{KEY} is not a list of templates", "Make it a YAML list.")
        return
    seen: set[str] = set()
    for index, template in enumerate(templates):
        where = f"{KEY}[{index}]"
        if not isinstance(template, dict):
            yield _finding(site, f"{where} is not a mapping", "Give each template its keys.")
            continue
        name = template.get("name")
        if isinstance(name, str) and name:
            where = f"{where} ({name})"
            if name in seen:
                yield _finding(site, f"{where} repeats the name {name}", "Rename one of them.")
            seen.add(name)
        missing = [k for k in REQUIRED if not values.is_set(template.get(k))]
        if missing:
            yield _finding(
                site,
                f"{where} has no {', '.join(missing)}",
                f"Every template needs {', '.join(REQUIRED)}.",
            )
        yield from _extra_networks(site, where, template.get("extra_networks"))


def _extra_networks(site: Site, where: str, networks: Any) -> Iterator[Finding]:
    if networks is None:
        return
    if not isinstance(networks, list):
        yield _finding(
            site,
            f"{where} extra_networks is {networks!r}, not a list",
            "List the Neutron network names, one per item.",
        )
        return
    for network in networks:
        if not isinstance(network, str) or not network.strip() or " " in network:
            yield _finding(
                site,
                f"{where} extra_networks names {network!r}: the driver splits names at "
                "spaces, so it would attach the nodes to other networks",
                "Use the Neutron network's name (no spaces), or its ID.",
            )


def _finding(site: Site, message: str, hint: str) -> Finding:
    return Finding(ID, site.environment, None, None, KEY, message, hint)
