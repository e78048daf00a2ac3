"""Which option namespaces make which config file, from the services' own oslo-config-generator
files in their sdists (`output_file` nova.conf.sample -> nova.conf, with its `namespace` lines).
Policy files are not oslo.config INI files and are left out."""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path

from sitectl.files import write_atomically

GENERATOR_NAME = re.compile(r"(config-generator|tools/config/).*\.(conf|ini)$")

# Config files of services that ship no generator file (networking-mlnx): their namespaces,
# which the checker lists from the modules that register the options (checker.UNPUBLISHED).
UNPUBLISHED = {
    "mlnx_agent.ini": ["networking_mlnx.agent", "oslo.log"],
    "eswitchd.conf": ["networking_mlnx.eswitchd", "oslo.log"],
}


# Plugins whose options are read from another service's file (their own generator files list
# none): the namespaces added to that file's.
PLUGINS = {"nova.conf": ["blazarnova"], "magnum.conf": ["capi_helm"]}


def generator_map(sdists: Path) -> dict[str, list[str]]:
    """{config file name: namespaces}, from the oslo-config-generator files of the sdists
    (read once, then kept beside them: the sdists of a pin set never change)."""
    kept = sdists.parent / "generator-map.json"
    if kept.exists():
        found = json.loads(kept.read_text(encoding="utf-8"))
    else:
        found = _read(sdists)
        write_atomically(kept, json.dumps(found, indent=1, sort_keys=True))
    merged = {**UNPUBLISHED, **found}
    for name, namespaces in PLUGINS.items():
        if name in merged:
            merged[name] = merged[name] + [n for n in namespaces if n not in merged[name]]
    return merged


def _read(sdists: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for archive in sorted(sdists.glob("*.tar.gz")):
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if not member.isfile() or member.size > 50_000:
                    continue
                if not GENERATOR_NAME.search(member.name):
                    continue
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                output, namespaces = _generator(handle.read().decode("utf-8", "replace"))
                if output and namespaces:
                    found.setdefault(output, namespaces)
    return found


def _generator(text: str) -> tuple[str | None, list[str]]:
    output, namespaces = None, []
    for line in text.splitlines():
        name, _, value = (part.strip() for part in line.partition("="))
        if name == "output_file" and value.endswith(".sample"):
            output = Path(value).name.removesuffix(".sample")
        elif name == "namespace" and value:
            namespaces.append(value)
    if output is None or "policy" in output:
        return None, []
    return output, namespaces
