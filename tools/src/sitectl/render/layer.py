"""kayobe's layer of a render, kept between renders whose configurations differ only in the
site's kolla/config files.

Before kolla-ansible runs, a render runs kayobe's own layer: `kayobe configuration dump`
(the hosts' variables) and kayobe's kolla-ansible.yml (kolla's globals.yml, inventory and
passwords.yml in KOLLA_CONFIG_PATH). Neither reads the site's custom service configuration
(kolla/config/): that is kolla-openstack.yml's, which runs after (kayobe_steps.py). So a
change confined to kolla/config, the common case of a one-service merge request, can reuse
the layer of the base's render instead of making it again.

The key hashes everything the render's key does except the files under kolla/config of the
base configuration and of each environment. It keeps them when a configuration file outside
kolla/config looks a file up by the configuration's own path (`lookup(`/`query(` with
`kolla/config` or `config_path` on the same line): such a variable could carry a custom
config file's content into the layer, so the layer is not reused across those changes.

An entry is one tar archive, `<cache root>/.layers/<key>.tar`: the render's `kayobe/`
variables (already redacted), the hosts and the names of kayobe's own kolla passwords, the
KOLLA_CONFIG_PATH tree but config/, the fact cache, and the configuration's passwords.yml as
the layer left it. The kolla tree holds secrets in clear (TLS keys, passwords), so when the
render decrypted the vault the archive is vault-encrypted with the same password; sealed
renders and configurations without secrets have none to hide. Paths of the scratch directory
that made the entry are rewritten to the restoring render's.
"""

import io
import json
import os
import re
import tarfile
import tempfile
import time
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sitectl import kayobe
from sitectl.render.harness import Scratch

if TYPE_CHECKING:
    from ansible.parsing.vault import VaultLib

DIRECTORY = ".layers"
MAX_ENTRIES = 24
FORMAT = "sitectl-kayobe-layer-1"
AREAS = ("kayobe", "kolla", "facts", "passwords", "generated")
# Where kolla/config can be, as path prefixes of the snapshot ("*": any one name).
CONFIG_ROOTS = (("etc", "kayobe"), ("environments", "*"), ("etc", "kayobe", "environments", "*"))
KOLLA_CUSTOM_CONFIG = ("kolla", "config")
_LOOKUP = re.compile(r"\b(lookup|query|q)\s*\(")
_NAMES_THE_CONFIGURATION = re.compile(r"kolla/config|config_path")


@dataclass(frozen=True)
class Made:
    """What the layer gave the render besides its files: `kayobe`: {relative path: text} of
    the render's kayobe/ directory; the hosts; the kolla passwords kayobe sets itself."""

    kayobe: dict[str, str]
    hosts: list[str]
    overridden: list[str]


def is_custom_config(relative: str) -> bool:
    """Whether a snapshot path is a site's kolla custom config file: under kolla/config of
    etc/kayobe, of environments/NAME, or of etc/kayobe/environments/NAME."""
    parts = relative.split("/")
    for prefix in (
        ("etc", "kayobe"),
        ("environments", "*"),
        ("etc", "kayobe", "environments", "*"),
    ):
        n = len(prefix)
        if (
            len(parts) > n + 2
            and all(want in ("*", part) for want, part in zip(prefix, parts, strict=False))
            and tuple(parts[n : n + 2]) == KOLLA_CUSTOM_CONFIG
        ):
            return True
    return False


def reads_custom_config(files: Iterable[tuple[str, Path]]) -> str | None:
    """The first configuration file outside kolla/config that looks a file up by the
    configuration's path (None: none does, the layer may ignore kolla/config)."""
    for relative, path in files:
        if is_custom_config(relative) or path.is_symlink() or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for line in text.splitlines():
            code = line.split("#", 1)[0]
            if _LOOKUP.search(code) and _NAMES_THE_CONFIGURATION.search(code):
                return relative
    return None


