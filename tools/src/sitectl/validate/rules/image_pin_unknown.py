"""image-pin-unknown: an image pinned in kolla-image-tags.yml that no kolla-ansible tag
variable pulls, that the generated tag-variable table lacks, or that the environment does not
deploy.

kolla.yml gives each pinned image's tag to kolla-ansible's tag variables of that image. A pin
that names no image kolla-ansible deploys (a typo, a kolla-build name that is only a parent
image such as openstack-base, an image of a service that is off) does nothing: the rebuilt
image is never rolled out, silently.

Example of bad input::

    # etc/kayobe/kolla-image-tags.yml
    kolla_image_tags:
      openstack: "2026.2-rocky-10"
      keystone: "2026.2-rocky-10-20261202"     # the image is keystone-api
"""

import difflib
from collections.abc import Iterator

from sitectl import values
from sitectl.kolla_playbooks import image_tag_variables
from sitectl.site import Site
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE

ID = "image-pin-unknown"
DESCRIPTION = "a pinned image has no kolla-ansible tag variable, or the environment does not run it"
STAGE = SITE

TABLE_FILE = "etc/kayobe/kolla-image-tag-variables.yml"
TABLE = "kolla_image_tag_variables"
DEFAULT = "openstack"


def check(site: Site) -> Iterator[Finding]:
    pins = values.mapping(site.setting("kolla_image_tags"))
    pinned = sorted(str(image) for image in pins if image != DEFAULT)
    if not pinned:
        return
    installed: dict[str, list] = {}
    for variable in image_tag_variables():
        installed.setdefault(variable.image, []).append(variable)
    table = {str(v) for v in values.mapping(site.setting(TABLE)).values()}
    for image in pinned:
        key = f"kolla_image_tags.{image}"
        if image not in installed:
            close = difflib.get_close_matches(image, installed, n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            yield _finding(
                site,
                key,
                f"no kolla-ansible tag variable pulls image {image}{hint}: the pin does nothing",
                "Pin the image kolla-ansible deploys (`tools/sitectl images plan` names them; "
                f"{TABLE_FILE} lists each tag variable's image).",
            )
            continue
        if image not in table:
            yield _finding(
                site,
                key,
                f"{TABLE_FILE} has no tag variable of {image}, so its pin does "
                "not reach kolla-ansible",
                "Regenerate the table: tools/sitectl images tag-variables.",
            )
            continue
        switches = {
            v.role: site.setting(f"kolla_enable_{v.role.replace('-', '_')}")
            for v in installed[image]
        }
        known = {role: on for role, on in switches.items() if on is not None}
        if known and len(known) == len(switches) and not any(map(values.truthy, known.values())):
            flags = ", ".join(f"kolla_enable_{role.replace('-', '_')}" for role in sorted(known))
            yield _finding(
                site,
                key,
                f"{image} is pinned but {site.environment} deploys no service that runs it "
                f"({flags} off)",
                "Drop the pin, or enable the service that runs the image.",
            )


def _finding(site: Site, key: str, message: str, hint: str) -> Finding:
    return Finding(ID, site.environment, None, None, key, message, hint)  # located by key
