"""A configuration that runs a script of its repository (the `scripted` shape): kolla's
globals.yml takes a value from `lookup('pipe', ...)` of tools/site-name.py, which reads the
repository's top-level .gitreview. The render has both (the snapshot is the repository, less
sitectl's state), and the input hash covers both, but not the README, tests/ or ci/ (so
changing those still renders nothing).

One real render (keystone); the hash and the error's explanation are checked on snapshots
without kayobe."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sitectl import config_tree
from sitectl import render_layout as layout
from sitectl.errors import SiteError
from sitectl.render import cache, pipeline, snapshot
from tests.helpers import git

from .builder import GLOBALS, GROUPS, IPA, KOLLA, NETWORKS, Shape, commit
from .conftest import Built

SCRIPT = "tools/site-name.py"
PROJECT = "scripted-cloud"
GITREVIEW = f"[gerrit]\nhost=review.example.invalid\nproject=site/{PROJECT}.git\n"
SITE_NAME = """\
#!/usr/bin/env python3
\"\"\"The site's name: its Gerrit project, from the repository's .gitreview.\"\"\"
import configparser
from pathlib import Path

parser = configparser.ConfigParser()
parser.read_string((Path(__file__).resolve().parent.parent / ".gitreview").read_text())
print(parser["gerrit"]["project"].rsplit("/", 1)[-1].removesuffix(".git"))
"""
KOLLA_GLOBALS = """\
---
# Tested by tests/test_site_name.py (a comment names nothing).
site_project: "{{ lookup('pipe', 'python3 ' ~ kayobe_config_path ~ '/../../tools/site-name.py') }}"
"""


def _scripted() -> Shape:
    files = {
        "README.md": "A configuration that runs a script of its repository.\n",
        ".gitreview": GITREVIEW,
        SCRIPT: SITE_NAME,
        "tests/test_site_name.py": "def test_it() -> None:\n    assert True\n",
        "ci/pipeline.yml": "---\nstages: [test]\n",
        "etc/kayobe/globals.yml": GLOBALS,
        "etc/kayobe/networks.yml": NETWORKS,
        "etc/kayobe/network-allocation.yml": "---\ncloud_net_ips:\n  node1: 172.20.0.11\n",
        "etc/kayobe/kolla.yml": KOLLA,
        "etc/kayobe/ipa.yml": IPA,
        "etc/kayobe/inventory/groups": GROUPS,
        "etc/kayobe/inventory/hosts": "[controllers]\nnode1\n\n[compute]\nnode1\n",
        "etc/kayobe/inventory/group_vars/overcloud/interfaces": "---\ncloud_net_interface: eth1\n",
        "etc/kayobe/kolla/globals.yml": KOLLA_GLOBALS,
        ".gitignore": ".cache/\n",
    }
    return Shape("scripted", (None,), files)


SCRIPTED = _scripted()


@pytest.fixture(scope="module")
def scripted(shapes_root: Path, render_cache: Path) -> Built:
    password_file = shapes_root / "scripted.vault-password"
    password_file.write_text("unused: the scripted shape has no secret\n")
    return Built(SCRIPTED, SCRIPTED.build(shapes_root / "scripted"), password_file, render_cache)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A private copy of the shape, to change without touching the session's."""
    return SCRIPTED.build(tmp_path / "scripted")


def snapshot_of(repo: Path, destination: Path, ref: str | None = None) -> Path:
    return snapshot.materialise(repo, snapshot.resolve(repo, ref), destination)


def hash_of(repo: Path, destination: Path) -> str:
    return cache.input_hash(snapshot_of(repo, destination), None, ["keystone"], None)


@pytest.mark.slow
def test_a_render_runs_the_repositorys_script_on_its_top_level_file(scripted: Built) -> None:
    rendered = scripted.render(None)
    globals_ = yaml.safe_load((rendered / layout.GLOBALS).read_text())
    assert globals_["site_project"] == PROJECT


