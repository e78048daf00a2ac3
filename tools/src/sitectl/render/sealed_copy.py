"""A sealed copy of the working tree's configuration, for verbs that read kayobe's resolved
variables without the vault password (`show --sealed`): every vault-encrypted value is its
stand-in (sealed.py), so kayobe loads the configuration without decrypting anything."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sitectl import scratch, vault
from sitectl.render import passwords, sealed, snapshot


@contextmanager
def sealed_configuration(repo: Path, env: str | None) -> Iterator[Path]:
    """The working tree of `repo`, copied into a private scratch directory and sealed;
    removed when the block ends. SiteError for what cannot be sealed (a variables file
    encrypted as a whole)."""
    with scratch.directory("sealed-") as work:
        copy = snapshot.materialise(repo, snapshot.resolve(repo, None), work / "repo")
        roots = vault.config_roots(copy, env)
        encrypted = vault.find_encrypted(roots)
        sealed.seal(encrypted, copy, roots, passwords.passwords_file(copy, env), {})
        yield copy
