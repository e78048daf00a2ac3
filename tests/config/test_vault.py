"""Vault: where the password comes from, finding encrypted values, decrypting them."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitectl import vault
from sitectl.errors import SiteError
from sitectl.vault import (
    WHOLE_FILE,
    VaultPassword,
    config_roots,
    decrypt,
    find_encrypted,
    find_password,
    password_file_for_checkouts,
    secrets,
    unlock,
)
from tests.synthetic import add_env, encrypt, make_repo, vault_variable

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def no_operator_password(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAYOBE_VAULT_PASSWORD", "KAYOBE_VAULT_PASSWORD_FILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Base config with an inline vault value; `site` (depends on `mixin`) with inline, nested
    and whole-file vault values; `other` (not in site's layering) with its own."""
    repo = make_repo(tmp_path / "repo")
    (repo / "etc" / "kayobe" / "base.yml").write_text(
        "---\nplain: value\n" + vault_variable("base_secret", "base-plaintext", PASSWORD)
    )
    add_env(
        repo, "mixin", files={"mixin.yml": vault_variable("mixin_secret", "mixin-pt", PASSWORD)}
    )
    nested = vault_variable("inner", "nested-plaintext", PASSWORD).replace("\n", "\n  ")
    add_env(
        repo,
        "site",
        ["mixin"],
        files={
            "site.yml": "---\nouter:\n  " + nested + "\n",
            "kolla/passwords.yml": encrypt(
                "database_password: whole-file-pw\nport: 12345\n", PASSWORD
            ),
            "inventory/group_vars/all/creds": vault_variable("ipmi_password", "ipmi-pw", PASSWORD),
            "notes.j2": "{{ x }}: !vault |\n  "
            + encrypt("from-template", PASSWORD).replace("\n", "\n  "),
        },
    )
    add_env(repo, "other", files={"o.yml": vault_variable("other_secret", "other-pt", "another")})
    return repo


# --- the password -------------------------------------------------------------------------


def test_password_file_option_comes_first(repo: Path, tmp_path: Path) -> None:
    option = tmp_path / "option"
    option.write_text("from-option\n")
    (repo / ".vault-password").write_text("from-repo")
    env = {"KAYOBE_VAULT_PASSWORD": "from-env", "KAYOBE_VAULT_PASSWORD_FILE": str(option)}
    found = find_password(repo, option, env)
    assert found == VaultPassword("from-option", f"--vault-password-file {option}")


