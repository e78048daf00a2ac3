"""A sealed copy of the working tree's configuration, for verbs that read kayobe's resolved
variables without the vault password (`show --sealed`, `validate --sealed`): every
vault-encrypted value is its stand-in (sealed.py), so kayobe loads the configuration without
decrypting anything; what kayobe says of the copy is said of the repository."""

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sitectl import scratch, vault
from sitectl.errors import SiteError
from sitectl.render import passwords, sealed, snapshot


@contextmanager
def configuration_at(repo: Path, ref: str) -> Iterator[Path]:
    """The repository's configuration at `ref` (a commit, or anything git resolves), copied
    into a private scratch directory as a render would read it; removed when the block ends."""
    with scratch.directory("config-") as work:
        yield snapshot.materialise(repo, snapshot.resolve(repo, ref), work / "repo")


def write_configuration(repo: Path, commit: str, destination: Path) -> Path:
    """The repository at `commit` as a render reads it, written into `destination` (which
    must not exist) through a sibling staging directory, so that it is whole or absent."""
    staging = destination.with_name(f".tmp-{destination.name}")
    shutil.rmtree(staging, ignore_errors=True)
    snapshot.materialise(repo, snapshot.resolve(repo, commit), staging)
    staging.rename(destination)
    return destination


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


def dump_sealed(repo: Path, env: str | None, dump: Callable[[Path], Any]) -> Any:
    """`dump(copy)` on a sealed copy, with every mention of the copy's directory (in the data,
    keys included, and in an error) made the repository's: the copy is gone once this
    returns, and what reads the data (validate's rules) must read the operator's files."""
    with sealed_configuration(repo, env) as copy:
        moved = _mover(copy, repo)
        try:
            return _moved_data(dump(copy), moved)
        except SiteError as e:
            raise SiteError(moved(e.message), [moved(d) for d in e.details], e.exit_code) from None


def _mover(copy: Path, repo: Path) -> Callable[[str], str]:
    """A function that makes every mention of the copy's directory the repository's."""
    names = sorted({str(copy.resolve()), str(copy)}, key=len, reverse=True)

    def moved(text: str) -> str:
        for name in names:
            text = text.replace(name, str(repo))
        return text

    return moved


def _moved_data(data: Any, moved: Callable[[str], str]) -> Any:
    """JSON-like data with `moved` applied to every string, keys included."""
    if isinstance(data, str):
        return moved(data)
    if isinstance(data, dict):
        return {_moved_data(k, moved): _moved_data(v, moved) for k, v in data.items()}
    if isinstance(data, list):
        return [_moved_data(item, moved) for item in data]
    return data
