"""Which kolla/config overrides kolla-ansible's roles read (sitectl.kolla_custom_config), and
kayobe's kolla-openstack.yml narrowed to them in a selected render
(sitectl.render.custom_config). The renders that compare a narrowed render with a full one
are tests/render/test_determinism.py and tests/diff/test_real_render.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sitectl import kolla_custom_config
from sitectl.errors import SiteError
from sitectl.render import custom_config
from sitectl.repo import venv_bin

KAYOBE_DEFAULTS = Path(venv_bin().parent, custom_config.KAYOBE_DEFAULTS, "main.yml")


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


# --- what roles read ---------------------------------------------------------------------


def test_nova_reads_its_own_overrides_and_the_global_one() -> None:
    read = kolla_custom_config.read_by(["nova", "nova-cell"])
    assert read is not None
    assert {"nova", "global"} <= read
    assert "haproxy-config" in read  # through loadbalancer-config, which nova imports
    assert not {"neutron", "keystone", "glance"} & read


def test_a_role_that_computes_its_paths_reads_anything() -> None:
    """manila reads `{{ node_custom_config }}/{{ item }}.conf`: no name is known."""
    assert kolla_custom_config.role_reads()["manila"].computed
    assert kolla_custom_config.read_by(["manila"]) is None


def test_reads_follow_included_imported_and_dependent_roles(tmp_path: Path) -> None:
    playbooks = write(
        tmp_path,
        {
            "roles/a/tasks/main.yml": (
                "- name: Config\n  template:\n    src: '{{ node_custom_config }}/a.conf'\n"
                "- name: Helper\n  ansible.builtin.import_role:\n    role: b\n"
            ),
            "roles/b/tasks/main.yml": (
                "- include_role:\n    tasks_from: x\n    name: c\n"
                "- copy:\n    src: '{{ node_custom_config }}/b/{{ inventory_hostname }}/x'\n"
            ),
            "roles/c/meta/main.yml": "dependencies:\n  - role: d\n",
            "roles/d/defaults/main.yml": "d_file: '{{ node_custom_config }}/dee.d/f.ini'\n",
            "roles/e/tasks/main.yml": "- copy:\n    src: '{{ node_custom_config }}/{{ item }}'\n",
            "roles/f/tasks/main.yml": "- include_role:\n    name: '{{ which }}'\n",
            "roles/g/tasks/main.yml": "- include_role:\n    name: missing\n",
        },
    )
    assert kolla_custom_config.read_by(["a"], playbooks) == {"a", "b", "dee"}
    assert kolla_custom_config.read_by(["e"], playbooks) is None  # computed path
    assert kolla_custom_config.read_by(["f"], playbooks) is None  # computed role
    assert kolla_custom_config.read_by(["g"], playbooks) is None  # a role it cannot see
    assert kolla_custom_config.every_name(playbooks) == {"a", "b", "dee"}


def test_without_kolla_ansibles_roles_it_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match=r"kolla-ansible's roles are not at .*sitectl setup"):
        kolla_custom_config.role_reads(tmp_path)


# --- the scope of kolla-openstack.yml ----------------------------------------------------


def test_a_full_render_copies_every_override() -> None:
    scope = custom_config.scope(None, [], [])
    assert scope.left_out == frozenset()
    assert scope.extra_vars() == {}
    assert scope.why == "every override (a full render)"


def test_a_nova_render_leaves_out_what_nova_does_not_read() -> None:
    dump = "kolla_node_custom_config_path: <render:kolla-config>/config\nnova_console: novnc\n"
    scope = custom_config.scope(["nova"], ["loadbalancer"], [dump])
    assert {"neutron", "keystone", "glance", "backup.my"} <= scope.left_out
    assert not {"nova", "global", "nova_compute", "multipath"} & scope.left_out
    assert re.fullmatch(
        r"the overrides nova, nova-cell read \(.*\); \d+ others left out", scope.why
    )


@pytest.mark.parametrize(
    ("services", "site", "why"),
    [
        (["manila"], [], r"a role of manila computes its paths"),
        (["nova"], ["a: 1\nkolla_openstack_custom_config_include_globs: []\n"], r"sets kolla_"),
        (
            ["nova"],
            ["kolla_extra_globals:\n  nova_x: '{{ node_custom_config }}/neutron/x.ini'\n"],
            r"a variable names the custom config directory",
        ),
        (["nova"], ["x: <render:kolla-config>/config/neutron/y\n"], r"names the custom config"),
    ],
)
def test_the_scope_stays_whole_when_in_doubt(
    services: list[str], site: list[str], why: str
) -> None:
    scope = custom_config.scope(services, [], site)
    assert scope.left_out == frozenset()
    assert scope.write(Path("/nonexistent")) == []
    assert re.search(why, scope.why)


def test_ansible_applies_the_narrowed_list_to_kayobes_default(tmp_path: Path) -> None:
    """The variable written for kayobe's -e, evaluated by Ansible itself over kayobe's own
    default globs and a site's _extra: it keeps exactly the globs whose override is read."""
    defaults = yaml.safe_load(KAYOBE_DEFAULTS.read_text())
    globs = [entry["glob"] for entry in defaults[f"{custom_config.VARIABLE}_default"]]
    extra = ["nova/nova-compute/special.conf", "neutron/plugins/**", "site-tool/**"]
    scope = custom_config.scope(["nova"], ["loadbalancer"], [])
    scope_args = scope.write(tmp_path / "scope.json")
    assert scope_args == ["-e", f"@{tmp_path / 'scope.json'}"]
    given = {
        f"{custom_config.VARIABLE}_default": [{"glob": g, "enabled": True} for g in globs],
        f"{custom_config.VARIABLE}_extra": [{"glob": g, "enabled": True} for g in extra],
    }
    (tmp_path / "given.json").write_text(json.dumps(given))
    out = tmp_path / "kept.json"
    globs_kept = f"{{{{ {custom_config.VARIABLE} | map(attribute='glob') | to_json }}}}"
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"copy": {"dest": str(out), "content": globs_kept}},
    ]}]  # fmt: skip
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    ansible = subprocess.run(
        [str(venv_bin() / "ansible-playbook"), "-i", "localhost,", "-c", "local",
         "-e", f"ansible_python_interpreter={sys.executable}",
         "-e", f"@{tmp_path / 'given.json'}", *scope_args, str(tmp_path / "play.yml")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ansible.returncode == 0, ansible.stdout + ansible.stderr
    kept = json.loads(out.read_text())
    expected = [
        g
        for g in globs + extra
        if kolla_custom_config.override_name(g.split("/")[0]) not in scope.left_out
    ]
    assert kept == expected
    assert {"nova.conf", "nova/**", "nova/nova-compute/special.conf", "site-tool/**"} <= set(kept)
    assert not {"neutron.conf", "neutron/**", "neutron/plugins/**", "keystone.conf"} & set(kept)
