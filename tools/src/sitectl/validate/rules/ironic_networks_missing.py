"""ironic-networks-missing: Ironic is enabled (kolla_enable_ironic) but its provisioning or
cleaning network (provision_wl_net_name, cleaning_net_name) is not set or has no CIDR; or
its inspection network (inspection_net_name), when set, has no CIDR.

Ironic deploys and cleans nodes by PXE-booting them on these networks; without them
`kayobe overcloud service deploy` fails, or nodes never leave the cleaning state.

Example of bad input::

    # environments/site/ironic.yml
    kolla_enable_ironic: "yes"
    provision_wl_net_name: provision_wl_net
    # and no provision_wl_net_cidr in networks.yml
"""

from collections.abc import Iterator

from sitectl import values
from sitectl.site import Site
from sitectl.validate.files import layer_dir
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "ironic-networks-missing"
DESCRIPTION = "Ironic is enabled without a provisioning or cleaning network (with a CIDR)"
STAGE = SITE

ROLES = (
    ("provision_wl_net_name", "provisioning", True),
    ("cleaning_net_name", "cleaning", True),
    ("inspection_net_name", "inspection", False),
)


def check(site: Site) -> Iterator[Finding]:
    if not values.truthy(site.setting("kolla_enable_ironic")):
        return
    without_cidr: dict[str, list[tuple[str, str]]] = {}  # network -> [(role, purpose)]
    for role, purpose, required in ROLES:
        name = values.text(site.setting(role))
        if name is None:
            if required:
                yield Finding(
                    ID,
                    site.environment,
                    None,
                    None,
                    role,
                    f"Ironic is enabled but has no {purpose} network ({role} is not set)",
                    f"Set {role} to the kayobe network Ironic uses for {purpose} (the ironic "
                    "environment uses provision_wl_net), and define that network.",
                )
            continue
        network = site.networks.get(name)
        if network is None or network.network is None:
            without_cidr.setdefault(name, []).append((role, purpose))
    for name, roles in without_cidr.items():
        purposes = " and ".join(purpose for _, purpose in roles)
        variables = ", ".join(role for role, _ in roles)
        yield Finding(
            ID,
            site.environment,
            None,
            None,
            f"{name}_cidr",
            f"Ironic's {purposes} network {name} ({variables}) has no CIDR",
            f"Define {name} in {layer_dir(site.environment)}/networks.yml: "
            f"{name}_cidr, its allocation pools and VLAN.",
        )
