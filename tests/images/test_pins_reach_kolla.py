"""A pinned image's tag reaches kolla-ansible: real kayobe writes it into the globals as the
image's tag variables, and the config diff of the pin shows exactly that."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sitectl.diff.run import Request, run
from sitectl.images import pins
from sitectl.render import render
from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO, copy_tree, git

pytestmark = pytest.mark.slow

CACHE = REPO / ".cache" / "sitectl" / "render"
TAG = "2026.2-rocky-10-20261202T0400"


def test_a_pin_becomes_the_images_tag_variables_in_kolla_globals(tmp_path: Path) -> None:
    clone = tmp_path / "clone"  # the working tree as it is, committed as main
    clone.mkdir()
    copy_tree(REPO, clone)
    git(clone, "init", "-q", "-b", "main")
    git(clone, "add", "-A")
    git(clone, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "site")
    git(clone, "checkout", "-q", "-b", "pin")
    # What the image pipeline's pins job runs after pushing rebuilt images.
    pins.update(clone, TAG, ["keystone-api", "nova-conductor"])
    git(clone, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "pin two images")

    outcome = run(
        Request(
            clone,
            "ci-aio",
            "main",
            "pin",
            services=["keystone"],
            vault_password_file=EXAMPLE_PASSWORD_FILE,
            cache_dir=CACHE,
        )
    )
    report = outcome.report
    assert report.error is None
    globals_changes = {(c.name, c.kind, c.new) for c in report.globals}
    assert globals_changes == {
        ("keystone_api_tag", "added", TAG),
        ("nova_conductor_tag", "added", TAG),
        ("nova_super_conductor_tag", "added", TAG),
    }
    # The images nobody pinned keep kolla's default tag (openstack_tag); services unchanged.
    assert report.services == []
    head = render(
        clone,
        "ci-aio",
        ref="pin",
        services=["keystone"],
        vault_password_file=EXAMPLE_PASSWORD_FILE,
        cache_dir=CACHE,
    )  # cached by the diff above
    rendered = yaml.safe_load((head / "kolla" / "globals.yml").read_text())
    assert rendered["keystone_api_tag"] == TAG
    assert "keystone_fernet_tag" not in rendered
