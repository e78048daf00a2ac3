"""What a render fills in (kolla passwords the configuration lacks) and what a sealed render
puts in place of vault-encrypted values, without running kayobe."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from sitectl import vault
from sitectl.errors import SiteError
from sitectl.render import passwords, sealed

PASSWORD = "unit-test-vault-password"


def encrypt(text: str) -> str:
    return VaultLib([("default", VaultSecret(PASSWORD.encode()))]).encrypt(text).decode()


def inline(name: str, plaintext: str) -> str:
    block = "\n".join("  " + line for line in encrypt(plaintext).splitlines())
    return f"{name}: !vault |\n{block}\n"


@pytest.fixture(scope="module")
def pool_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pool")


def test_the_pool_is_made_by_kolla_genpwd_once_and_kept_private(pool_root: Path) -> None:
    values, digest = passwords.pool(pool_root)
    sample = yaml.safe_load(passwords.sample_file().read_text())
    assert set(values) == set(sample)
    assert values["keystone_admin_password"] and len(values["keystone_admin_password"]) == 40
    assert set(values["keystone_ssh_key"]) == {"private_key", "public_key"}
    assert values["docker_registry_password"] is None  # kolla leaves it blank
    [file] = (pool_root / passwords.POOL_DIRECTORY).iterdir()
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    again, digest_again = passwords.pool(pool_root)
    assert (again, digest_again) == (values, digest)  # the same values every time


def test_looking_up_never_creates_the_pool(tmp_path: Path) -> None:
    assert passwords.pool(tmp_path, create=False) == ({}, "")
    assert not (tmp_path / passwords.POOL_DIRECTORY).exists()


def test_completion_fills_only_what_the_site_lacks(pool_root: Path) -> None:
    values, digest = passwords.pool(pool_root)
    site = {"database_password": "site-db", "keystone_admin_password": None, "extra": "x"}
    completed, completion = passwords.complete(site, values, digest)
    assert completed["database_password"] == "site-db"
    assert completed["extra"] == "x"
    assert completed["keystone_admin_password"] == values["keystone_admin_password"]
    assert "database_password" not in completion.generated
    assert "keystone_admin_password" in completion.generated
    assert values["keystone_admin_password"] in completion.plaintexts
    assert values["keystone_ssh_key"]["private_key"] in completion.plaintexts
    assert completion.pool_digest == digest


def test_a_complete_site_file_is_left_alone(pool_root: Path) -> None:
    values, digest = passwords.pool(pool_root)
    site = {key: "site" for key in values}
    _, completion = passwords.complete(site, values, digest)
    assert not completion.used and completion.pool_digest == ""


def test_the_site_file_is_read_decrypted_and_written_back_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "kolla" / "passwords.yml"
    path.parent.mkdir()
    path.write_text(encrypt("database_password: s1\n"))
    assert passwords.read_site(path, PASSWORD) == {"database_password": "s1"}
    with pytest.raises(SiteError, match="no vault password was given"):
        passwords.read_site(path, None)
    passwords.write_site(path, {"database_password": "s1", "other": "s2"}, PASSWORD)
    assert path.read_text().startswith("$ANSIBLE_VAULT;")
    assert passwords.read_site(path, PASSWORD) == {"database_password": "s1", "other": "s2"}
    assert passwords.read_site(tmp_path / "absent.yml", None) is None


def test_where_kayobe_reads_the_passwords(tmp_path: Path) -> None:
    (tmp_path / "etc" / "kayobe" / "environments" / "site").mkdir(parents=True)
    assert passwords.passwords_file(tmp_path, None) == (
        tmp_path / "etc" / "kayobe" / "kolla" / "passwords.yml"
    )
    assert passwords.passwords_file(tmp_path, "site") == (
        tmp_path / "etc" / "kayobe" / "environments" / "site" / "kolla" / "passwords.yml"
    )


# --- sealed ----------------------------------------------------------------------------------


def sealed_tree(tmp_path: Path, files: dict[str, str]) -> tuple[Path, list[Path]]:
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    return tmp_path, [tmp_path / "etc" / "kayobe"]


def test_inline_values_become_stand_ins_named_after_their_ciphertext(tmp_path: Path) -> None:
    text = "---\n" + inline("a_password", "first") + "plain: 1\n" + inline("b_secret", "second")
    repo, roots = sealed_tree(tmp_path, {"etc/kayobe/secrets.yml": text})
    found = vault.find_encrypted(roots)
    standins = sealed.seal(found, repo, roots, repo / "none", {})
    data = yaml.safe_load((repo / "etc/kayobe/secrets.yml").read_text())
    assert data["plain"] == 1
    assert {data["a_password"], data["b_secret"]} == standins
    assert data["a_password"] == sealed.standin(found[0].vaulttext)
    assert data["a_password"] != data["b_secret"]
    assert all(value.startswith(sealed.PREFIX) for value in standins)
    assert "first" not in str(data) and "$ANSIBLE_VAULT" not in str(data)


def test_the_same_ciphertext_gives_the_same_stand_in_wherever_it_is(tmp_path: Path) -> None:
    ciphertext = encrypt("same")
    block = "\n".join("    " + line for line in ciphertext.splitlines())
    assert sealed.standin(ciphertext) == sealed.standin(block)  # indentation does not count
    assert sealed.standin(ciphertext) != sealed.standin(encrypt("same"))  # a new salt does


def test_a_whole_file_passwords_yml_becomes_every_kolla_key(tmp_path: Path) -> None:
    path = "etc/kayobe/kolla/passwords.yml"
    repo, roots = sealed_tree(tmp_path, {path: encrypt("database_password: x\n")})
    kolla = {"database_password": None, "nova_ssh_key": {"private_key": "", "public_key": ""}}
    standins = sealed.seal(vault.find_encrypted(roots), repo, roots, repo / path, kolla)
    data = yaml.safe_load((repo / path).read_text())
    assert set(data) == set(kolla)
    assert set(data["nova_ssh_key"]) == {"private_key", "public_key"}
    assert data["database_password"] in standins


def test_other_whole_files_become_one_stand_in_line(tmp_path: Path) -> None:
    path = "etc/kayobe/kolla/config/keystone/ldap.pem"
    repo, roots = sealed_tree(tmp_path, {path: encrypt("-----BEGIN CERTIFICATE-----\n")})
    [value] = sealed.seal(vault.find_encrypted(roots), repo, roots, repo / "none", {})
    assert (repo / path).read_text() == value + "\n"


@pytest.mark.parametrize(
    "path", ["etc/kayobe/secrets.yml", "etc/kayobe/inventory/group_vars/all/secrets"]
)
def test_a_whole_file_variables_file_cannot_be_sealed(tmp_path: Path, path: str) -> None:
    repo, roots = sealed_tree(tmp_path, {path: encrypt("x_password: y\n")})
    with pytest.raises(SiteError, match=rf"{path} is vault-encrypted as a whole"):
        sealed.seal(vault.find_encrypted(roots), repo, roots, repo / "none", {})
