"""kayobe's layer kept between renders (sitectl.render.layer): which files its key leaves out,
when it must keep them, and the entry itself (encrypted, restored into another scratch
directory, or ignored when unusable). The real renders that reuse it are in
tests/diff/test_real_render.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitectl.render import kayobe_steps, layer
from sitectl.render.harness import Scratch

SECRET = "kolla-tls-private-key-material-0123"


@pytest.mark.parametrize(
    ("relative", "custom"),
    [
        ("etc/kayobe/kolla/config/nova.conf", True),
        ("etc/kayobe/kolla/config/neutron/ml2_conf.ini", True),
        ("environments/ci-aio/kolla/config/nova.conf", True),
        ("etc/kayobe/environments/site/kolla/config/glance.conf", True),
        ("etc/kayobe/kolla/globals.yml", False),
        ("etc/kayobe/kolla/config", False),  # the directory's name, not a file in it
        ("environments/ci-aio/kolla/passwords.yml", False),
        ("etc/kayobe/nova.yml", False),
        ("ansible/roles/site/files/kolla/config/nova.conf", False),
    ],
)
def test_what_counts_as_custom_config(relative: str, custom: bool) -> None:
    assert layer.is_custom_config(relative) is custom


def _config(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, Path]]:
    found = []
    for relative, text in sorted(files.items()):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        found.append((relative, path))
    return found


def test_a_lookup_of_the_configuration_path_keeps_kolla_config_in_the_key(tmp_path: Path) -> None:
    files = _config(
        tmp_path,
        {
            "etc/kayobe/kolla/config/nova.conf": "[DEFAULT]\n",
            "etc/kayobe/kolla-images.yml": (
                "templates: \"{{ query('fileglob', kolla_images_path ~ '/t/*.j2') }}\"\n"
            ),
            "etc/kayobe/nova.yml": (
                "# lookup('file', kayobe_config_path ~ '/kolla/config/nova.conf') (a comment)\n"
                "nova_extra: \"{{ lookup('file', kayobe_config_path ~ '/kolla/config/x') }}\"\n"
            ),
        },
    )
    assert layer.reads_custom_config(files) == "etc/kayobe/nova.yml"
    assert layer.reads_custom_config([f for f in files if f[0] != "etc/kayobe/nova.yml"]) is None


def _scratch(root: Path) -> Scratch:
    scratch = Scratch(root)
    for directory in (scratch.kolla / "inventory" / "overcloud", scratch.facts, scratch.repo):
        directory.mkdir(parents=True)
    (scratch.kolla / "globals.yml").write_text(f"node_custom_config: {scratch.kolla}/config\n")
    (scratch.kolla / "inventory" / "overcloud" / "hosts").write_text("[control]\naio\n")
    (scratch.kolla / "certificates").mkdir()
    (scratch.kolla / "certificates" / "haproxy.pem").write_text(SECRET)
    (scratch.kolla / "config").mkdir()
    (scratch.kolla / "config" / "nova.conf").write_text("[DEFAULT]\nthe head's own\n")
    (scratch.facts / "aio").write_text(f'{{"home": "{root}/home"}}')
    return scratch


MADE = layer.Made(kayobe={"kayobe/aio.yml": "a: 1\n"}, hosts=["aio"], overridden=["x_password"])


@pytest.mark.parametrize("password", ["layer-test-password", None])
def test_an_entry_is_restored_into_another_scratch_directory(
    tmp_path: Path, password: str | None
) -> None:
    cache = layer.Cache(tmp_path / "cache", password)
    first = _scratch(tmp_path / "first")
    passwords = first.repo / "etc/kayobe/kolla/passwords.yml"
    passwords.parent.mkdir(parents=True)
    passwords.write_text("keystone_admin_password: x\n")
    cache.save("k1", first, passwords, MADE)
    [entry] = (tmp_path / "cache" / layer.DIRECTORY).iterdir()
    assert (SECRET.encode() in entry.read_bytes()) is (password is None)  # encrypted with one

    second = Scratch(tmp_path / "second")
    second_passwords = second.repo / "etc/kayobe/kolla/passwords.yml"
    assert cache.restore("k1", second, second_passwords) == MADE
    assert (second.kolla / "globals.yml").read_text() == (
        f"node_custom_config: {second.kolla}/config\n"
    )
    assert (second.kolla / "certificates" / "haproxy.pem").read_text() == SECRET
    assert not (second.kolla / "config").exists()  # kolla/config is the render's own, always
    assert str(second.root) in (second.facts / "aio").read_text()
    assert second_passwords.read_text() == "keystone_admin_password: x\n"


def test_an_unusable_entry_is_a_miss_that_writes_nothing(tmp_path: Path) -> None:
    cache = layer.Cache(tmp_path / "cache", "the-password")
    scratch = _scratch(tmp_path / "first")
    cache.save("k1", scratch, scratch.repo / "passwords.yml", MADE)
    target = Scratch(tmp_path / "second")
    passwords = target.repo / "passwords.yml"
    assert (
        layer.Cache(tmp_path / "cache", "another-password").restore("k1", target, passwords) is None
    )
    assert cache.restore("absent", target, passwords) is None
    (tmp_path / "cache" / layer.DIRECTORY / "k2.tar").write_bytes(b"not an archive")
    assert cache.restore("k2", target, passwords) is None
    assert not target.root.exists()


def test_this_kayobe_runs_in_steps_and_its_layer_reads_no_service_tag() -> None:
    """The layer step runs kayobe's kolla-ansible.yml without the selection's tags (so every
    selection shares it): that is what kayobe runs with them only while no play or task of
    it carries a kolla-ansible service tag."""
    import yaml

    from sitectl.kolla_playbooks import tags as kolla_tags

    assert kayobe_steps.unsupported() is None
    from kayobe import utils

    playbooks = Path(utils.get_data_files_path("ansible"))
    found: set[str] = set()

    def collect(node: object) -> None:
        if isinstance(node, dict):
            tags = node.get("tags")
            found.update([tags] if isinstance(tags, str) else tags or [])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    files = [playbooks / "kolla-ansible.yml"]
    for role in ("kolla-ansible", "kolla-ansible-host-vars"):
        files += sorted((playbooks / "roles" / role / "tasks").glob("*.yml"))
    for file in files:
        collect(yaml.safe_load(file.read_text()))
    assert found, "no tags found: the playbook's layout changed"
    assert not found & (kolla_tags() - {"always"}), found & kolla_tags()
