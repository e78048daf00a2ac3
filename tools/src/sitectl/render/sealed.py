"""Rendering without the vault password ("sealed"): every vault-encrypted value becomes a
stand-in named after its ciphertext, so two renders compare secrets by ciphertext identity.

A merge-request pipeline usually cannot decrypt: the vault password is a protected variable
and MR branches are not protected. A sealed render still renders everything; in place of each
secret it carries `sealed-<digest of the vault text>`. The same ciphertext on both sides of a
diff gives the same stand-in (the secret shows as unchanged); a re-encrypted or rotated secret
gives another (it shows as changed). Nothing is ever decrypted.

What is replaced, in the snapshot only:
  - an inline `!vault |` value (ansible-vault encrypt_string): by the quoted stand-in;
  - kolla's passwords.yml encrypted as a whole: by every key of kolla-ansible's list, each
    with a stand-in made from the file's vault text and the key (the site's own extra keys,
    if any, cannot be seen);
  - any other file encrypted as a whole that kayobe copies rather than reads as variables
    (kolla config overrides, certificates): by one stand-in line.
A variables file encrypted as a whole cannot be sealed (its variable names are inside the
encryption): that is an error naming the file and the two ways out.
"""

import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sitectl.errors import SiteError
from sitectl.vault import HEADER, WHOLE_FILE, Encrypted

PREFIX = "sealed-"
# `!vault |` and its indented vault text, as ansible-vault encrypt_string writes it.
_INLINE = re.compile(r"!vault\s*[|>][-+]?[ \t]*\n((?:[ \t]+\S[^\n]*(?:\n|$))+)")
_SPACE = re.compile(r"\s+")
_VARS_SUFFIXES = (".yml", ".yaml", ".json")


def standin(vaulttext: str, key: str = "") -> str:
    """The stand-in of one encrypted value (of `key` inside it, for whole files)."""
    digest = hashlib.sha256(f"{key}\0{_SPACE.sub('', vaulttext)}".encode()).hexdigest()
    return f"{PREFIX}{digest[:24]}"


def seal(
    encrypted: Iterable[Encrypted],
    snapshot: Path,
    roots: Iterable[Path],
    passwords_path: Path,
    kolla_keys: Mapping[str, Any],
) -> set[str]:
    """Replace every encrypted value under `roots` (in `snapshot`) by its stand-in;
    returns the stand-ins (to redact like secrets). `kolla_keys`: kolla-ansible's passwords
    (their shape: which are SSH key pairs), for a passwords.yml encrypted as a whole."""
    roots = list(roots)
    files: dict[Path, list[Encrypted]] = {}
    for item in encrypted:
        files.setdefault(item.file, []).append(item)
    standins: set[str] = set()
    for path, items in sorted(files.items()):
        whole = next((item for item in items if item.key == WHOLE_FILE), None)
        if whole is None:
            standins |= _seal_inline(path, path.relative_to(snapshot))
        elif path == passwords_path:
            standins |= _seal_passwords(path, whole.vaulttext, kolla_keys)
        elif _is_variables_file(path, roots):
            raise SiteError(
                f"{path.relative_to(snapshot)} is vault-encrypted as a whole, so its variable "
                "names cannot be seen without the vault password: give the password "
                "($KAYOBE_VAULT_PASSWORD), or encrypt its values one by one, which a sealed "
                "render can compare; once, with the password: tools/sitectl vault split "
                f"{path.relative_to(snapshot)}"
            )
        else:
            path.write_text(standin(whole.vaulttext) + "\n", encoding="utf-8")
            standins.add(standin(whole.vaulttext))
    return standins


def _seal_inline(path: Path, name: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    found: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        value = standin(match.group(1))
        found.add(value)
        return f'"{value}"\n'

    sealed = _INLINE.sub(replace, text)
    if HEADER in sealed:
        raise SiteError(
            f"{name}: a vault-encrypted value is written in a form a sealed render does "
            "not recognise (only `key: !vault |` blocks, as `ansible-vault encrypt_string` "
            "writes them, are); give the vault password instead."
        )
    path.write_text(sealed, encoding="utf-8")
    return found


def _seal_passwords(path: Path, vaulttext: str, kolla_keys: Mapping[str, Any]) -> set[str]:
    import yaml

    values = {key: _leaves(value, vaulttext, key) for key, value in kolla_keys.items()}
    path.write_text(yaml.safe_dump(values, sort_keys=True, width=1_000_000), encoding="utf-8")
    return {s for value in values.values() for s in _flatten(value)}


def _leaves(shape: Any, vaulttext: str, key: str) -> Any:
    """A stand-in value of the same shape as kolla's (a dict for SSH key pairs)."""
    if isinstance(shape, dict):
        return {k: standin(vaulttext, f"{key}.{k}") for k in shape}
    return standin(vaulttext, key)


def _flatten(value: Any) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]


def _is_variables_file(path: Path, roots: list[Path]) -> bool:
    """A file kayobe loads as variables: a root's top-level *.yml, or under inventory/."""
    for root in sorted(roots, key=lambda r: -len(r.parts)):  # environments before the base
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            continue
        if len(parts) == 1:
            return path.suffix in _VARS_SUFFIXES
        return parts[0] == "inventory"
    return False
