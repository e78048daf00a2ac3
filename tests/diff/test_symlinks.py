"""The config diff refuses a symbolic link out of the repository on either side, from the
committed trees, before anything is extracted or rendered."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitectl.diff.run import Request, run
from sitectl.errors import SiteError

from .conftest import git
from .fake_render import FakeRenderer

LINK = "etc/kayobe/kolla/config/nova/vendordata.json"


def test_a_link_out_committed_on_the_branch_is_refused_before_rendering(
    site_repo: Path, renderer: FakeRenderer
) -> None:
    git(site_repo, "checkout", "-q", "-b", "feature")
    (site_repo / LINK).parent.mkdir(parents=True)
    (site_repo / LINK).symlink_to(Path("..", "..", "..", "..", "..", "..", "etc", "passwd"))
    git(site_repo, "add", "-A")
    git(site_repo, "commit", "-q", "-m", "a link out")
    git(site_repo, "checkout", "-q", "main")  # not on disk: the commit alone tells
    with pytest.raises(SiteError) as raised:
        run(Request(site_repo, "ci-aio", "main", "feature"), renderer=renderer)
    message = raised.value.message
    assert message.startswith("at the head side (")
    assert f"{LINK} is a symbolic link to ../../../../../../etc/passwd, outside" in message
    assert f"(it leads to {site_repo.parent / 'etc' / 'passwd'})" in message
    assert renderer.calls == []


def test_a_link_out_in_the_working_tree_is_refused(
    site_repo: Path, renderer: FakeRenderer, tmp_path: Path
) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:x\n")
    (site_repo / "etc" / "kayobe" / "kolla" / "config" / "glance.conf").symlink_to(secret)
    with pytest.raises(SiteError, match=f"glance.conf is a symbolic link to {secret}, outside"):
        run(Request(site_repo, "ci-aio", "main"), renderer=renderer)
    assert renderer.calls == []
