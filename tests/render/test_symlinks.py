"""Symbolic links: followed while they stay inside the repository, refused before anything is
copied when they lead out (sitectl.config_tree), in the working tree and at a ref; the input
hash covers what a link reaches."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path, PurePosixPath

import pytest

from sitectl import config_tree
from sitectl.errors import SiteError
from sitectl.render import cache, layer, snapshot
from tests.conftest import run_sitectl
from tests.helpers import git

MARKER = "shadow-marker-7Qx2LpV9"  # the content no output may ever hold
LINK = "etc/kayobe/kolla/config/nova/vendordata.json"
TOP = (PurePosixPath("/srv/site"),)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A tiny git repository (branch main) laid out like this one."""
    repo = tmp_path / "repo"
    (repo / "etc" / "kayobe" / "kolla" / "config" / "nova").mkdir(parents=True)
    (repo / "environments" / "site").mkdir(parents=True)
    (repo / "etc" / "kayobe" / "environments").symlink_to(Path("..", "..", "environments"))
    (repo / "etc" / "kayobe" / "globals.yml").write_text("---\nos_release: '10'\n")
    (repo / "environments" / "site" / "nova.conf").write_text("[DEFAULT]\ndebug = True\n")
    commit(repo, "one")
    return repo


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the repository, like /etc/shadow."""
    path = tmp_path / "outside" / "shadow"
    path.parent.mkdir()
    path.write_text(f"root:{MARKER}:19000:0:99999:7:::\n")
    return path


def commit(repo: Path, message: str) -> None:
    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def tree(links: dict[str, str]) -> config_tree.ArchiveTree:
    members = []
    for name, target in links.items():
        member = tarfile.TarInfo(name)
        member.type, member.linkname = tarfile.SYMTYPE, target
        members.append(member)
    return config_tree.ArchiveTree(members)


def link_to(repo: Path, relative: str, target: str | Path) -> Path:
    path = repo / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


# --- the rule --------------------------------------------------------------------------------


HOOK = "etc/kayobe/hooks/overcloud-host-configure/post.d/10-ib.yml"
INSIDE = {
    "relative": ({"etc/kayobe/environments": "../../environments"}, "environments"),
    "through a linked directory": (
        {HOOK: "../../../ansible/ib.yml", "etc/kayobe/ansible": "../../ansible"},
        "ansible/ib.yml",
    ),
    "absolute, into the repository": (
        {LINK: "/srv/site/environments/v.json"},
        "environments/v.json",
    ),
    "dangling, inside": (
        {LINK: "missing.json"},
        "etc/kayobe/kolla/config/nova/missing.json",
    ),
    "a loop": (
        {
            LINK: "other.json",
            "etc/kayobe/kolla/config/nova/other.json": "vendordata.json",
        },
        None,
    ),
}
OUTSIDE = {
    "absolute": ({LINK: "/etc/shadow"}, "/etc/shadow"),
    "climbing out": ({LINK: "../../../../../../etc/passwd"}, "/srv/etc/passwd"),
    "a chain ending outside": (
        {LINK: "nova.json", "etc/kayobe/kolla/config/nova/nova.json": "/etc/shadow"},
        "/etc/shadow",
    ),
    "dangling, outside": ({LINK: "/nonexistent/shadow"}, "/nonexistent/shadow"),
    "absolute, climbing out of the repository": ({LINK: "/srv/site/../x"}, "/srv/x"),
    # The kernel takes `..` after a linked directory from where the link leads, not lexically:
    # etc/kayobe/top is the repository's top, so top/.. is above it.
    "`..` after a linked directory": (
        {LINK: "../../../top/../etc/passwd", "etc/kayobe/top": "../.."},
        "/srv/etc/passwd",
    ),
}


@pytest.mark.parametrize(("links", "reaches"), INSIDE.values(), ids=INSIDE.keys())
def test_links_that_stay_inside(links: dict[str, str], reaches: str | None) -> None:
    first = next(iter(links))
    assert config_tree.resolve(tree(links), first, TOP) == config_tree.Resolved(reaches)
    assert config_tree.escapes(tree(links), links, TOP) == []


@pytest.mark.parametrize(("links", "reaches"), OUTSIDE.values(), ids=OUTSIDE.keys())
def test_links_that_lead_outside(links: dict[str, str], reaches: str) -> None:
    found = config_tree.escape(tree(links), LINK, TOP)
    assert found == config_tree.Escape(LINK, links[LINK], reaches)


def test_an_absolute_link_into_the_repository_is_made_relative_in_a_copy() -> None:
    assert config_tree.relocated(LINK, "/srv/site/environments/v.json", TOP) == (
        "../../../../../environments/v.json"
    )
    assert config_tree.relocated("etc/x", "/srv/site", TOP) == ".."
    assert config_tree.relocated(LINK, "../v.json", TOP) == "../v.json"


# --- the snapshot ----------------------------------------------------------------------------


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_a_working_tree_link_out_is_refused_before_anything_is_copied(
    repo: Path, secret: Path, tmp_path: Path, relative: bool
) -> None:
    target = os.path.relpath(secret, (repo / LINK).parent) if relative else str(secret)
    link_to(repo, LINK, target)
    destination = tmp_path / "snapshot"
    with pytest.raises(SiteError) as raised:
        snapshot.materialise(repo, snapshot.resolve(repo, None), destination)
    message = raised.value.message
    assert message.startswith(f"in the working tree, {LINK} is a symbolic link to {target}, ")
    assert "outside the repository" in message and "replace the link" in message
    assert MARKER not in message
    assert not destination.exists()


def test_a_link_committed_on_a_branch_is_refused_at_that_ref(repo: Path, tmp_path: Path) -> None:
    """Caught on the commit's tree: the link is not on disk, and its target exists nowhere."""
    git(repo, "checkout", "-q", "-b", "feature")
    link_to(repo, LINK, "/nonexistent/sitectl-test/shadow")
    link_to(repo, "environments/site/chain.conf", "../../" + LINK)
    commit(repo, "a link out")
    git(repo, "checkout", "-q", "main")
    assert not os.path.lexists(repo / LINK)
    destination = tmp_path / "snapshot"
    with pytest.raises(SiteError) as raised:
        snapshot.materialise(repo, snapshot.resolve(repo, "feature"), destination)
    message = raised.value.message
    assert message.startswith("at ref 'feature' (")
    assert "2 symbolic links lead outside the repository: " in message
    assert f"{LINK} -> /nonexistent/sitectl-test/shadow" in message
    assert f"environments/site/chain.conf -> ../../{LINK} (it leads to /nonexistent" in message
    assert not any(destination.rglob("*.json"))
    with pytest.raises(SiteError, match="at the head side"):
        config_tree.check_commit(repo, "feature", "at the head side")
    config_tree.check_commit(repo, "main", "at the base side")