@pytest.mark.parametrize("ref", [None, "main"])
def test_the_snapshot_holds_the_repository_and_the_hash_what_the_configuration_names(
    repo: Path, tmp_path: Path, ref: str | None
) -> None:
    copy = snapshot_of(repo, tmp_path / "copy", ref)
    assert (copy / SCRIPT).is_file() and (copy / ".gitreview").is_file()
    assert (copy / "README.md").is_file() and (copy / "tests" / "test_site_name.py").is_file()
    hashed = {name for name, _ in snapshot.files(copy)}
    assert {SCRIPT, ".gitreview", "etc/kayobe/kolla/globals.yml"} <= hashed
    assert not {"README.md", "tests/test_site_name.py", "ci/pipeline.yml", ".gitignore"} & hashed


def test_the_input_hash_follows_the_named_files_only(repo: Path, tmp_path: Path) -> None:
    base = hash_of(repo, tmp_path / "base")
    unchanged = {
        "README.md": "Better words.\n",
        "tests/test_site_name.py": "def test_it() -> None:\n    assert 1\n",
        "ci/pipeline.yml": "---\nstages: [build, test]\n",
        ".gitignore": ".cache/\n/reports/\n",
    }
    for number, (name, text) in enumerate(unchanged.items()):
        (repo / name).write_text(text)
        assert hash_of(repo, tmp_path / f"unchanged-{number}") == base, name
    (repo / ".gitreview").write_text(GITREVIEW.replace(PROJECT, "renamed-cloud"))
    renamed = hash_of(repo, tmp_path / "renamed")
    assert renamed != base
    (repo / SCRIPT).write_text(SITE_NAME.replace("rsplit", "split"))
    assert hash_of(repo, tmp_path / "script") not in (base, renamed)


def test_the_diff_plans_by_what_the_configuration_names(repo: Path) -> None:
    named = config_tree.named_at(repo, "main", lambda path: path.startswith("etc/kayobe/"))
    assert named == {
        SCRIPT: frozenset({"etc/kayobe/kolla/globals.yml"}),
        ".gitreview": frozenset({"etc/kayobe/kolla/globals.yml"}),
    }


def test_a_render_that_needs_a_file_left_out_says_why(repo: Path, tmp_path: Path) -> None:
    """sitectl's state (.cache/) is never copied: when the script reads it, the error says so
    rather than only Ansible's "returned 1"."""
    (repo / SCRIPT).write_text(SITE_NAME.replace('".gitreview"', '".cache/site/name"'))
    commit(repo, "the site's name from the cache")
    (repo / ".cache" / "site").mkdir(parents=True)
    (repo / ".cache" / "site" / "name").write_text(PROJECT + "\n")
    copy = snapshot_of(repo, tmp_path / "copy")
    said = (
        "An unhandled exception occurred while running the lookup plugin 'pipe'. Error was a "
        "<class 'ansible.errors.AnsibleError'>, original message: lookup_plugin.pipe(python3 "
        "<render:repo>/etc/kayobe/../../tools/site-name.py) returned 1"
    )
    source = snapshot.resolve(repo, None)
    [line] = snapshot.left_out(repo, source, copy, said)
    assert line.startswith(f"{SCRIPT} names .cache/site/name, which the render does not have")
    assert "sitectl's own state" in line
    # How a render's error carries it (checked once by hand on a real render: the same line).
    with pytest.raises(SiteError) as raised, pipeline._explaining_left_out(repo, source, copy):
        raise SiteError("kayobe kolla-ansible.yml failed", [said])
    assert raised.value.details == (said, "", line)
    missing = said.replace("tools/site-name.py", ".cache/site/name")
    [line] = snapshot.left_out(repo, source, copy, missing)
    assert line.startswith(".cache/site/name is not in the render's copy of the repository")
    # What the configuration gets wrong by itself is its own to explain.
    assert snapshot.left_out(repo, source, copy, said.replace("site-name", "no-such")) == []
    git(repo, "rm", "-q", "--cached", ".gitreview")
    (repo / ".gitignore").write_text(".cache/\n.gitreview\n")
    ignored = said.replace("tools/site-name.py", ".gitreview")
    [line] = snapshot.left_out(repo, source, snapshot_of(repo, tmp_path / "again"), ignored)
    assert "git ignores it" in line
