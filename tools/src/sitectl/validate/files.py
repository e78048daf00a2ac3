"""The files kayobe reads for an environment, read before kayobe runs: the environments and
their dependencies, the vault password, and which files are variables and inventory.

kayobe reads, for each layer (etc/kayobe, then each environment in layering order):
  - LAYER/*.yml, *.yaml, *.json: extra variables (a later file, and a later layer, wins);
  - LAYER/inventory/: INI host and group files, group_vars/ and host_vars/ (files without an
    extension or with .yml, .yaml or .json, directly or in a directory per group or host);
  - LAYER/kolla/globals.yml: extra kolla-ansible globals, templated by kayobe before it reads
    them as YAML (sitectl.validate.templated).
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sitectl import vault
from sitectl.environments import (
    BASE_LABEL,
    DOT_FILE,
    Environment,
    label,
    layering,
    read_dependencies,
)
from sitectl.errors import SiteError
from sitectl.repo import environments_dir, kayobe_config_dir

VARS_EXTENSIONS = (".yml", ".yaml", ".json")
INVENTORY_VARS_DIRS = ("group_vars", "host_vars")
KOLLA_GLOBALS = Path("kolla", "globals.yml")


@dataclass(frozen=True)
class FileContext:
    """What the file rules check, gathered once without running kayobe."""

    repo: Path
    environment: str  # its name, or "the base configuration" (sitectl.environments.label)
    environments: dict[str, Environment]  # those whose .kayobe-environment could be read
    dot_file_errors: dict[str, str] = field(default_factory=dict)  # environment -> problem
    layering: tuple[str, ...] | None = None  # None: the dependencies cannot be ordered
    layering_error: str | None = None
    password: vault.VaultPassword | None = None
    password_error: str | None = None

    @property
    def roots(self) -> list[Path]:
        """The directories kayobe reads: etc/kayobe, then the layering (or only the environment
        itself when the layering is broken)."""
        layers = self.layering if self.layering is not None else (self.environment,)
        return [kayobe_config_dir(self.repo)] + [environments_dir(self.repo) / n for n in layers]

    def relative(self, path: Path) -> str:
        return relative(self.repo, path)


def relative(repo: Path, path: Path) -> str:
    """`path` relative to the repository (as given when it lies outside)."""
    try:
        return str(Path(path).relative_to(repo))
    except ValueError:
        return str(path)


def environment_names(repo: Path) -> list[str]:
    """Every environment directory, sorted (as sitectl.environments.discover finds them)."""
    root = environments_dir(repo)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def layer_dir(environment: str) -> str:
    """Where an environment's own files are, for hints (its label: see FileContext)."""
    return "etc/kayobe" if environment == BASE_LABEL else f"environments/{environment}"


def load(repo: Path, environment: str | None, password_file: Path | None = None) -> FileContext:
    """Read the environments, the layering of `environment` (None: the base configuration
    alone) and the vault password.

    Problems are recorded, not raised: the file rules report them. Only an unknown
    `environment` raises SiteError (a usage error).
    """
    names = environment_names(repo)
    if environment is not None and environment not in names:
        known = ", ".join(names) or "none"
        raise SiteError(
            f"unknown environment {environment!r}; the known environments are: {known}."
        )
    root = environments_dir(repo)
    environments: dict[str, Environment] = {}
    errors: dict[str, str] = {}
    for name in names:
        try:
            dependencies = read_dependencies(root / name / DOT_FILE)
        except SiteError as e:
            errors[name] = e.message
            dependencies = ()
        environments[name] = Environment(name, root / name, dependencies, "")
    order: tuple[str, ...] | None = None
    layering_error = None
    try:
        order = tuple(layering(environments, environment))
    except SiteError as e:
        layering_error = e.message
    password = None
    password_error = None
    try:
        password = vault.find_password(repo, password_file)
    except SiteError as e:
        password_error = e.message
    return FileContext(
        repo=repo,
        environment=label(environment),
        environments=environments,
        dot_file_errors=errors,
        layering=order,
        layering_error=layering_error,
        password=password,
        password_error=password_error,
    )


