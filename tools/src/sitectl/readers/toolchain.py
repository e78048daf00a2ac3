"""What the installed toolchain reads, indexed once per toolchain.

kayobe reads the variables of the site's kayobe files (its playbooks, roles, group_vars,
templates, plugins and command line; kolla's image templates read what kayobe hands to
kolla-build; Ansible itself reads its connection, become and interpreter variables,
`ansible_host` and the like); kolla-ansible reads the variables of `kolla/globals.yml` (its
playbooks, roles, group_vars, templates and Python filters). They are two indexes: kayobe
passes none of its own variables to kolla-ansible except through the globals and inventory it
writes, so a kolla-ansible variable set in a kayobe file is read by nobody.

Built from the files of a Python environment's kayobe and kolla-ansible (this one's by
default), cached in sitectl's machine cache by the packages' versions and this package's own
code (a few seconds to build, a few milliseconds to load).
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
import sysconfig
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from sitectl import machine_cache
from sitectl.errors import SiteError
from sitectl.readers.index import Index, Source, build

CACHE_KIND = "read-index"
PACKAGES = ("kayobe", "kolla-ansible", "kolla", "ansible-core")
ABSENT = "not installed"  # versions()' word for a package the environment lacks
# Where ansible-core names the variables it reads itself: its configuration's and plugins'
# `vars:` (ansible_host, ansible_connection, ansible_python_interpreter...).
ANSIBLE_READERS = ("config", "plugins", "vars", "executor")


def _code_digest() -> str:
    """This package's code, read when it is imported: the code that builds the index (a file
    edited later must not label an index the running code built)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


CODE = _code_digest()


@dataclass(frozen=True)
class Toolchain:
    kayobe: Index
    kolla_ansible: Index
    versions: dict[str, str]


def sources(prefix: Path | None = None) -> tuple[list[Source], list[Source], list[Source]]:
    """(kayobe's, kolla-ansible's, ansible-core's) reader trees in the environment at `prefix`
    (this one's)."""
    prefix = Path(prefix or sys.prefix)
    packages = _site_packages(prefix)
    ansible = [Source("ansible-core", packages / "ansible" / part) for part in ANSIBLE_READERS]
    kayobe = [
        Source("kayobe", prefix / "share" / "kayobe" / "ansible"),
        Source("kayobe", packages / "kayobe"),
        # kolla-build's templates read what kayobe hands it (the build's customisations).
        Source("kolla", kolla_templates(prefix)),
    ]
    kolla_ansible = [
        Source("kolla-ansible", prefix / "share" / "kolla-ansible" / "ansible"),
        Source("kolla-ansible", packages / "kolla_ansible"),
    ]
    for source in (kayobe[0], kolla_ansible[0]):
        if not source.root.is_dir():
            raise SiteError(
                f"{source.name}'s playbooks are not in the toolchain ({source.root} is "
                "missing), so sitectl cannot tell which variables it reads: run "
                "`tools/sitectl setup`."
            )
    return kayobe, kolla_ansible, ansible


def kolla_templates(prefix: Path | None = None) -> Path:
    """kolla's image templates (docker/) in the environment at `prefix`: inside the package
    since kolla 23, in share/kolla before it."""
    prefix = Path(prefix or sys.prefix)
    inside = _site_packages(prefix) / "kolla" / "docker"
    return inside if inside.is_dir() else prefix / "share" / "kolla" / "docker"


def _site_packages(prefix: Path) -> Path:
    if prefix == Path(sys.prefix):
        return Path(sysconfig.get_paths()["purelib"])
    found = sorted(prefix.glob("lib/python3*/site-packages"))
    if not found:
        raise SiteError(f"{prefix} holds no Python packages (lib/python3*/site-packages).")
    return found[-1]


def versions(prefix: Path | None = None) -> dict[str, str]:
    """The toolchain's package versions in the environment at `prefix` (this one's)."""
    path = None if prefix is None else [str(_site_packages(Path(prefix)))]
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name) if path is None else _version(name, path)
        except metadata.PackageNotFoundError:
            found[name] = ABSENT
    return found


def _version(name: str, path: list[str]) -> str:
    for distribution in metadata.distributions(path=path):
        if distribution.metadata["Name"].lower() == name:
            return distribution.version
    raise metadata.PackageNotFoundError(name)


@functools.cache
def index(prefix: Path | None = None) -> Toolchain:
    """The toolchain index of the environment at `prefix` (a virtualenv; default this one),
    from the machine cache (built the first time): another release's virtualenv answers which
    variables that release reads."""
    found = versions(prefix)
    where = str(Path(prefix).resolve()) if prefix is not None else sys.prefix
    key = machine_cache.key(CACHE_KIND, json.dumps(found, sort_keys=True), CODE, where)
    entry = machine_cache.entry(CACHE_KIND, key, lambda directory: _make(directory, prefix))
    data = json.loads((entry / "index.json").read_text(encoding="utf-8"))
    return Toolchain(Index.from_json(data["kayobe"]), Index.from_json(data["kolla-ansible"]), found)


def _make(directory: Path, prefix: Path | None) -> None:
    kayobe, kolla_ansible, ansible = sources(prefix)
    core = build(ansible)  # read by both
    data = {
        "kayobe": build(kayobe).merged(core).as_json(),
        "kolla-ansible": build(kolla_ansible).merged(core).as_json(),
    }
    (directory / "index.json").write_text(json.dumps(data), encoding="utf-8")
