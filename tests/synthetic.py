"""Small synthetic Kayobe configuration repositories, built by the tests that need one."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

from ansible.parsing.vault import VaultLib, VaultSecret


def make_repo(root: Path) -> Path:
    """An empty configuration repository laid out like this one (etc/kayobe/environments is a
    symlink to ../../environments)."""
    (root / "etc" / "kayobe").mkdir(parents=True)
    (root / "environments").mkdir()
    (root / "etc" / "kayobe" / "environments").symlink_to(Path("..", "..", "environments"))
    return root


def add_env(
    repo: Path,
    name: str,
    dependencies: Sequence[str] | None = None,
    readme: str | None = None,
    files: Mapping[str, str] | None = None,
) -> Path:
    """An environment with an optional .kayobe-environment, README.md and other files."""
    path = repo / "environments" / name
    path.mkdir(parents=True, exist_ok=True)
    if dependencies is not None:
        (path / ".kayobe-environment").write_text(f"dependencies: {list(dependencies)!r}\n")
    if readme is not None:
        (path / "README.md").write_text(readme)
    for relative, content in (files or {}).items():
        (path / relative).parent.mkdir(parents=True, exist_ok=True)
        (path / relative).write_text(content)
    return path


def encrypt(plaintext: str, password: str) -> str:
    """Vault text, as `ansible-vault encrypt` writes it."""
    vault = VaultLib([("default", VaultSecret(password.encode()))])
    return vault.encrypt(plaintext).decode()


def vault_variable(name: str, plaintext: str, password: str) -> str:
    """A YAML line `name: !vault |` with the encrypted value, as encrypt_string writes it."""
    return f"{name}: !vault |\n{textwrap.indent(encrypt(plaintext, password), '  ')}\n"
