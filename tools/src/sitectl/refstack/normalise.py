"""Turn list lines into the exact test ids the verifier knows, by idempotent id (UUID).

Rally's --load-list needs exact ids, and real tempest ids can carry more attributes than a
guideline's line (`test_x[id-<uuid>,smoke]`) or a newer name (tests move between classes and
modules; a guideline keeps the old names as aliases). A line is matched by its UUID first, then
by its name (or an alias of it) without attributes. A line that matches nothing is reported,
never dropped silently.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_UUID = re.compile(r"^id-([0-9a-fA-F-]{36})$")


def split(line: str) -> tuple[str, str | None, tuple[str, ...]]:
    """`name[id-uuid,attr...]` -> (name, uuid or None, other attributes)."""
    line = line.strip()
    name, _, rest = line.partition("[")
    attrs = [a.strip() for a in rest.rstrip("]").split(",") if a.strip()] if rest else []
    uuid = None
    others = []
    for attr in attrs:
        match = _UUID.match(attr)
        if match and uuid is None:
            uuid = match.group(1).lower()
        else:
            others.append(attr)
    return name.strip(), uuid, tuple(others)


def read_lines(text: str) -> list[str]:
    """The test lines of a list file (blank lines and # comments left out)."""
    lines = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


@dataclass
class Result:
    tests: list[str] = field(default_factory=list)  # exact ids, input order, no duplicates
    by_line: dict[str, str] = field(default_factory=dict)  # input line -> exact id
    unmatched: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # lines naming an already-listed test


class Index:
    """The verifier's tests, looked up by UUID and by bare name."""

    def __init__(self, test_ids: Iterable[str]) -> None:
        self.by_uuid: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        for test_id in test_ids:
            name, uuid, _ = split(test_id)
            if uuid:
                self.by_uuid.setdefault(uuid, test_id)
            self.by_name.setdefault(name, test_id)

    def lookup(self, line: str, aliases: Mapping[str, Iterable[str]] | None = None) -> str | None:
        name, uuid, _ = split(line)
        if uuid and uuid in self.by_uuid:
            return self.by_uuid[uuid]
        for candidate in (name, *((aliases or {}).get(name, ()))):
            if candidate in self.by_name:
                return self.by_name[candidate]
        return None

    def normalise(
        self, lines: Iterable[str], aliases: Mapping[str, Iterable[str]] | None = None
    ) -> Result:
        result = Result()
        seen: set[str] = set()
        for line in lines:
            test_id = self.lookup(line, aliases)
            if test_id is None:
                result.unmatched.append(line)
                continue
            result.by_line[line] = test_id
            if test_id in seen:
                result.duplicates.append(line)
                continue
            seen.add(test_id)
            result.tests.append(test_id)
        return result
