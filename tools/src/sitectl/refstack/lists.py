"""Skip and xfail lists: YAML mappings of a test line to the reason, every entry with one.

    # ci/refstack/skip-list.yaml
    tempest.api.identity.v3.test_x.T.test_y[id-<uuid>]: needs two users (public cloud policy)

Entries are normalised like load-list lines (by UUID, then name) and given to Rally as exact
test ids: with a --load-list, Rally removes --skip-list keys from the load list by exact id
(and reports them as skipped with the reason), so a pattern would silently skip nothing.
"""

from dataclasses import dataclass
from pathlib import Path

import yaml

from sitectl.errors import SiteError
from sitectl.refstack.normalise import Index


@dataclass(frozen=True)
class Entry:
    line: str
    reason: str


def load(path: Path) -> list[Entry]:
    """Read a skip/xfail list; every entry must give a reason. A missing file is empty."""
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        raise SiteError(f"{path} is not YAML: {e}") from None
    if data is None:
        return []
    if not isinstance(data, dict):
        raise SiteError(f"{path}: expected a mapping of test -> reason, got {type(data).__name__}.")
    entries = []
    missing = []
    for line, reason in data.items():
        if not isinstance(reason, str) or not reason.strip():
            missing.append(str(line))
            continue
        entries.append(Entry(str(line).strip(), reason.strip()))
    if missing:
        raise SiteError(
            f"{path}: every entry needs a reason (the text after the colon); none for:",
            details=missing,
        )
    return entries


def resolve(entries: list[Entry], index: Index) -> tuple[dict[str, str], list[str]]:
    """(exact test id -> reason, entries that match no test of the verifier)."""
    resolved: dict[str, str] = {}
    unmatched: list[str] = []
    for entry in entries:
        test_id = index.lookup(entry.line)
        if test_id is None:
            unmatched.append(entry.line)
        else:
            resolved[test_id] = entry.reason
    return resolved, unmatched
