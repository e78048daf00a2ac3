"""vault-password: the vault password is missing, unreadable, or does not decrypt a
vault-encrypted value of the environment.

kayobe would stop at the first encrypted value it cannot decrypt, with an Ansible traceback.
Each file that does not decrypt is named here; a missing password says where to put one.

Example of bad input::

    # environments/site/secrets.yml, encrypted with another password than the one given
    $ANSIBLE_VAULT;1.1;AES256
    6162636465...

    # or no password at all (no --vault-password-file, $KAYOBE_VAULT_PASSWORD,
    # $KAYOBE_VAULT_PASSWORD_FILE or .vault-password) while secrets.yml is encrypted
"""

import re
from collections.abc import Iterator
from pathlib import Path

from sitectl import vault
from sitectl.validate.files import FileContext
from sitectl.validate.finding import Finding
from sitectl.validate.stages import FILES

ID = "vault-password"
DESCRIPTION = "the vault password is missing or wrong for the environment's encrypted values"
STAGE = FILES


def check(ctx: FileContext) -> Iterator[Finding]:
    if ctx.password_error is not None:
        advice = vault.password_advice(ctx.repo)
        yield Finding(ID, ctx.environment, None, None, None, ctx.password_error, advice)
        return
    encrypted = vault.find_encrypted(ctx.roots)
    if not encrypted:
        return
    if ctx.password is None:
        first = encrypted[0]
        yield Finding(
            rule=ID,
            environment=ctx.environment,
            host=None,
            file=ctx.relative(first.file),
            key=None if first.key == vault.WHOLE_FILE else first.key,
            message=(
                f"{len(encrypted)} vault-encrypted value(s) (the first in "
                f"{ctx.relative(first.file)}) and no vault password was given"
            ),
            hint=vault.password_advice(ctx.repo),
        )
        return
    failed: dict[Path, tuple[vault.Encrypted, str, str]] = {}
    for item in encrypted:
        if item.file in failed:
            continue
        hint = WRONG_PASSWORD
        try:
            error = vault.problem(item, ctx.password, encrypted)
        except Exception as e:  # malformed vault text can fail in other ways
            error = vault.VaultDamaged(f"{item.file} cannot be decrypted: {e}")
        if error is None:
            continue
        if isinstance(error, vault.VaultDamaged):
            hint = damaged_hint(item)
        failed[item.file] = (item, error.message.replace(f"{ctx.repo}/", ""), hint)
    for path, (item, message, hint) in failed.items():
        key = None if item.key == vault.WHOLE_FILE else item.key
        yield Finding(
            rule=ID,
            environment=ctx.environment,
            host=None,
            file=ctx.relative(path),
            key=key,
            message=message,
            hint=hint,
            line=_line_of_key(path, key),
        )


WRONG_PASSWORD = (
    "Use the password this environment was encrypted with. If the file is meant for another "
    "password, re-encrypt it: ansible-vault rekey FILE (whole files) or ansible-vault "
    "encrypt_string (values)."
)


def damaged_hint(item: vault.Encrypted) -> str:
    """What to do about damaged vault text: restore it, or encrypt the secret again."""
    again = (
        "ansible-vault encrypt FILE"
        if item.key == vault.WHOLE_FILE
        else f"ansible-vault encrypt_string --name {item.key.split('.')[0]} (and paste it back)"
    )
    return (
        "The password is fine; this ciphertext was altered (a bad merge, an edit, a paste that "
        f"lost characters). Restore it from git (git log -p FILE), or encrypt it again: {again}."
    )


def _line_of_key(path: Path, key: str | None) -> int | None:
    if key is None:
        return None
    top = key.split(".")[0].split("[")[0]
    if top.startswith("line "):
        return int(top.split()[1]) if top.split()[1].isdigit() else None
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    pattern = re.compile(rf"^[\"']?{re.escape(top)}[\"']?\s*:")
    for number, line in enumerate(lines, start=1):
        if pattern.match(line):
            return number
    return None
