"""blazar-filter-missing: Blazar is enabled (kolla_enable_blazar), but Nova's scheduler filters
(nova_scheduler_enabled_filters) lack BlazarFilter.

Without the filter Nova places ordinary instances on reservable hypervisors and ignores the
leases: a project that reserved a host finds it full when its lease starts, and preemptible
flavors behave like ordinary ones. kolla-ansible adds the filter to its own list, but the
site's list (etc/kayobe/nova.yml, written to nova.conf) replaces kolla-ansible's.

Example of bad input::

    # environments/site/blazar.yml
    blazar_nova_scheduler_filters: []     # the blazar feature's BlazarFilter dropped
"""

from collections.abc import Iterator

from sitectl import values
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "blazar-filter-missing"
DESCRIPTION = "Blazar is enabled but Nova's scheduler filters lack BlazarFilter"
STAGE = SITE

FILTER = "BlazarFilter"
KEY = "nova_scheduler_enabled_filters"


def check(site: Site) -> Iterator[Finding]:
    if not values.truthy(site.setting("kolla_enable_blazar")):
        return
    filters = site.setting(KEY)
    if FILTER in values.strings(filters):
        return
    state = "is not set" if not values.is_set(filters) else f"lacks {FILTER}"
    yield Finding(
        ID,
        site.environment,
        None,
        None,
        KEY,
        f"Blazar is enabled (kolla_enable_blazar), but {KEY} {state}: Nova would ignore the "
        "leases and place any instance on reservable hypervisors",
        f"Add {FILTER} to {KEY} (the blazar environment adds it through "
        "blazar_nova_scheduler_filters).",
    )
