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
    assert found == VaultPassword("from-option", f"--vault-password-file {option}", option)


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
    assert found == VaultPassword(
        "from-repo", str(repo / ".vault-password"), repo / ".vault-password"
    )


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
    ):
        assert option in message
    assert "vault-password.example" not in message  # this repository has none
    (repo / "ci").mkdir()
    (repo / "ci" / "vault-password.example").write_text("example\n")
    with pytest.raises(SiteError, match=r"--vault-password-file ci/vault-password\.example"):
        unlock(repo, "site")


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


def test_a_password_that_opens_the_other_values_says_so(repo: Path) -> None:
    (repo / ".vault-password").write_text(PASSWORD)
    with pytest.raises(SiteError) as caught:
        unlock(repo, "other")
    assert "though it decrypts other vault-encrypted values" in caught.value.message
    assert "encrypted with another password, or its ciphertext is damaged" in caught.value.message


def garbled(name: str, plaintext: str) -> str:
    """`name: !vault |` with a valid header and a body damaged by hand (not hexadecimal)."""
    lines = vault_variable(name, plaintext, PASSWORD).splitlines()
    lines[2] = "  zz" + lines[2].strip()[2:]
    return "\n".join(lines) + "\n"


def test_damaged_ciphertext_is_not_blamed_on_the_password(repo: Path) -> None:
    add_env(repo, "damaged", files={"secrets.yml": "---\n" + garbled("pulp_password", "pp")})
    (repo / ".vault-password").write_text(PASSWORD)
    with pytest.raises(vault.VaultDamaged) as caught:
        unlock(repo, "damaged")
    message = caught.value.message
    assert str(repo / "environments" / "damaged" / "secrets.yml") in message
    assert "the encrypted value of pulp_password" in message and "is damaged" in message
    assert "the vault password is not the problem" in message
    assert "does not decrypt" not in message and PASSWORD not in message


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


def test_binary_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "blob.bin").write_bytes(b"\0\1$ANSIBLE_VAULT;1.1;AES256\n")
    assert find_encrypted([tmp_path]) == []


def test_secrets_are_learnt_from_an_encrypted_file_over_8_mib(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Skipping a large file would let `show` print its plaintext and the dump cache store
    it: it is decrypted like any other, with a note on stderr that it is large."""
    secret = "big-file-db-Qm71Xr"
    filler = f"# {'padding ' * 12}\n" * 25_000  # 2.4 MiB of plaintext: 8.6 MiB of vault text
    repo = make_repo(tmp_path / "repo")
    big = repo / "etc" / "kayobe" / "big.yml"
    big.write_text(encrypt(f"---\nbig_db_password: {secret}\n{filler}", PASSWORD))
    assert big.stat().st_size > 8 * 1024 * 1024
    (tmp_path / "pw").write_text(PASSWORD)
    assert secret in unlock(repo, None, tmp_path / "pw").secrets
    err = capsys.readouterr().err
    assert str(big) in err and "MiB, vault-encrypted" in err
    assert secret not in err


def test_vault_text_anywhere_in_a_file_read_by_chunks_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The header split across two chunks, far from the start of the file."""
    monkeypatch.setattr(vault, "_CHUNK", 64)
    prefix = "---\n" + "".join(f"plain_{n}: value\n" for n in range(20))
    variable = vault_variable("deep", "deep-secret", PASSWORD)
    padding = (64 - 5 - len(prefix) - 2 - variable.index(vault.HEADER)) % 64
    text = prefix + "#" + "x" * padding + "\n" + variable
    assert text.index(vault.HEADER) % 64 == 64 - 5  # 5 bytes of it in one chunk, 10 in the next
    (tmp_path / "vars.yml").write_text(text)
    [found] = find_encrypted([tmp_path])
    assert found.key == "deep"
    assert "deep-secret" in decrypt([found], VaultPassword(PASSWORD, "test"))


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


NOVA_CONF = """\
[DEFAULT]
transport_url = rabbit://nova:Rb7-nova-Kq42@ctl1:5672,nova:Rb7-nova-Kq42@ctl2:5672//
debug = False

[database]
connection = mysql+pymysql://nova:Db9-nova-Wx13@db.example.invalid/nova
"""


def test_url_passwords_of_a_service_document_are_secrets(tmp_path: Path) -> None:
    """A whole encrypted nova.conf override whose credentials are under option names that do
    not say secret: the URLs' passwords are learnt, not their users, hosts or the options."""
    path = tmp_path / "etc" / "kayobe" / "kolla" / "config" / "nova.conf"
    path.parent.mkdir(parents=True)
    path.write_text(encrypt(NOVA_CONF, PASSWORD))
    found = decrypt(find_encrypted([tmp_path]), VaultPassword(PASSWORD, "test"))
    assert {"Rb7-nova-Kq42", "Db9-nova-Wx13"} <= found
    assert not {"nova", "ctl1:5672", "False", "db.example.invalid/nova"} & found


def test_url_passwords_of_yaml_service_documents_and_inline_values(tmp_path: Path) -> None:
    config = tmp_path / "etc" / "kayobe" / "kolla" / "config" / "magnum"
    config.mkdir(parents=True)
    document = "clouds:\n  site:\n    endpoint: https://admin:Cl0ud-Pw-77@keystone:5000/v3\n"
    (config / "clouds.yaml").write_text(encrypt(document, PASSWORD))
    (tmp_path / "etc" / "kayobe" / "urls.yml").write_text(
        vault_variable("broker_url", "redis://:p%40ss-Rd-19@cache:6379/0", PASSWORD)
    )
    found = decrypt(find_encrypted([tmp_path]), VaultPassword(PASSWORD, "test"))
    assert {"Cl0ud-Pw-77", "p%40ss-Rd-19", "p@ss-Rd-19"} <= found  # as written, and decoded
    assert "admin" not in found


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
