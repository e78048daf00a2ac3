"""Which services a render can be limited to: kolla-ansible's tags.

`--services nova,neutron` becomes kolla-ansible's `--tags nova,neutron` (through kayobe's
`-t`, which kayobe also applies to its own playbooks, whose configuration plays run
regardless). The valid names are the tags of the installed kolla-ansible's site.yml and the
playbooks it imports, so a typo is an error instead of an empty render.
"""

from collections.abc import Sequence

from sitectl import kolla_playbooks
from sitectl.errors import SiteError

NOT_SERVICES = frozenset({"always", "never"})
# What a selected render needs in every host's output directory: kolla's per-service roles
# register themselves there, in directories that the (unselected) haproxy and proxysql roles
# would otherwise create.
SHARED_DIRECTORIES = ("haproxy/services.d", "proxysql/users", "proxysql/rules")


def known_services() -> frozenset[str]:
    return kolla_playbooks.tags() - NOT_SERVICES


def selection(services: Sequence[str] | None) -> list[str] | None:
    """The sorted, checked selection (None: every service)."""
    if services is None:
        return None
    names = sorted({name.strip() for name in services if name.strip()})
    if not names:
        raise SiteError("--services is empty; name at least one service, or leave it out.")
    unknown = [name for name in names if name not in known_services()]
    if unknown:
        raise SiteError(
            f"unknown service{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: a service "
            "is one of kolla-ansible's tags: " + ", ".join(sorted(known_services())) + "."
        )
    return names
