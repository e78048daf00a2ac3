"""The environment's secrets, decrypted here independently of sitectl (never print them).

Tests grep every rendered file for each of them: a render must contain none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

VAULT_HEADER = "$ANSIBLE_VAULT;"
MIN_LENGTH = 6  # shorter strings (e.g. "admin") occur in files by chance


class _Ciphertext(str):
    pass


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!vault", lambda loader, node: _Ciphertext(loader.construct_scalar(node)))


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def plaintexts(config_dirs: list[Path], password: str) -> set[str]:
    """Every decrypted value (and each line of multi-line ones) under `config_dirs`."""
    vault = VaultLib([("default", VaultSecret(password.encode()))])
    found: set[str] = set()
    for root in config_dirs:
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            text = path.read_text(errors="replace")
            if text.startswith(VAULT_HEADER):
                document = yaml.safe_load(vault.decrypt(text).decode())
                found.update(str(leaf) for leaf in _leaves(document) if leaf is not None)
            elif "!vault" in text:
                data = yaml.load(text, Loader=_Loader)
                for leaf in _leaves(data):
                    if isinstance(leaf, _Ciphertext):
                        found.add(vault.decrypt(str(leaf)).decode())
    found.add(password)
    lines = {line.strip() for secret in found for line in secret.splitlines()}
    # PEM armour lines are not secret; their bodies are.
    lines = {line for line in lines if not line.startswith("-----")}
    return {secret for secret in found | lines if len(secret) >= MIN_LENGTH}


def leaks(directory: Path, secrets: set[str]) -> list[str]:
    """Files under `directory` containing a secret (the file names only, never the secrets)."""
    found = []
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            text = path.read_bytes().decode(errors="replace")
            if any(secret in text for secret in secrets):
                found.append(str(path.relative_to(directory)))
    return found