class Cache:
    """The layer entries under a render cache root."""

    def __init__(self, root: Path, password: str | None) -> None:
        self.directory = root / DIRECTORY
        self.password = password

    def restore(self, key: str, scratch: Scratch, passwords_file: Path) -> Made | None:
        """Put a cached layer in place in `scratch`; None, with nothing written, when there
        is no usable entry (absent, another format, unreadable)."""
        entry = self.directory / f"{key}.tar"
        try:
            members = self._read(entry)
        except (OSError, ValueError, KeyError, tarfile.TarError):
            return None
        meta = json.loads(members.pop("meta.json"))
        if meta.get("format") != FORMAT:
            return None
        with suppress(OSError):
            os.utime(entry)
        old_root, new_root = meta["scratch"].encode(), str(scratch.root).encode()
        places = {
            "kolla": scratch.kolla,
            "facts": scratch.facts,
            "passwords": passwords_file.parent,
            "generated": scratch.tmp,  # what the password lookup made up (for redaction)
        }
        kayobe: dict[str, str] = {}
        for name, content in members.items():
            area, _, relative = name.partition("/")
            if area == "kayobe":
                kayobe[relative] = content.decode("utf-8")
                continue
            target = places[area] / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.replace(old_root, new_root))
        return Made(kayobe=kayobe, hosts=meta["hosts"], overridden=meta["overridden"])

    def _read(self, entry: Path) -> dict[str, bytes]:
        """Every member of an entry, read and checked before anything is written."""
        from ansible.errors import AnsibleError

        try:
            data = self._open(entry.read_bytes())
        except AnsibleError as e:
            raise ValueError(str(e)) from None
        members: dict[str, bytes] = {}
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            for member in archive.getmembers():
                if not member.isfile():
                    continue
                area = member.name.partition("/")[0]
                if member.name != "meta.json" and area not in AREAS:
                    raise ValueError(f"unexpected member {member.name}")
                if ".." in member.name.split("/") or member.name.startswith("/"):
                    raise ValueError(f"unsafe member {member.name}")
                members[member.name] = _member(archive, member.name)
        if "meta.json" not in members:
            raise KeyError("meta.json")
        return members

    def save(
        self,
        key: str,
        scratch: Scratch,
        passwords_file: Path,
        made: Made,
    ) -> None:
        """Keep the layer `scratch` holds now (after kayobe's layer, before kolla/config)."""
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:") as archive:
            meta = {
                "format": FORMAT,
                "scratch": str(scratch.root),
                "hosts": made.hosts,
                "overridden": made.overridden,
            }
            _add(archive, "meta.json", json.dumps(meta).encode())
            for relative, text in sorted(made.kayobe.items()):
                _add(archive, f"kayobe/{relative}", text.encode("utf-8"))
            for area, root in (("kolla", scratch.kolla), ("facts", scratch.facts)):
                for path in sorted(root.rglob("*")):
                    relative = path.relative_to(root)
                    if relative.parts[:1] == ("config",) and area == "kolla":
                        continue
                    if path.is_file() and not path.is_symlink():
                        _add(archive, f"{area}/{relative.as_posix()}", path.read_bytes())
            if passwords_file.is_file():
                _add(archive, f"passwords/{passwords_file.name}", passwords_file.read_bytes())
            generated = scratch.tmp / kayobe.GENERATED
            if generated.is_file():
                _add(archive, f"generated/{generated.name}", generated.read_bytes())
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=self.directory)
        with os.fdopen(handle, "wb") as stream:
            stream.write(self._seal(buffer.getvalue()))
        os.replace(temporary, self.directory / f"{key}.tar")
        self._evict()

    def _seal(self, data: bytes) -> bytes:
        return data if self.password is None else self._vault().encrypt(data)

    def _open(self, data: bytes) -> bytes:
        return data if self.password is None else self._vault().decrypt(data)

    def _vault(self) -> "VaultLib":
        from ansible.parsing.vault import VaultLib, VaultSecret

        assert self.password is not None
        return VaultLib([("default", VaultSecret(self.password.encode()))])

    def _evict(self) -> None:
        entries = sorted(self.directory.glob("*.tar"), key=_mtime, reverse=True)
        for old in entries[MAX_ENTRIES:]:
            with suppress(OSError):
                old.unlink()
        for stale in self.directory.glob(".tmp-*"):
            if time.time() - _mtime(stale) > 86400:
                with suppress(OSError):
                    stale.unlink()


def _add(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(content))


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    handle = archive.extractfile(name)
    if handle is None:
        raise KeyError(name)
    return handle.read()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
