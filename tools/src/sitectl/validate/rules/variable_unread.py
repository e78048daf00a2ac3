"""variable-unread: a variable the configuration sets that nothing reads (usually a
misspelling, a variable an upgrade renamed, or a kolla-ansible variable set in a kayobe file).

Ansible ignores a variable nobody reads, so the mistake is silent: the service is never
enabled, the option never changes. Read means named by kayobe (or, for kolla/globals.yml, by
kolla-ansible), by the site's own playbooks, roles, hooks or kolla/config templates, by a
run-time lookup family they build (`kolla_enable_<flag>`, `<network>_cidr`), or by the value
of another variable that is read (sitectl.validate.unread). Variables read only outside Ansible
belong in etc/sitectl/unread-variables.yml, each with its reason.

Example of bad input::

    # environments/ci-aio/kolla.yml
    kolla_enable_prometeus: true       # kayobe reads kolla_enable_prometheus
"""

import datetime
from collections.abc import Iterator

from sitectl.site import Site, used_network_names
from sitectl.validate import unread
from sitectl.validate.finding import Finding
from sitectl.validate.rules.var_undefined import layer_roots
from sitectl.validate.stages import SITE

ID = "variable-unread"
DESCRIPTION = "a variable the configuration sets that nothing reads (misspelt or outdated)"
STAGE = SITE


def check(site: Site) -> Iterator[Finding]:
    roots = layer_roots(site)
    if not roots:
        return
    hosts = site.hosts.values()
    result = unread.check(roots, used_network_names(hosts), site.networks, datetime.date.today())
    for file, line, name, message, hint in unread.findings_of(result):
        yield Finding(ID, site.environment, None, file, name or None, message, hint, line)
