"""magnum-keystone-not-public: Magnum is enabled, but the clusters' application credentials name
a Keystone interface other than public (magnum_capi_helm_app_cred_interface, magnum.conf's
[capi_helm] app_cred_interface_type).

A cluster's machines run on tenant networks. They reach Keystone (for the OpenStack cloud
provider, Cinder CSI, autoscaling) through the endpoint of the interface their credential
names; the internal and admin endpoints live on the internal API network, which tenant
networks cannot route to. The cluster then comes up without storage or load balancers, and
the failure shows only in its pods' logs.

Example of bad input::

    # environments/site/magnum.yml
    magnum_capi_helm_app_cred_interface: internal
"""

from collections.abc import Iterator

from sitectl import values
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "magnum-keystone-not-public"
DESCRIPTION = "Magnum's clusters are given a Keystone endpoint tenant networks cannot reach"
STAGE = SITE

KEY = "magnum_capi_helm_app_cred_interface"


def check(site: Site) -> Iterator[Finding]:
    if not values.truthy(site.setting("kolla_enable_magnum")):
        return
    interface = site.setting(KEY)
    if values.text(interface) == "public":
        return
    yield Finding(
        ID,
        site.environment,
        None,
        None,
        KEY,
        f"Magnum is enabled, but {KEY} is {interface!r}: each cluster's machines, on tenant "
        "networks, would be sent to that Keystone endpoint, which only the cloud's own "
        "networks reach",
        f"Set {KEY}: public (the magnum environment's value).",
    )
