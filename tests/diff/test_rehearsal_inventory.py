"""The rehearsal's inventory hazard: a group the new kolla-ansible deploys an enabled service
on that the site's kolla inventory lacks (a site that carries its own inventory from an
older release). On ci-aio's real render, with kolla-ansible's real playbooks."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sitectl import render_layout as layout
from sitectl import toolchains
from sitectl.diff.rehearsal import enabled_services, inventory_hazards
from sitectl.render import render
from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO, copy_tree

pytestmark = pytest.mark.slow  # ci-aio's render (the render tests' and the option tests')

CUSTOM = """
# The site's own service inventory.
kolla_overcloud_inventory_custom_services: |
  [placement:children]
  control
"""


def test_a_group_the_new_release_deploys_on_is_missing_from_the_sites_inventory(
    tmp_path: Path,
) -> None:
    rendered = render(REPO, "ci-aio", vault_password_file=EXAMPLE_PASSWORD_FILE)
    running = toolchains.running()
    # The committed site's inventory (kayobe's own templates) has every group: none found.
    assert inventory_hazards(REPO, "ci-aio", rendered, enabled_services(rendered), running) == []
    # The same render, its inventory without placement-api, from a site that sets its own.
    copy = tmp_path / "render"
    shutil.copytree(rendered, copy)
    hosts = copy / layout.INVENTORY / "hosts"
    text = hosts.read_text()
    assert "[placement-api:children]\nplacement\n" in text
    hosts.write_text(text.replace("[placement-api:children]\nplacement\n", ""))
    site = tmp_path / "site"
    copy_tree(REPO, site)
    variables = site / "environments" / "ci-aio" / "kolla.yml"
    before = variables.read_text()
    variables.write_text(before + CUSTOM)
    line = before.count("\n") + 3
    [hazard] = inventory_hazards(site, "ci-aio", copy, enabled_services(copy), running)
    assert (hazard.kind, hazard.severity, hazard.subject) == ("inventory", "error", "placement-api")
    assert hazard.source == f"environments/ci-aio/kolla.yml:{line}"
    assert re.search(
        r"kolla-ansible \S+ deploys placement \(enabled\) on the inventory group "
        r"placement-api",
        hazard.message,
    ), hazard.message
    # A service the environment does not enable is no hazard, whatever its groups.
    globals_file = copy / layout.GLOBALS
    globals_file.write_text(
        globals_file.read_text().replace("enable_placement: true", "enable_placement: false")
    )
    assert inventory_hazards(site, "ci-aio", copy, enabled_services(copy), running) == []
