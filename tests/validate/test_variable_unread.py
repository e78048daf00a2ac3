"""variable-unread on a copy of the committed ci-aio with seeded mistakes, through real kayobe
and the index of the installed kayobe and kolla-ansible; and the index's handling of names
built at run time, on small trees of Ansible code."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from config.mini_site import copy_repository

from sitectl import readers
from sitectl.validate import validate
from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO

ENV = "ci-aio"
SEEDED = {
    # Mistakes.
    "environments/ci-aio/seeded.yml": """---
kolla_enable_prometeus: true
nova_console: spice
seeded_unread_parent: "{{ seeded_orphan }}"
seeded_orphan: 1
# Read: by a hook, by a kolla/config template (through a chain), by a lookup family,
# and one the allowlist names.
seeded_hook_message: hello
seeded_template_value: "{{ seeded_chain_leaf }}"
seeded_chain_leaf: 2
seeded_family_alpha: 3
seeded_outside_ansible: 4
seeded_expired_outside: 5
""",
    "environments/ci-aio/kolla/globals.yml": "---\nnova_compute_virt_typ: qemu\n",
    "environments/ci-aio/inventory/group_vars/controllers/seeded": (
        "---\ncontroller_lvm_groupss: []\n"
    ),
    "ansible/seeded-infiniband.yml": """---
- name: Pass the role a misspelt parameter
  hosts: infiniband
  roles:
    - role: infiniband
      vars:
        infiniband_ipoib_mod: connected
        infiniband_ipoib_mode: connected
- name: Read a family of variables
  hosts: controllers
  tasks:
    - name: Show the family's members
      ansible.builtin.debug:
        msg: "{{ lookup('vars', 'seeded_family_' ~ item) }}"
      loop: "{{ seeded_family_members | default(['alpha']) }}"
""",
    "environments/ci-aio/hooks/overcloud-host-configure/post.d/30-seeded.yml": """---
- name: A hook that reads a variable
  hosts: controllers
  tasks:
    - name: Say it
      ansible.builtin.debug:
        msg: "{{ seeded_hook_message }}"
""",
    "environments/ci-aio/kolla/config/seeded.conf": (
        "[seeded]\nvalue = {{ seeded_template_value }}\n"
    ),
}
ALLOWED = """
  - name: seeded_outside_ansible
    reason: read by a dashboard
  - name: seeded_expired_outside
    reason: read by a retired script
    expires: 2020-01-01
