"""The vault password, and the plaintext of every vault-encrypted value an environment uses.

The plaintexts are what redact() looks for: anything kayobe prints that contains one of them
is hidden before it is shown or stored. They live in memory only. Every encrypted file is
decrypted, whatever its size: one that is not would be shown and stored in clear. A large one
(LARGE_FILE) gets a note on stderr, as kayobe too is slow to load it.
"""

import functools
import os
import re
import stat
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitectl import redact
from sitectl.environments import discover, layering
from sitectl.errors import SiteError
from sitectl.progress import note
from sitectl.repo import environments_dir, kayobe_config_dir

LOCAL_PASSWORD_FILE = ".vault-password"  # operator-local, git-ignored
EXAMPLE_PASSWORD_FILE = "ci/vault-password.example"
HEADER = "$ANSIBLE_VAULT;"
WHOLE_FILE = "(whole file)"
LARGE_FILE = 8 * 1024 * 1024  # a configuration file this large is worth a note on stderr
_CHUNK = 1024 * 1024  # files are searched for vault text a chunk at a time
_MIB = 1024 * 1024
# `key: !vault |` followed by the indented vault text (fallback for files that are not YAML).
_INLINE = re.compile(r"!vault\s*[|>][-+]?[ \t]*\n((?:[ \t]+\S[^\n]*\n?)+)")


@dataclass(frozen=True)
class VaultPassword:
    value: str
    source: str  # where it came from, for messages: "$KAYOBE_VAULT_PASSWORD", a file...
    file: Path | None = None  # the file it was read from, if it was


@dataclass(frozen=True)
class Encrypted:
    """One vault-encrypted value: the file, its key in that file, the vault text."""

    file: Path
    key: str
    vaulttext: str


@dataclass(frozen=True)
class Unlocked:
    """The password to hand to kayobe (None when nothing is encrypted and none was given) and
    every secret to redact: the decrypted values and the password itself."""

    password: VaultPassword | None
    secrets: frozenset[str]


# --- the password -------------------------------------------------------------------------


def find_password(
    repo: Path, password_file: Path | None = None, env: Mapping[str, str] = os.environ
) -> VaultPassword | None:
    """First found: --vault-password-file, $KAYOBE_VAULT_PASSWORD, $KAYOBE_VAULT_PASSWORD_FILE,
    REPO/.vault-password."""
    if password_file is not None:
        return _read_password(Path(password_file), "--vault-password-file")
    if env.get("KAYOBE_VAULT_PASSWORD"):
        return VaultPassword(env["KAYOBE_VAULT_PASSWORD"], "$KAYOBE_VAULT_PASSWORD")
    if env.get("KAYOBE_VAULT_PASSWORD_FILE"):
        file = Path(env["KAYOBE_VAULT_PASSWORD_FILE"])
        return _read_password(file, "$KAYOBE_VAULT_PASSWORD_FILE")
    local = repo / LOCAL_PASSWORD_FILE
    return _read_password(local, str(local)) if local.exists() else None


def password_file_for_checkouts(repo: Path, password_file: Path | None) -> Path | None:
    """The password file to give kayobe in a checkout of `repo` (a git tree under .cache has no
    local password file of its own): `repo`'s when that is where the password comes from."""
    local = repo / LOCAL_PASSWORD_FILE
    found = find_password(repo, password_file)
    return local if found is not None and found.source == str(local) else password_file


def _read_password(path: Path, source: str) -> VaultPassword:
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as e:
        raise SiteError(f"cannot read the vault password file {path} ({source}): {e}.") from None
    if not value:
        raise SiteError(f"the vault password file {path} ({source}) is empty.")
    said = f"{source} {path}" if source != str(path) else source
    return VaultPassword(value, said, path.absolute())


def missing_password(repo: Path, sealed_option: bool = False) -> SiteError:
    """No vault password: the error, with how to give one in words that fit `repo`."""
    sealed = (
        " Or render without it: --sealed compares secrets by their ciphertext, never "
        "decrypting them."
        if sealed_option
        else ""
    )
    return SiteError(
        "this configuration holds vault-encrypted values and no vault password was given. "
        + password_advice(repo)
        + sealed
    )