def _readable_files(directory: Path) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir() if p.is_file())
    except OSError:
        return []


def vars_files(root: Path) -> list[Path]:
    """The extra-variables files of a layer, in kayobe's order (sorted by name)."""
    return [p for p in _readable_files(root) if p.suffix in VARS_EXTENSIONS]


def inventory_files(root: Path) -> list[Path]:
    """The host and group files directly in a layer's inventory (INI, or YAML by extension)."""
    return [p for p in _readable_files(root / "inventory") if not p.name.startswith(".")]


def inventory_vars_files(root: Path, kind: str, name: str | None = None) -> list[Path]:
    """group_vars or host_vars files of a layer's inventory: of `name` only, or of all."""
    base = root / "inventory" / kind
    if not base.is_dir():
        return []
    entries = [base / name] if name is not None else sorted(base.iterdir())
    found: list[Path] = []
    for entry in entries:
        if entry.is_file() and _is_vars_file(entry):
            found.append(entry)
        elif entry.is_dir():
            for directory, dirnames, filenames in os.walk(entry):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                found += [
                    Path(directory, f)
                    for f in sorted(filenames)
                    if _is_vars_file(Path(directory, f))
                ]
    return found


def _is_vars_file(path: Path) -> bool:
    return not path.name.startswith(".") and (path.suffix in VARS_EXTENSIONS or not path.suffix)


def yaml_files(roots: list[Path]) -> Iterator[Path]:
    """Every YAML (or JSON) file kayobe reads as variables or YAML inventory for these layers."""
    for root in roots:
        yield from vars_files(root)
        yield from (p for p in inventory_files(root) if p.suffix in VARS_EXTENSIONS)
        for kind in INVENTORY_VARS_DIRS:
            yield from inventory_vars_files(root, kind)
        globals_file = root / KOLLA_GLOBALS
        if globals_file.is_file():
            yield globals_file


# --- reading files as kayobe does ---------------------------------------------------------


class Loader(yaml.SafeLoader):
    """YAML as Ansible reads it: with its `!vault` and `!unsafe` tags (their text)."""


Loader.add_constructor("!vault", lambda loader, node: loader.construct_scalar(node))
Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def decrypt_text(text: str, password: vault.VaultPassword | None) -> str | None:
    """The plaintext of a whole vault-encrypted file's text; None without a password or when
    it does not decrypt (the vault-password rule reports that)."""
    if password is None:
        return None
    from ansible.parsing.vault import VaultLib, VaultSecret

    try:
        lib = VaultLib([("default", VaultSecret(password.value.encode()))])
        return lib.decrypt(text).decode("utf-8", errors="replace")
    except Exception:  # wrong password, malformed vault text: vault-password reports it
        return None


def plaintext(path: Path, password: vault.VaultPassword | None) -> tuple[str, bool] | None:
    """(text, whether it was decrypted) of a file, whole vault-encrypted files decrypted;
    None when it cannot be read or decrypted."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if not text.lstrip().startswith(vault.HEADER):
        return text, False
    decrypted = decrypt_text(text, password)
    return (decrypted, True) if decrypted is not None else None


def site_value(ctx: FileContext, key: str) -> Any:
    """A top-level variable as the layers' variables files set it (the last definition wins;
    None when none does, or a file cannot be read: yaml-syntax reports those)."""
    for root in reversed(ctx.roots):
        for path in reversed(vars_files(root)):
            read = plaintext(path, ctx.password)
            try:
                data = yaml.load(read[0], Loader=Loader) if read else None
            except (yaml.YAMLError, ValueError, TypeError, RecursionError):
                continue
            if isinstance(data, dict) and key in data:
                return data[key]
    return None
