"""A variables file vault-encrypted as a whole (kayobe's documented `secrets.yml` layout)
turned into the same variables, each value encrypted on its own (`key: !vault |`, as
`ansible-vault encrypt_string` writes it). Kayobe reads both alike; a merge request's diff and
`validate --sealed` can compare the second without the password, because the variable names
are in clear. Needs the password, once; the file is rewritten only after every value has
been read back from the new text."""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

from sitectl import vault
from sitectl.errors import SiteError
from sitectl.files import write_atomically

HEADER = (
    "---\n"
    "# Each value encrypted on its own (sitectl vault split; ansible-vault encrypt_string\n"
    "# writes the same): the names are readable, the values are not. Add one with\n"
    "#   ansible-vault encrypt_string --name NAME VALUE\n"
)


def split(path: Path, password: vault.VaultPassword) -> list[str]:
    """Rewrite `path` (encrypted as a whole) with its values encrypted one by one; returns
    the variable names. SiteError for what cannot be split (not a file encrypted as a whole,
    not a mapping of strings, a wrong password)."""
    from ansible.parsing.vault import VaultLib, VaultSecret

    text = _read(path)
    if not text.lstrip().startswith(vault.HEADER):
        raise SiteError(f"{path} is not vault-encrypted as a whole: nothing to split.")
    lib = VaultLib([("default", VaultSecret(password.value.encode()))])
    try:
        plaintext = lib.decrypt(text).decode("utf-8")
    except Exception:
        raise SiteError(
            f"{path} does not decrypt with the vault password ({password.source})."
        ) from None
    data = _variables(path, plaintext)
    blocks = [HEADER]
    for name, value in data.items():
        encrypted = lib.encrypt(value).decode()
        blocks.append(f"{name}: !vault |\n{textwrap.indent(encrypted, ' ' * 10)}\n")
    new_text = "".join(blocks)
    _check(path, new_text, data, password.value)
    write_atomically(path, new_text)
    return list(data)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SiteError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}.") from None


def _variables(path: Path, plaintext: str) -> dict[str, str]:
    try:
        data = yaml.safe_load(plaintext)
    except yaml.YAMLError as e:
        raise SiteError(f"{path}, decrypted, is not YAML: {e}".splitlines()[0]) from None
    if not isinstance(data, dict):
        raise SiteError(f"{path}, decrypted, is not a mapping of variables.")
    others = sorted(str(name) for name, value in data.items() if not isinstance(value, str))
    if others:
        raise SiteError(
            f"{path}: {', '.join(others)} {'is' if len(others) == 1 else 'are'} not a string; "
            "a `!vault` value is a string, so split those by hand (one `!vault` string per "
            "secret leaf, the structure in clear) and run this again on the rest."
        )
    return {str(name): value for name, value in data.items()}


def _check(path: Path, text: str, expected: dict[str, str], password: str) -> None:
    """The new text reads back as the same variables (before anything is written)."""
    found = {item.key: item for item in vault.scan_text(path, text)}
    values = {key: vault.decrypt_value(item.vaulttext, password) for key, item in found.items()}
    if values != expected:
        raise SiteError(
            f"{path}: the split text does not read back as the original; left as it was."
        )