def password_advice(repo: Path) -> str:
    """How to give the vault password, in words that fit `repo` (whether it ignores a local
    password file, whether it has the example password)."""
    local = repo / LOCAL_PASSWORD_FILE
    if _ignored_by_git(repo, LOCAL_PASSWORD_FILE):
        where = f", or put it in {local} (git-ignored here, yours only)"
    else:
        where = (
            f". A file {local} would also do, but this repository does not git-ignore it: add "
            f"/{LOCAL_PASSWORD_FILE} to its .gitignore first"
        )
    example = (
        f" The example environments use the documented test password in "
        f"{EXAMPLE_PASSWORD_FILE}: --vault-password-file {EXAMPLE_PASSWORD_FILE}."
        if (repo / EXAMPLE_PASSWORD_FILE).is_file()
        else ""
    )
    return (
        "Give it with --vault-password-file FILE, $KAYOBE_VAULT_PASSWORD or "
        f"$KAYOBE_VAULT_PASSWORD_FILE{where}.{example}"
    )


def _ignored_by_git(repo: Path, relative: str) -> bool:
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), "check-ignore", "-q", "--no-index", relative],
            capture_output=True,
            check=False,
        )
    except OSError:
        return False
    return result.returncode == 0


# --- the encrypted values -----------------------------------------------------------------


def config_roots(repo: Path, environment: str | None) -> list[Path]:
    """The directories kayobe reads for `environment`: the base config, then its layering."""
    order = layering(discover(repo), environment)
    return [kayobe_config_dir(repo)] + [environments_dir(repo) / name for name in order]


def layer_files(roots: Iterable[Path]) -> Iterator[Path]:
    """Every file under `roots` (config_roots()), in order, no directory link followed: the
    base config's own environments/ directory is not descended (environments are roots of
    their own), nor is .git."""
    for root in roots:
        for directory, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(
                d
                for d in dirnames
                if d != ".git" and not (Path(directory) == root and d == "environments")
            )
            yield from (Path(directory, name) for name in sorted(filenames))


def find_encrypted(roots: Iterable[Path]) -> list[Encrypted]:
    """Every inline `!vault` value and whole vault-encrypted file under `roots`
    (layer_files())."""
    found: list[Encrypted] = []
    for path in layer_files(roots):
        found += _scan(path)
    return found


def _scan(path: Path) -> Iterator[Encrypted]:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or not _holds_vault_text(path, info.st_size):
            return
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return
    yield from scan_text(path, text)


def scan_text(path: Path, text: str) -> Iterator[Encrypted]:
    """The vault values of `text`, read as the content of `path` would be."""
    if text.lstrip().startswith(HEADER):
        yield Encrypted(path, WHOLE_FILE, text)
        return
    try:
        documents = list(yaml.load_all(text, Loader=_VaultLoader))
    except (yaml.YAMLError, ValueError):  # not YAML (or e.g. a bad date): find blocks by shape
        for match in _INLINE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield Encrypted(path, f"line {line}", _dedent(match.group(1)))
        return
    for document in documents:
        for key, vaulttext in _vault_leaves(document, ""):
            yield Encrypted(path, key, vaulttext)


def _holds_vault_text(path: Path, size: int) -> bool:
    """Whether a text file (no NUL byte in its first 8 KiB) holds vault text, read a chunk at
    a time (a large file without any is never held whole). A large file is noted on stderr."""
    header = HEADER.encode()
    with path.open("rb") as stream:
        chunk = stream.read(_CHUNK)
        if b"\0" in chunk[:8192]:
            return False
        found = header in chunk
        while not found and chunk:
            tail, chunk = chunk[-len(header) :], stream.read(_CHUNK)
            found = header in tail + chunk
    if size > LARGE_FILE:
        _note_large(path, size, found)
    return found


_noted: set[tuple[Path, int]] = set()


def _note_large(path: Path, size: int, encrypted: bool) -> None:
    """Say once (per file and size) that a configuration file is large: kayobe reads it on
    every run, and sitectl decrypts an encrypted one to learn its secrets."""
    if (path, size) in _noted:
        return
    _noted.add((path, size))
    decrypted = ", vault-encrypted (sitectl decrypts it to learn its secrets)" if encrypted else ""
    note(
        "vault",
        f"{path} is {size / _MIB:.0f} MiB{decrypted}: kayobe reads it on every run; expect "
        "minutes, much memory and large cached dumps and renders",
    )


class _Vaulted(str):
    """A `!vault` scalar as read from YAML (the vault text)."""


# libyaml's loader when there is one: a large file takes seconds, not minutes.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _VaultLoader(_SafeLoader):
    pass


_VaultLoader.add_constructor("!vault", lambda loader, node: _Vaulted(loader.construct_scalar(node)))


