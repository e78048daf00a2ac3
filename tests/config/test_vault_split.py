"""`sitectl vault split`: kayobe's whole-file-encrypted secrets.yml turned into one `!vault`
value per variable, which kayobe reads the same and a sealed render can compare."""

from __future__ import annotations

from pathlib import Path

import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from sitectl import vault
from sitectl.render import sealed
from tests.conftest import RunSitectl
from tests.synthetic import encrypt, make_repo

PASSWORD = "split-test-password"
SECRETS = {"keystone_admin_password": "Adm1n-S3cret", "site_db_password": "Db-S3cret: yes"}


def _repo(tmp_path: Path) -> tuple[Path, Path, Path]:
    repo = make_repo(tmp_path / "repo")
    (repo / "etc" / "kayobe" / "inventory").mkdir()
    (repo / "etc" / "kayobe" / "inventory" / "hosts").write_text(
        "[controllers]\nctl0 ansible_connection=local\n"
    )
    secrets = repo / "etc" / "kayobe" / "secrets.yml"
    secrets.write_text(encrypt(yaml.safe_dump(SECRETS), PASSWORD))
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    return repo, secrets, password_file


def test_split_encrypts_each_value_on_its_own(tmp_path: Path, sitectl: RunSitectl) -> None:
    repo, secrets, password_file = _repo(tmp_path)
    before = sitectl("--repo", repo, "validate", "--sealed")
    assert before.returncode == 1  # a finding that names the command to run
    assert "once, with the password: tools/sitectl vault split etc/kayobe/secrets.yml" in (
        before.stdout
    )

    result = sitectl(
        "--repo", repo, "--vault-password-file", password_file, "vault", "split", secrets
    )
    assert result.returncode == 0, result.stderr
    assert "2 values, each encrypted on its own" in result.stdout
    text = secrets.read_text()
    assert all(value not in text for value in SECRETS.values())
    assert "keystone_admin_password: !vault |" in text
    lib = VaultLib([("default", VaultSecret(PASSWORD.encode()))])

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!vault", lambda ld, n: lib.decrypt(ld.construct_scalar(n)).decode())
    assert yaml.load(text, Loader=Loader) == SECRETS  # what kayobe reads, unchanged
    assert {item.key for item in vault.find_encrypted([repo / "etc" / "kayobe"])} == set(SECRETS)
    roots = [repo / "etc" / "kayobe"]
    found = vault.find_encrypted(roots)
    standins = sealed.seal(
        found, repo, roots, repo / "etc" / "kayobe" / "kolla" / "passwords.yml", {}
    )
    assert len(standins) == 2  # a sealed render stands each value in, by its ciphertext


def test_split_refuses_what_it_cannot_do_and_leaves_the_file(
    tmp_path: Path, sitectl: RunSitectl
) -> None:
    repo, secrets, password_file = _repo(tmp_path)
    wrong = tmp_path / "wrong"
    wrong.write_text("not-it\n")
    original = secrets.read_text()
    refused = sitectl("--repo", repo, "--vault-password-file", wrong, "vault", "split", secrets)
    assert refused.returncode == 2 and "does not decrypt with the vault password" in refused.stderr
    assert secrets.read_text() == original

    nested = repo / "etc" / "kayobe" / "nested.yml"
    nested.write_text(encrypt("plain: x\nmapping: {a: 1}\n", PASSWORD))
    kept = nested.read_text()
    refused = sitectl(
        "--repo", repo, "--vault-password-file", password_file, "vault", "split", nested
    )
    assert refused.returncode == 2 and "mapping is not a string" in refused.stderr
    assert nested.read_text() == kept
    assert PASSWORD not in refused.stderr + refused.stdout

    outside = tmp_path / "outside.yml"
    outside.write_text(original)
    refused = sitectl(
        "--repo", repo, "--vault-password-file", password_file, "vault", "split", outside
    )
    assert refused.returncode == 2 and "outside the repository" in refused.stderr


def test_after_the_split_a_sealed_validate_loads_it(tmp_path: Path, sitectl: RunSitectl) -> None:
    repo, secrets, password_file = _repo(tmp_path)
    split = sitectl(
        "--repo", repo, "--vault-password-file", password_file, "vault", "split", secrets
    )
    assert split.returncode == 0, split.stderr
    after = sitectl("--repo", repo, "validate", "--sealed")
    assert "vault-encrypted as a whole" not in after.stdout
    assert "kayobe could not load" not in after.stdout, after.stdout