def test_then_the_environment_variable(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("from-file")
    env = {
        "KAYOBE_VAULT_PASSWORD": "from-env",
        "KAYOBE_VAULT_PASSWORD_FILE": str(tmp_path / "file"),
    }
    assert find_password(repo, None, env) == VaultPassword("from-env", "$KAYOBE_VAULT_PASSWORD")


def test_then_the_password_file_variable(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("  from-file  \n")
    (repo / ".vault-password").write_text("from-repo")
    found = find_password(repo, None, {"KAYOBE_VAULT_PASSWORD_FILE": str(tmp_path / "file")})
    assert found is not None
    assert found.value == "from-file"
    assert found.source.startswith("$KAYOBE_VAULT_PASSWORD_FILE")


def test_then_the_repository_file(repo: Path) -> None:
    (repo / ".vault-password").write_text("from-repo\n")
    found = find_password(repo, None, {})
    assert found == VaultPassword("from-repo", str(repo / ".vault-password"))


def test_checkouts_use_the_repository_file(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A git checkout under .cache has no .vault-password: kayobe is given the repository's.
    assert password_file_for_checkouts(repo, None) is None
    (repo / ".vault-password").write_text("from-repo\n")
    assert password_file_for_checkouts(repo, None) == repo / ".vault-password"
    given = repo / "given"
    given.write_text("given")
    assert password_file_for_checkouts(repo, given) == given
    monkeypatch.setenv("KAYOBE_VAULT_PASSWORD", "from-env")  # kayobe reads it itself
    assert password_file_for_checkouts(repo, None) is None


def test_no_password_anywhere(repo: Path) -> None:
    assert find_password(repo, None, {}) is None


@pytest.mark.parametrize("content", ["", "\n  \n"])
def test_empty_password_file(repo: Path, tmp_path: Path, content: str) -> None:
    (tmp_path / "empty").write_text(content)
    with pytest.raises(SiteError, match="is empty"):
        find_password(repo, tmp_path / "empty", {})


def test_unreadable_password_file(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="cannot read the vault password file"):
        find_password(repo, tmp_path / "missing", {})


def test_missing_password_explains_every_option(repo: Path) -> None:
    with pytest.raises(SiteError) as caught:
        unlock(repo, "site")
    message = caught.value.message
    for option in (
        "--vault-password-file",
        "$KAYOBE_VAULT_PASSWORD",
        "$KAYOBE_VAULT_PASSWORD_FILE",
        str(repo / ".vault-password"),
        "ci/vault-password.example",
    ):
        assert option in message


# --- finding and decrypting -----------------------------------------------------------------


def test_finds_every_encrypted_value_of_the_layering(repo: Path) -> None:
    found = {
        (item.file.relative_to(repo).as_posix(), item.key)
        for item in find_encrypted(config_roots(repo, "site"))
    }
    assert found == {
        ("etc/kayobe/base.yml", "base_secret"),
        ("environments/mixin/mixin.yml", "mixin_secret"),
        ("environments/site/site.yml", "outer.inner"),
        ("environments/site/kolla/passwords.yml", WHOLE_FILE),
        ("environments/site/inventory/group_vars/all/creds", "ipmi_password"),
        ("environments/site/notes.j2", "line 1"),
    }


def test_other_environments_are_not_read(repo: Path) -> None:
    files = {item.file.name for item in find_encrypted(config_roots(repo, "mixin"))}
    assert files == {"base.yml", "mixin.yml"}


def test_secrets_are_the_plaintexts_and_the_password(repo: Path) -> None:
    (repo / ".vault-password").write_text(PASSWORD)
    assert secrets(repo, "site") >= {
        PASSWORD,
        "base-plaintext",
        "mixin-pt",
        "nested-plaintext",
        "ipmi-pw",
        "from-template",
        "whole-file-pw",
        "12345",
    }
    assert "other-pt" not in secrets(repo, "site")


def test_unlock_returns_the_password_for_kayobe(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text(PASSWORD)
    unlocked = unlock(repo, "site", tmp_path / "pw")
    assert unlocked.password is not None
    assert unlocked.password.value == PASSWORD
    assert "mixin-pt" in unlocked.secrets


def test_wrong_password_names_file_and_key(repo: Path) -> None:
    (repo / ".vault-password").write_text(PASSWORD)
    with pytest.raises(SiteError) as caught:
        unlock(repo, "other")
    message = caught.value.message
    assert "does not decrypt" in message
    assert str(repo / "environments" / "other" / "o.yml") in message
    assert "(key other_secret)" in message
    assert str(repo / ".vault-password") in message  # which password was used
    assert PASSWORD not in message


def test_no_encrypted_values_need_no_password(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    add_env(repo, "plain", files={"a.yml": "a: 1\n"})
    unlocked = unlock(repo, "plain")
    assert unlocked.password is None
    assert unlocked.secrets == frozenset()


def test_decrypt_whole_file_that_is_not_yaml_mapping(tmp_path: Path) -> None:
    pem = (
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
    )
    path = tmp_path / "key.pem"
    path.write_text(encrypt(pem, PASSWORD))
    found = decrypt(find_encrypted([tmp_path]), VaultPassword(PASSWORD, "test"))
    assert pem in found
    assert pem.strip() in found


def test_binary_and_large_files_are_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "blob.bin").write_bytes(b"\0\1$ANSIBLE_VAULT;1.1;AES256\n")
    (tmp_path / "big.yml").write_text(encrypt("x", PASSWORD))
    monkeypatch.setattr(vault, "MAX_FILE_SIZE", 10)
    assert find_encrypted([tmp_path]) == []


KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
  - name: management
    cluster:
      server: https://10.0.0.5:6443
      certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM1ekNDQWMr
users:
  - name: operator
    user:
      token: kX9fQ2mLp7RtZ3vB8nW4
      password: short1
"""


def test_a_service_document_keeps_its_structure_and_gives_up_its_secrets(tmp_path: Path) -> None:
    """A whole encrypted kubeconfig under kolla/config: the token, the password and the
    certificate data are secrets; `Config`, the user name and the server URL are not (they
    would hide the same words everywhere else in the render)."""
    path = tmp_path / "etc" / "kayobe" / "kolla" / "config" / "magnum" / "kubeconfig"
    path.parent.mkdir(parents=True)
    path.write_text(encrypt(KUBECONFIG, PASSWORD))
    found = decrypt(find_encrypted([tmp_path]), VaultPassword(PASSWORD, "test"))
    assert {"kX9fQ2mLp7RtZ3vB8nW4", "short1", KUBECONFIG.strip()} <= found
    assert any(s.startswith("LS0tLS1CRUdJTi") for s in found)
    assert not {"Config", "operator", "management", "https://10.0.0.5:6443", "v1"} & found


def test_a_variables_file_gives_up_every_value(tmp_path: Path) -> None:
    """The same text as a variables file (not under kolla/config): every value is a secret."""
    path = tmp_path / "etc" / "kayobe" / "secrets.yml"
    path.parent.mkdir(parents=True)
    path.write_text(encrypt(KUBECONFIG, PASSWORD))
    found = decrypt(find_encrypted([tmp_path]), VaultPassword(PASSWORD, "test"))
    assert {"Config", "operator", "kX9fQ2mLp7RtZ3vB8nW4", "https://10.0.0.5:6443"} <= found


def test_an_ini_service_document_gives_up_its_secret_options(tmp_path: Path) -> None:
    text = "[ldap]\nurl = ldap://ldap.example\nuser = cn=openstack\npassword = Ld4p-Bind-Pw\n"
    path = tmp_path / "kolla" / "config" / "keystone" / "domains" / "keystone.hpc.conf"
    path.parent.mkdir(parents=True)
    path.write_text(encrypt(text, PASSWORD))
    found = decrypt(find_encrypted([tmp_path]), VaultPassword(PASSWORD, "test"))
    assert "Ld4p-Bind-Pw" in found
    assert not {"ldap://ldap.example", "cn=openstack"} & found