def _vault_leaves(obj: Any, key: str) -> Iterator[tuple[str, str]]:
    if isinstance(obj, _Vaulted):
        yield key or "(document)", str(obj)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _vault_leaves(v, f"{key}.{k}" if key else str(k))
    elif isinstance(obj, list):
        for index, item in enumerate(obj):
            yield from _vault_leaves(item, f"{key}[{index}]")


def _dedent(block: str) -> str:
    return "\n".join(line.strip() for line in block.splitlines() if line.strip())


# --- decrypting -----------------------------------------------------------------------------


class VaultDamaged(SiteError):
    """A vault-encrypted value or file whose ciphertext is damaged: the password is not at
    fault."""


def decrypt(encrypted: Iterable[Encrypted], password: VaultPassword) -> set[str]:
    """The plaintexts, and the secrets inside whole encrypted files (see secrets_in_file)."""
    from ansible.errors import AnsibleError

    items = list(encrypted)
    plaintexts: set[str] = set()
    for item in items:
        try:
            plaintext = _decrypt_one(item.vaulttext, password.value)
        except AnsibleError as e:
            raise decryption_error(item, password, e, items) from None
        plaintexts |= {plaintext, plaintext.strip(), *redact.url_passwords(plaintext)}
        if item.key == WHOLE_FILE:
            plaintexts |= secrets_in_file(item.file, plaintext)
    return {s for s in plaintexts if s}


def decryption_error(
    item: Encrypted, password: VaultPassword, error: Exception, others: Iterable[Encrypted] = ()
) -> SiteError:
    """Why `item` does not decrypt, for the operator: damaged vault text (VaultDamaged), a
    password that opens the configuration's other values but not this one, or a wrong
    password. `others`: the configuration's other encrypted values."""
    from ansible.parsing.vault import AnsibleVaultFormatError

    what = "the encrypted file" if item.key == WHOLE_FILE else f"the encrypted value of {item.key}"
    if isinstance(error, AnsibleVaultFormatError):
        return VaultDamaged(
            f"{what} in {item.file} is damaged: its ciphertext is not valid vault text "
            f"({error}); the vault password is not the problem"
        )
    wrong = f"the vault password ({password.source}) does not decrypt {item.file} (key {item.key})"
    opened = next(
        (
            o
            for o in others
            if o.vaulttext != item.vaulttext and _opens(o.vaulttext, password.value)
        ),
        None,
    )
    if opened is not None:
        return SiteError(
            f"{wrong}, though it decrypts other vault-encrypted values of this configuration "
            f"(e.g. {opened.key} in {opened.file}): it was encrypted with another password, "
            f"or its ciphertext is damaged ({error})"
        )
    return SiteError(f"{wrong}: {error}")


def problem(
    item: Encrypted, password: VaultPassword, others: Iterable[Encrypted] = ()
) -> SiteError | None:
    """Why `item` does not decrypt with `password` (decryption_error), or None when it does."""
    from ansible.errors import AnsibleError

    try:
        _decrypt_one(item.vaulttext, password.value)
    except AnsibleError as e:
        return decryption_error(item, password, e, others)
    return None


@functools.lru_cache(maxsize=4096)
def _opens(vaulttext: str, password: str) -> bool:
    """Whether `password` decrypts `vaulttext` (remembered: a wrong password is tried on
    every value)."""
    try:
        _decrypt_one(vaulttext, password)
    except Exception:
        return False
    return True


def decrypt_value(vaulttext: str, password: str) -> str:
    """The plaintext of one vault text (ansible's errors propagate)."""
    return _decrypt_one(vaulttext, password)


@functools.lru_cache(maxsize=4096)
def _decrypt_one(vaulttext: str, password: str) -> str:
    """One value's plaintext (remembered: every cached dump and render unlocks the vault
    first, and the key derivation costs milliseconds a value)."""
    from ansible.parsing.vault import VaultLib, VaultSecret

    vault = VaultLib([("default", VaultSecret(password.encode()))])
    return vault.decrypt(vaulttext).decode("utf-8", errors="replace")


def is_service_document(path: Path) -> bool:
    """Whether a file is a kolla custom config file (under a `kolla/config` directory): a
    service's own document, not Ansible variables."""
    parts = path.parts
    return any(parts[i : i + 2] == ("kolla", "config") for i in range(len(parts) - 1))


