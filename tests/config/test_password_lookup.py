"""Ansible's password lookup in sitectl's kayobe runs (sitectl/lookups/password.py), run by
real ansible-playbook in the environment sitectl.kayobe gives every dump and render: a file
that does not exist gets the same stand-in in every run and copy, nothing is written into the
configuration, and every value made up is recorded for redaction (issue #35 item 4)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from sitectl import kayobe
from sitectl.repo import venv_bin

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ values | to_json }}"
      vars:
        values:
          missing: "{{ lookup('password', playbook_dir ~ '/secrets/missing length=24') }}"
          lowered: "{{ lookup('password', playbook_dir ~ '/secrets/lower chars=ascii_lowercase') }}"
          seeded: "{{ lookup('password', playbook_dir ~ '/secrets/seeded seed=mine') }}"
          existing: "{{ lookup('password', playbook_dir ~ '/secrets/existing') }}"
"""


def _run(repo: Path, scratch: Path, password: str | None) -> dict[str, str]:
    scratch.mkdir(exist_ok=True)
    out = scratch / "values.json"
    env = kayobe.environment(repo, password, scratch)
    subprocess.run(
        [str(venv_bin() / "ansible-playbook"), str(repo / "play.yml"), "-e", f"out={out}"],
        env=env,
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.read_text())


def _configuration(root: Path) -> Path:
    (root / "secrets").mkdir(parents=True)
    (root / "secrets" / "existing").write_text("the-sites-own-value\n")
    (root / "play.yml").write_text(PLAYBOOK)
    return root


def test_a_missing_file_gets_the_same_stand_in_everywhere_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    repo = _configuration(tmp_path / "repo")
    first = _run(repo, tmp_path / "s1", "vault-password")
    again = _run(repo, tmp_path / "s2", "vault-password")
    copy = tmp_path / "copy"  # e.g. the other side of a diff, in another scratch directory
    shutil.copytree(repo, copy)
    elsewhere = _run(copy, tmp_path / "s3", "vault-password")
    assert first == again == elsewhere
    assert len(first["missing"]) == 24 and first["lowered"].islower()
    assert first["existing"] == "the-sites-own-value"
    assert sorted(p.name for p in (repo / "secrets").iterdir()) == ["existing"]
    generated = kayobe.generated_secrets(tmp_path / "s1")
    assert generated == {first["missing"], first["lowered"], first["seeded"]}


def test_the_stand_in_depends_on_the_key_and_honours_a_seed(tmp_path: Path) -> None:
    repo = _configuration(tmp_path / "repo")
    one = _run(repo, tmp_path / "s1", "vault-password")
    other = _run(repo, tmp_path / "s2", "another-password")
    sealed = _run(repo, tmp_path / "s3", None)
    assert one["missing"] != other["missing"] != sealed["missing"]
    assert one["seeded"] == other["seeded"] == sealed["seeded"]  # the term's own seed wins
