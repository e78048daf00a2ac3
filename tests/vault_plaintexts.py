"""Every vault-encrypted value of the repository, decrypted independently of sitectl.

Tests use these plaintexts to prove that nothing sitectl prints or stores
contains one. Never print them.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

VAULT_HEADER = "$ANSIBLE_VAULT;"


class _VaultLoader(yaml.SafeLoader):
    """A YAML loader that keeps `!vault` scalars as their ciphertext."""


_VaultLoader.add_constructor(
    "!vault", lambda loader, node: _Ciphertext(loader.construct_scalar(node))
)


class _Ciphertext(str):
    pass


def _ciphertexts(value: object) -> list[str]:
    if isinstance(value, _Ciphertext):
        return [str(value)]
    if isinstance(value, dict):
        return [c for v in value.values() for c in _ciphertexts(v)]
    if isinstance(value, list):
        return [c for v in value for c in _ciphertexts(v)]
    return []


# In a service's own document (a kubeconfig, clouds.yaml), the values under these names are
# its secrets; the rest (`kind: Config`, user and cluster names, URLs) is structure.
_DOCUMENT_SECRET_NAMES = ("password", "secret", "token", "key-data", "certificate-data")


def _document_secrets(value: object, name: str = "") -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _document_secrets(v, str(k))]
    if isinstance(value, list):
        return [s for v in value for s in _document_secrets(v, name)]
    hidden = any(word in name.lower() for word in _DOCUMENT_SECRET_NAMES)
    return [str(value)] if hidden and value is not None else []


def _leaf_strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _leaf_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _leaf_strings(v)]
    return [str(value)] if value is not None else []


def vault_plaintexts(repo: Path, password: str) -> set[str]:
    """Decrypted secrets (each at least 6 characters) of every config file."""
    vault = VaultLib([("default", VaultSecret(password.encode()))])
    found: set[str] = set()
    for path in sorted((repo / "environments").rglob("*")) + sorted((repo / "etc").rglob("*.yml")):
        if not path.is_file() or path.suffix not in (".yml", ".yaml", "") or ".git" in path.parts:
            continue
        text = path.read_text()
        if text.startswith(VAULT_HEADER):
            plaintext = vault.decrypt(text).decode()
            document = yaml.safe_load(plaintext)
            found.add(plaintext.strip())
            if "/kolla/config/" in path.as_posix():
                found.update(_document_secrets(document))
            else:
                found.update(_leaf_strings(document))
        elif "!vault" in text:
            for ciphertext in _ciphertexts(yaml.load(text, Loader=_VaultLoader)):
                found.add(vault.decrypt(ciphertext).decode())
    return {secret for secret in found if len(secret) >= 6}