@pytest.mark.parametrize("ref", [None, "main"], ids=["working tree", "ref"])
def test_a_link_out_that_is_not_configuration_is_left_out(
    repo: Path, secret: Path, tmp_path: Path, ref: str | None
) -> None:
    """The tooling's links are copied with the rest of the repository, but one leading out is
    not: the render neither needs it nor may copy what it reaches."""
    link_to(repo, "tools/shadow", secret)
    link_to(repo, "tools/globals.yml", "../etc/kayobe/globals.yml")
    commit(repo, "the tooling's links")
    copy = snapshot.materialise(repo, snapshot.resolve(repo, ref), tmp_path / "snapshot")
    assert not os.path.lexists(copy / "tools" / "shadow")
    assert (copy / "tools" / "globals.yml").read_text() == "---\nos_release: '10'\n"
    said = "could not read <render:repo>/tools/shadow"
    [line] = snapshot.left_out(repo, snapshot.resolve(repo, ref), copy, said)
    assert "leading outside the repository" in line and MARKER not in line


@pytest.mark.parametrize("ref", [None, "main"], ids=["working tree", "ref"])
def test_links_inside_are_followed_and_the_copy_points_into_itself(
    repo: Path, tmp_path: Path, ref: str | None
) -> None:
    link_to(repo, LINK, repo / "environments" / "site" / "nova.conf")  # absolute, inside
    link_to(repo, "etc/kayobe/kolla/config/nova.conf", "nova/vendordata.json")
    commit(repo, "links inside")
    copy = snapshot.materialise(repo, snapshot.resolve(repo, ref), tmp_path / "snapshot")
    for relative in (
        LINK,
        "etc/kayobe/kolla/config/nova.conf",
        "etc/kayobe/environments",
    ):
        assert not os.path.isabs(os.readlink(copy / relative))
        assert Path(os.path.realpath(copy / relative)).is_relative_to(copy.resolve())
    assert (copy / "etc/kayobe/kolla/config/nova.conf").read_text() == "[DEFAULT]\ndebug = True\n"


# --- the input hash --------------------------------------------------------------------------


def test_the_input_hash_covers_what_a_link_reaches(repo: Path, tmp_path: Path) -> None:
    """kayobe's layer is keyed without kolla/config; a variables file linked into it counts."""
    custom = repo / "etc/kayobe/kolla/config/extra.yml"
    custom.write_text("---\na: 1\n")
    link_to(repo, "etc/kayobe/extra.yml", "kolla/config/extra.yml")

    def layer_key(name: str) -> str:
        copy = snapshot.materialise(repo, snapshot.resolve(repo, None), tmp_path / name)
        return cache.input_hash(copy, "site", None, None, skip=layer.is_custom_config)

    before = layer_key("a")
    custom.write_text("---\na: 2\n")
    assert layer_key("b") != before


def test_a_configuration_link_into_the_tooling_names_what_it_reaches(
    repo: Path, tmp_path: Path
) -> None:
    (repo / "tools" / "shared").mkdir(parents=True)
    (repo / "tools" / "shared" / "extra.yml").write_text("---\nb: 1\n")
    link_to(repo, "etc/kayobe/shared", "../../tools/shared")

    def hash_of(name: str) -> str:
        copy = snapshot.materialise(repo, snapshot.resolve(repo, None), tmp_path / name)
        return cache.input_hash(copy, "site", None, None)

    before = hash_of("a")
    (repo / "tools" / "shared" / "extra.yml").write_text("---\nb: 2\n")
    assert hash_of("b") != before


def test_the_input_hash_never_reads_outside(tmp_path: Path, secret: Path) -> None:
    copy = tmp_path / "copy"
    link_to(copy, LINK, secret)
    with pytest.raises(SiteError, match=f"{LINK} leads outside"):
        cache.input_hash(copy, "site", None, None)


# --- end to end ------------------------------------------------------------------------------


def test_render_refuses_a_link_out_and_shows_nothing_of_it(repo: Path, secret: Path) -> None:
    link_to(repo, LINK, secret)
    out = repo.parent / "out"
    result = run_sitectl("--repo", repo, "render", "--out", out, "--sealed")
    assert result.returncode == 2, result.stderr
    assert f"sitectl: error: in the working tree, {LINK} is a symbolic link to {secret}" in (
        result.stderr
    )
    assert MARKER not in result.stdout + result.stderr
    assert not out.exists()
    written = [p for p in (repo / ".cache").rglob("*") if p.is_file() and not p.is_symlink()]
    assert all(MARKER.encode() not in p.read_bytes() for p in written)
