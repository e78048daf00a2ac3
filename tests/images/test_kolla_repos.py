"""kolla-build's repository overrides: the site's filter that maps pinned Pulp snapshots to
kolla's repos.yaml entries, and the merge of every kolla/repos.y[a]ml the way kayobe's
kolla-build role does it (templated with the builder's variables, environments last)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from sitectl.errors import SiteError
from sitectl.images import kolla_repos
from tests.helpers import REPO

CONTENT = "http://pulp.example.org/pulp/content"


def _filters() -> dict:
    path = REPO / "etc/kayobe/ansible/filter_plugins/pulp_repos.py"
    spec = importlib.util.spec_from_file_location("site_pulp_repos", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FilterModule().filters()


MIRRORS = [
    {"name": "os", "type": "rpm", "kolla_repo": "baseos", "gpgkey": "file:///k"},
    {"name": "vendor", "type": "rpm", "gpgkey": "https://v/key"},  # hosts only
    {
        "name": "debs",
        "type": "deb",
        "kolla_repo": "debian",
        "gpgkey": "/usr/share/keyrings/debian-archive-keyring.gpg",
        "distributions": ["trixie"],
        "components": ["main", "contrib"],
    },
    {"name": "unpinned", "type": "rpm", "kolla_repo": "crb", "gpgkey": "file:///k"},
]
PINS = {
    "os": {"snapshot": "os-20261201T0000", "version": 3},
    "vendor": {"snapshot": "vendor-20261201T0000", "version": 1},
    "debs": {"snapshot": "debs-20261201T0000", "version": 2},
}


def test_pinned_mirrors_become_kolla_repositories() -> None:
    repos = _filters()["pulp_kolla_repos"](MIRRORS, PINS, CONTENT + "/")
    assert repos == {
        "rpm": {
            "baseos": {
                "name": "baseos",
                "baseurl": f"{CONTENT}/os-20261201T0000/",
                "gpgkey": "file:///k",
                "gpgcheck": 1,
            }
        },
        "deb": {
            "debian": {
                "url": f"{CONTENT}/debs-20261201T0000/",
                "suite": "trixie",
                "component": "main contrib",
                "gpg_key": "/usr/share/keyrings/debian-archive-keyring.gpg",
            }
        },
    }


@pytest.mark.parametrize(
    ("mirror", "message"),
    [
        ({"name": "os", "kolla_repo": "baseos"}, "os sets kolla_repo but no gpgkey"),
        (
            {"name": "os", "type": "deb", "kolla_repo": "debian", "gpgkey": "k"},
            "exactly one distribution",
        ),
    ],
)
def test_a_mirror_kolla_cannot_use_is_named(mirror: dict, message: str) -> None:
    with pytest.raises(AnsibleFilterError, match=message):
        _filters()["pulp_kolla_repos"]([mirror], PINS, CONTENT)


def _site(root: Path, files: dict[str, str]) -> dict:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return {
        "kayobe_config_path": str(root / "etc/kayobe"),
        "kayobe_env_search_paths": [str(root / "etc/kayobe/environments/prod")],
        "mirror": "http://mirror.example.org/os/",
    }


def test_overrides_merge_in_kayobes_order_with_the_builders_variables(tmp_path: Path) -> None:
    variables = _site(
        tmp_path,
        {
            "etc/kayobe/kolla/repos.yaml": (
                "rpm:\n  baseos: {baseurl: '{{ mirror }}', gpgkey: a, name: baseos}\n"
                "  epel: {baseurl: 'http://epel/', gpgkey: e, name: epel}\n"
            ),
            "etc/kayobe/environments/prod/kolla/repos.yml": "rpm:\n  epel: {gpgkey: f}\n",
        },
    )
    merged = yaml.safe_load(kolla_repos.merged(variables) or "")
    assert merged == {
        "rpm": {
            "baseos": {"baseurl": "http://mirror.example.org/os/", "gpgkey": "a", "name": "baseos"},
            "epel": {"baseurl": "http://epel/", "gpgkey": "f", "name": "epel"},
        }
    }


def test_no_override_file_means_kollas_own_repositories(tmp_path: Path) -> None:
    assert kolla_repos.merged(_site(tmp_path, {"etc/kayobe/kolla.yml": "---\n"})) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rpm: {{ no_such_variable | to_json }}\n", "does not template"),
        ("- a list\n", "must map sections"),
        ("rpm: [unclosed\n", "is not YAML"),
    ],
)
def test_a_bad_override_names_its_file(tmp_path: Path, text: str, message: str) -> None:
    variables = _site(tmp_path, {"etc/kayobe/kolla/repos.yml": text})
    with pytest.raises(SiteError, match=message) as error:
        kolla_repos.merged(variables)
    assert "etc/kayobe/kolla/repos.yml" in str(error.value)


def test_changes_name_each_moved_repository_with_both_urls() -> None:
    old = "rpm:\n  baseos: {baseurl: 'http://p/os-1/'}\n  crb: {baseurl: 'http://p/crb-1/'}\n"
    new = "rpm:\n  baseos: {baseurl: 'http://p/os-1/'}\n  crb: {baseurl: 'http://p/crb-2/'}\n"
    assert kolla_repos.changes(old, new) == {
        "rpm/crb": frozenset({"http://p/crb-1/", "http://p/crb-2/"})
    }
    assert kolla_repos.changes(None, None) == {}


RACE = """
import sys, threading
from pathlib import Path
from sitectl.images import kolla_repos

config = Path(sys.argv[1])
errors = []

def template():
    try:
        kolla_repos.merged({"kayobe_config_path": str(config), "r": {"a": {"baseurl": "x"}}})
    except Exception as e:
        errors.append(e)

threads = [threading.Thread(target=template) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(errors)
"""


def test_two_threads_template_at_once(tmp_path: Path) -> None:
    # The images planner templates base and head in two threads; Ansible's plugin loader, cold
    # in a new process, is not thread-safe ("No filter named 'to_json'" when unserialised).
    (tmp_path / "kolla").mkdir()
    (tmp_path / "kolla" / "repos.yml").write_text("rpm: {{ r | to_json }}\n")
    for _ in range(3):  # unserialised, two runs in three failed
        proc = subprocess.run(
            [sys.executable, "-c", RACE, str(tmp_path)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO / "tools" / "src")},
            check=True,
        )
        assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr
