"""The layout of a render directory: what `sitectl render` writes and the config diff reads.

  render.json       {"format": FORMAT, "environment" (null: the base configuration), "ref"
                    (or null), "commit" (40 hex digits, or "working-tree"), "input_hash",
                    "services" ("all" or sorted names), "hosts" (sorted: every inventory host
                    kayobe knows), "tools": {"kayobe", "kolla-ansible", "ansible-core"},
                    "vault" ("decrypted", "sealed" or "none"), "generated_secrets" (the kolla
                    passwords the configuration does not set, filled from a shared generated
                    pool), "skipped" (kolla-ansible tags left out, when any), "kayobe_layer"
                    (made, or reused from a render whose inputs differ only in kolla/config),
                    "custom_config" (which kolla/config overrides kayobe's kolla-openstack.yml
                    built: every one, or those the rendered services read),
                    "genconfig" ("one run" or "N parts at once"), "notes" (when there is
                    something every reader must know: another release targeted, lookups that
                    read the machine, why there are no service files)}; keys sorted
  kayobe/<host>.yml the host's resolved kayobe variables (`kayobe configuration dump`), keys
                    sorted
  kolla/globals.yml kolla-ansible's globals as kayobe generated them
  kolla/inventory/overcloud/
                    kolla-ansible's overcloud inventory as kayobe generated it: hosts,
                    host_vars/<host>, group_vars/... when kayobe writes them
  config/<host>/<container>/<file...>
                    what kolla-ansible generates for the host (/etc/kolla/ on the host); only
                    hosts with at least one file have a directory

The writer (sitectl.render), its cache, the reader (sitectl.diff) and the tests' stand-in
renderer all take the names from here, so the contract is declared once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sitectl.errors import SiteError

FORMAT = "sitectl-render-1"
META = "render.json"
KAYOBE = "kayobe"
KOLLA = "kolla"
CONFIG = "config"
TOP_LEVEL = (CONFIG, KAYOBE, KOLLA, META)
GLOBALS = Path(KOLLA, "globals.yml")
INVENTORY_DIR = Path(KOLLA, "inventory")
INVENTORY = INVENTORY_DIR / "overcloud"


def host_variables(root: Path, host: str) -> Path:
    return root / KAYOBE / f"{host}.yml"


def host_variable_files(root: Path) -> list[Path]:
    return sorted((root / KAYOBE).glob("*.yml"))


def host_config(root: Path, host: str) -> Path:
    return root / CONFIG / host


def is_render(root: Path) -> bool:
    return (root / META).is_file()


def write_meta(root: Path, meta: Mapping[str, Any]) -> None:
    """render.json, keys sorted (two renders of the same inputs write the same bytes)."""
    ordered = {key: meta[key] for key in sorted(meta)}
    (root / META).write_text(json.dumps(ordered, indent=2) + "\n", encoding="utf-8")


def read_meta(root: Path) -> dict[str, Any]:
    """render.json of a render directory of this format, or a SiteError saying what is wrong."""
    path = root / META
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SiteError(f"{root} is not a render directory: cannot read {path} ({e}).") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise SiteError(
            f"{path} has format {found!r}, not {FORMAT!r}: it was written by another version "
            "of sitectl render; render again."
        )
    return meta


def complete(root: Path, input_hash: str) -> bool:
    """Whether `root` is a whole render of these inputs (a cache entry that may be used)."""
    try:
        meta = read_meta(root)
    except SiteError:
        return False
    return meta.get("input_hash") == input_hash


def service_switches(globals_file: Path) -> dict[str, bool]:
    """{service: enabled} of the `enable_X` switches a kolla globals.yml sets to a boolean
    ({} when it cannot be read)."""
    import yaml  # (only the callers that read globals pay for it)

    try:
        data = yaml.safe_load(globals_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    switches = {}
    for key, value in data.items() if isinstance(data, dict) else ():
        word = str(value).lower()
        if isinstance(key, str) and key.startswith("enable_") and word in _SWITCH_WORDS:
            switches[key.removeprefix("enable_")] = _SWITCH_WORDS[word]
    return switches


_SWITCH_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