def secrets_in_file(path: Path, plaintext: str) -> set[str]:
    """The secrets inside a whole vault-encrypted file, which may turn up apart from the rest
    of it (a value merged into another file, printed by Ansible).

    A variables file (kayobe's, an inventory's, kolla's passwords.yml) is encrypted for its
    values: every value is a secret. A service document under `kolla/config` (a kubeconfig,
    clouds.yaml, an LDAP domain's INI) is mostly structure (`kind: Config`, a user name, a
    server URL): only what redact() would hide in it counts, that is values under a secret's
    name, PEM blocks and key material, and the password of every URL (`transport_url =
    rabbit://nova:PASSWORD@host`, `connection = mysql+pymysql://nova:PASSWORD@host/nova`),
    found by decrypt() in every plaintext."""
    try:
        data = yaml.load(plaintext, Loader=_SafeLoader)
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict | list):
        return set() if not is_service_document(path) else set(_secret_ini_values(plaintext))
    if not is_service_document(path):
        return set(_string_leaves(data))
    return set(_secret_leaves(data, hidden=False, key=""))


def _string_leaves(obj: Any) -> Iterator[str]:
    """Every scalar but booleans and None, as text (a password can be all digits)."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, int | float) and not isinstance(obj, bool):
        yield str(obj)
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _string_leaves(value)
    elif isinstance(obj, list):
        for item in obj:
            yield from _string_leaves(item)


def _secret_leaves(obj: Any, hidden: bool, key: str) -> Iterator[str]:
    """The leaves of a document that redact() would hide."""
    if isinstance(obj, dict):
        for name, value in obj.items():
            name = str(name)
            yield from _secret_leaves(value, hidden or redact.is_secret_key(name), name)
    elif isinstance(obj, list):
        for item in obj:
            yield from _secret_leaves(item, hidden, key)
    elif hidden:
        yield from _string_leaves(obj)
    elif isinstance(obj, str) and (redact.PEM in obj or redact.looks_like_key_material(obj)):
        yield obj


_INI_OPTION = re.compile(r"^\s*(?P<name>[\w.-]+)\s*[=:]\s*(?P<value>\S.*?)\s*$", re.MULTILINE)


def _secret_ini_values(text: str) -> Iterator[str]:
    """The values of secret-named options of an INI-like document."""
    for match in _INI_OPTION.finditer(text):
        if redact.is_secret_key(match["name"]) or redact.looks_like_key_material(match["value"]):
            yield match["value"]


def decrypt_copy(
    encrypted: Iterable[Encrypted], password: VaultPassword, copy: Path, name: str
) -> set[str]:
    """decrypt() of values found in a copy of the configuration (a snapshot, an exported
    commit): errors name the file as `name` + its path in the copy, not the temporary copy."""
    try:
        return decrypt(encrypted, password)
    except SiteError as e:
        message = e.message.replace(f"{copy}/", name)
        raise SiteError(message, e.details, e.exit_code) from None


def unlock(repo: Path, environment: str | None, password_file: Path | None = None) -> Unlocked:
    """Find and decrypt every vault value `environment` uses (the password is required only
    when there is one)."""
    encrypted = find_encrypted(config_roots(repo, environment))
    password = find_password(repo, password_file)
    if password is None:
        if encrypted:
            raise missing_password(repo)
        return Unlocked(None, frozenset())
    return Unlocked(password, frozenset(decrypt(encrypted, password) | {password.value}))


def require_password(
    repo: Path,
    environments: Sequence[str | None],
    password_file: Path | None = None,
    sealed_option: bool = False,
) -> None:
    """missing_password() when no password is given and one of `environments` uses a
    vault-encrypted value (a wrong password is each caller's to report)."""
    if find_password(repo, password_file) is not None:
        return
    if any(find_encrypted(config_roots(repo, env)) for env in environments):
        raise missing_password(repo, sealed_option)


def value(
    repo: Path, environment: str | None, key: str, password_file: Path | None = None
) -> str | None:
    """The plaintext of the vault-encrypted variable `key` as `environment` layers it (the
    last layer that encrypts it wins); None when no layer encrypts it."""
    found = [e for e in find_encrypted(config_roots(repo, environment)) if e.key == key]
    if not found:
        return None
    password = find_password(repo, password_file)
    if password is None:
        raise missing_password(repo)
    decrypt(found[-1:], password)  # a wrong password: one clear error naming the file
    return _decrypt_one(found[-1].vaulttext, password.value).strip()


def secrets(repo: Path, environment: str | None, password_file: Path | None = None) -> set[str]:
    """Every secret plaintext `environment` uses, including the vault password."""
    return set(unlock(repo, environment, password_file).secrets)
