"""Interop guidelines (schema 2.0): which tempest tests a target must pass.

A guideline maps platforms (e.g. "OpenStack Powered Compute") to components, components to
required capabilities, and capabilities to tests, each with its idempotent id, optional
aliases (older names of the same test) and an optional `flagged` entry (a test the guideline
does not hold against a cloud). The RefStack list is one line per required, unflagged test:
`test.id[id-<uuid>]`.
"""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sitectl.errors import SiteError

FETCH_TIMEOUT = 60
# --target NAME -> the platform's name in the guideline.
TARGETS = {
    "platform": "OpenStack Powered Platform",
    "compute": "OpenStack Powered Compute",
    "object": "OpenStack Powered Storage",
    "storage": "OpenStack Powered Storage",
}


@dataclass(frozen=True)
class Test:
    """One test a capability requires."""

    name: str
    uuid: str  # without the "id-" prefix, lower case
    capability: str
    aliases: tuple[str, ...] = ()

    @property
    def line(self) -> str:
        return f"{self.name}[id-{self.uuid}]"


@dataclass(frozen=True)
class Selection:
    """What a target requires: the tests to run and the flagged ones left out."""

    guideline: str
    target: str
    capabilities: tuple[str, ...]
    tests: tuple[Test, ...]
    flagged: tuple[Test, ...]


def load(path: Path | str) -> dict:
    """A guideline from a file, or from an http(s) URL (a site's CI fetches the current one)."""
    try:
        data = json.loads(_read(path))
    except OSError as e:
        raise SiteError(f"cannot read the guideline {path}: {e.strerror}.") from None
    except json.JSONDecodeError as e:
        raise SiteError(f"{path} is not JSON: {e}.") from None
    schema = str(data.get("metadata", {}).get("schema", "")) if isinstance(data, dict) else ""
    if not schema.startswith("2."):
        raise SiteError(
            f"{path}: interop guideline schema {schema or '(none)'} is not supported; "
            "this reads schema 2.0 (metadata.schema)."
        )
    for key in ("platforms", "components", "capabilities"):
        if not isinstance(data.get(key), dict):
            raise SiteError(f"{path}: no '{key}' mapping; not an interop guideline.")
    return data


def _read(source: Path | str) -> str:
    text = str(source)
    if not text.startswith(("https://", "http://")):
        return Path(source).read_text()
    try:
        with urllib.request.urlopen(text, timeout=FETCH_TIMEOUT) as response:
            return response.read().decode()
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise SiteError(
            f"cannot fetch the guideline {text}: {reason}. Check the URL (the interop "
            "repository's guidelines/*.json) or give a downloaded file."
        ) from None


def uuid_of(idempotent_id: str) -> str:
    value = idempotent_id.strip().lower()
    return value[3:] if value.startswith("id-") else value


def select(data: dict, target: str, component: str | None = None) -> Selection:
    """The required tests of `target` (a key of TARGETS, or a platform's full name), optionally
    only the capabilities of one component (e.g. "identity": capabilities named identity-*)."""
    platform_name = TARGETS.get(target, target)
    platform = data["platforms"].get(platform_name)
    if platform is None:
        known = ", ".join(sorted(TARGETS)) + "; or one of: " + ", ".join(data["platforms"])
        raise SiteError(f"target '{target}' is not in this guideline (known: {known}).")
    capabilities: list[str] = []
    for entry in platform.get("components", []):
        name = entry["name"] if isinstance(entry, dict) else entry
        comp = data["components"].get(name)
        if comp is None:
            raise SiteError(f"platform '{platform_name}' names component '{name}', not defined.")
        for capability in comp.get("capabilities", {}).get("required", []):
            if capability not in capabilities:
                capabilities.append(capability)
    if component:
        capabilities = [c for c in capabilities if c.split("-", 1)[0] == component]
        if not capabilities:
            raise SiteError(
                f"target '{target}' requires no '{component}-*' capability in this guideline."
            )
    tests: list[Test] = []
    flagged: list[Test] = []
    for capability in capabilities:
        entry = data["capabilities"].get(capability)
        if entry is None:
            raise SiteError(f"required capability '{capability}' is not defined.")
        for name, info in entry.get("tests", {}).items():
            if "idempotent_id" not in info:
                raise SiteError(f"test {name} ({capability}) has no idempotent_id.")
            test = Test(
                name=name,
                uuid=uuid_of(info["idempotent_id"]),
                capability=capability,
                aliases=tuple(info.get("aliases", ())),
            )
            (flagged if info.get("flagged") else tests).append(test)
    return Selection(
        guideline=str(data["metadata"].get("id", "")),
        target=platform_name,
        capabilities=tuple(capabilities),
        tests=tuple(tests),
        flagged=tuple(flagged),
    )


def render_list(selection: Selection) -> str:
    """The RefStack list: one `test.id[id-uuid]` per line, in guideline order, no duplicates."""
    lines = dict.fromkeys(test.line for test in selection.tests)
    return "".join(f"{line}\n" for line in lines)