"""


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    repo = copy_repository(REPO, tmp_path_factory.mktemp("unread"))
    _write(repo, SEEDED)
    allowlist = repo / "etc" / "sitectl" / "unread-variables.yml"
    allowlist.write_text(allowlist.read_text(encoding="utf-8") + ALLOWED, encoding="utf-8")
    report = validate(repo, ENV, EXAMPLE_PASSWORD_FILE)
    found = [f for f in report.findings if f.rule == "variable-unread"]
    assert {f.rule for f in report.findings} == {"variable-unread"}, report.findings
    return {f.key or f.file: f for f in found}


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def _line(name: str, text: str) -> int:
    return next(i for i, line in enumerate(SEEDED[name].splitlines(), 1) if text in line)


def test_a_misspelt_feature_flag_is_found_with_the_right_name(findings: dict) -> None:
    finding = findings["kolla_enable_prometeus"]
    assert finding.file == "environments/ci-aio/seeded.yml"
    assert finding.line == _line("environments/ci-aio/seeded.yml", "kolla_enable_prometeus")
    assert "nothing reads it" in finding.message and "kayobe 2" in finding.message
    assert "`kolla_enable_prometheus`" in finding.hint


def test_a_misspelt_kolla_ansible_global_is_found(findings: dict) -> None:
    finding = findings["nova_compute_virt_typ"]
    assert (finding.file, finding.line) == ("environments/ci-aio/kolla/globals.yml", 2)
    assert "kolla-ansible" in finding.message
    assert "`nova_compute_virt_type`" in finding.hint


def test_a_misspelt_inventory_variable_is_found(findings: dict) -> None:
    finding = findings["controller_lvm_groupss"]
    assert finding.file == "environments/ci-aio/inventory/group_vars/controllers/seeded"
    assert finding.line == 2 and "`controller_lvm_groups`" in finding.hint


def test_a_kolla_ansible_variable_in_a_kayobe_file_says_where_it_belongs(
    findings: dict,
) -> None:
    assert "kolla/globals.yml" in findings["nova_console"].hint


def test_a_misspelt_role_parameter_is_found_where_the_playbook_passes_it(
    findings: dict,
) -> None:
    finding = findings["infiniband_ipoib_mod"]
    assert finding.file == "ansible/seeded-infiniband.yml"
    assert finding.line == _line("ansible/seeded-infiniband.yml", "infiniband_ipoib_mod:")
    assert "role infiniband" in finding.message and "`infiniband_ipoib_mode`" in finding.hint
    assert "infiniband_ipoib_mode" not in findings  # the role reads the right one


def test_a_chain_of_references_must_end_at_a_reader(findings: dict) -> None:
    assert {"seeded_unread_parent", "seeded_orphan"} <= set(findings)
    assert not {"seeded_template_value", "seeded_chain_leaf"} & set(findings)


def test_hooks_templates_lookup_families_and_the_allowlist_read(findings: dict) -> None:
    read = {"seeded_hook_message", "seeded_family_alpha", "seeded_outside_ansible"}
    assert not read & set(findings)


def test_an_expired_allowance_is_a_finding(findings: dict) -> None:
    expired = [f for f in findings.values() if f.file == "etc/sitectl/unread-variables.yml"]
    assert len(expired) == 1 and "expired on 2020-01-01" in expired[0].message
    assert "seeded_expired_outside" in findings  # and the variable is unread again


def test_exactly_the_seeded_mistakes_are_found(findings: dict) -> None:
    assert set(findings) == {
        "kolla_enable_prometeus",
        "nova_console",
        "seeded_unread_parent",
        "seeded_orphan",
        "nova_compute_virt_typ",
        "controller_lvm_groupss",
        "infiniband_ipoib_mod",
        "seeded_expired_outside",
        "etc/sitectl/unread-variables.yml",
    }


# --- the index, on small trees ---------------------------------------------------------------


def _tree(root: Path, files: dict[str, str]) -> readers.Index:
    _write(root, files)
    return readers.build([readers.Source("test", root)])


def test_a_loop_over_a_literal_list_resolves_the_names_it_builds(tmp_path: Path) -> None:
    index = _tree(
        tmp_path,
        {
            "roles/r/vars/main.yml": "---\nflags: [alpha, beta]\n",
            "roles/r/templates/t.j2": (
                "{% for f in flags %}{{ hostvars[inventory_hostname]['x_' ~ f] }}{% endfor %}\n"
                "{% set kinds = ['one', 'two'] %}{% for k in kinds %}"
                "{{ lookup('vars', 'y_' ~ k ~ '_z') }}{% endfor %}\n"
            ),
            "roles/r/tasks/main.yml": (
                "---\n- name: Check\n  ansible.builtin.assert:\n    that: vars[item] is defined\n"
                "  with_items:\n    - listed_name\n"
            ),
        },
    )
    assert index.reads("x_alpha") and index.reads("y_two_z") and index.reads("listed_name")
    assert index.reads("x_gamma") is None and index.reads("y_three_z") is None
    assert index.families == [] and index.open_families == []


def test_a_name_built_from_an_unknown_value_reads_its_whole_family(tmp_path: Path) -> None:
    index = _tree(
        tmp_path,
        {
            "a.yml": "---\nv: \"{{ lookup('vars', 'run_' + engine) }}\"\n",
            "b.j2": "{% set w = 'h_' + s + '_weight' %}{{ hostvars[h][w] }}\n",
            "c.yml": '---\n- name: T\n  debug:\n    msg: "{{ vars[item] }}"\n'
            '  loop: "{{ unknown_list }}"\n',
        },
    )
    assert index.reads("run_docker") and index.reads("h_nova_weight")
    assert "run_*" in index.reads("run_docker")
    assert index.reads("h_nova_cost") is None
    assert [f.pattern for f in index.open_families] == ["*"]  # vars[item] over the unknown


def test_an_old_name_the_code_documents_is_suggested(tmp_path: Path) -> None:
    index = _tree(
        tmp_path,
        {
            "roles/r/defaults/main.yml": (
                "---\n# How many.\n# [DEPRECATED NAME] r_old_count.\nr_count: 1\n"
                "# Not a rename.\nr_other: 2\n"
            )
        },
    )
    assert index.renames == {"r_old_count": "r_count"}
    assert index.reads("r_old_count") is None  # a comment reads nothing


def test_the_toolchain_index_knows_kayobes_and_kolla_ansibles_readers() -> None:
    toolchain = readers.toolchain_index()
    assert toolchain.kayobe.reads("kolla_enable_prometheus")  # built from the feature flags
    assert toolchain.kayobe.reads("kolla_enable_prometeus") is None
    assert toolchain.kayobe.reads("internal_net_cidr", ["internal_net"])
    assert toolchain.kayobe.reads("internal_net_cidr") is None  # not a network in use
    assert toolchain.kolla_ansible.reads("nova_compute_virt_type")
    assert "nova_compute_virt_type" in toolchain.kolla_ansible.defined
    assert toolchain.kayobe.open_families == [] and toolchain.kolla_ansible.open_families == []
    assert toolchain.kayobe.reads("ansible_connection")  # Ansible's own
    assert toolchain.kayobe.reads("nova_console") is None  # kolla-ansible's, not kayobe's
    assert (
        toolchain.kayobe.renames["switch_interface_config_discovery"]
        == "switch_interface_config_enable_discovery"
    )
    # Another virtualenv's toolchain (here: this one, named by its path) is indexed alike.
    named = readers.toolchain_index(Path(sys.prefix))
    assert named.versions == toolchain.versions and named.kayobe.names == toolchain.kayobe.names
