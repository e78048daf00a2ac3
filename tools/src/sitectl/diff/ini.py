"""INI files (most kolla service configs) compared per section and key.

The parser is tolerant of what oslo.config and MySQL files hold (repeated keys = a multi-valued
option, indented continuation lines, bare keys) and strict about anything else: a line it does
not understand means "not INI", and the caller falls back to a line diff.
"""

import re
from dataclasses import dataclass

INI_SUFFIXES = (".conf", ".ini", ".cnf")
NO_SECTION = ""  # keys before the first [section]

_SECTION = re.compile(r"^\[([^\]\n]+)\]\s*$")
_KEY_VALUE = re.compile(r"^([^=\s][^=]*?)\s*=\s?(.*)$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_.-]+$")

Sections = dict[str, dict[str, tuple[str, ...]]]


@dataclass(frozen=True)
class KeyChange:
    section: str
    key: str
    kind: str  # added, removed, changed
    old: str | None  # the value(s), one per line when repeated
    new: str | None


def is_ini_name(path: str) -> bool:
    return path.endswith(INI_SUFFIXES)


def parse(text: str) -> Sections | None:
    """{section: {key: (value, ...)}} or None when the text is not INI (no section at all, or
    a line that is neither a section, a key, a continuation nor a comment)."""
    sections: Sections = {}
    current: dict[str, list[str]] | None = None
    collected: dict[str, dict[str, list[str]]] = {}
    last_key: str | None = None
    seen_section = False
    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if line[0] in " \t" and current is not None and last_key is not None:
            current[last_key][-1] += "\n" + stripped  # continuation of the previous value
            continue
        match = _SECTION.match(stripped)
        if match:
            seen_section = True
            current = collected.setdefault(match.group(1).strip(), {})
            last_key = None
            continue
        if current is None:
            current = collected.setdefault(NO_SECTION, {})
        match = _KEY_VALUE.match(stripped)
        if match:
            key, value = match.group(1).strip(), match.group(2).strip()
        elif _BARE_KEY.match(stripped):
            key, value = stripped, ""
        else:
            return None
        current.setdefault(key, []).append(value)
        last_key = key
    if not seen_section:
        return None
    for name, keys in collected.items():
        sections[name] = {key: tuple(values) for key, values in keys.items()}
    return sections


def compare(base: Sections, head: Sections) -> list[KeyChange]:
    """Key changes, sections in head's order (removed sections last), keys likewise."""
    changes: list[KeyChange] = []
    names = list(head) + [name for name in base if name not in head]
    for name in names:
        old_keys, new_keys = base.get(name, {}), head.get(name, {})
        for key in list(new_keys) + [k for k in old_keys if k not in new_keys]:
            old, new = old_keys.get(key), new_keys.get(key)
            if old == new:
                continue
            kind = "added" if old is None else "removed" if new is None else "changed"
            changes.append(
                KeyChange(
                    section=name,
                    key=key,
                    kind=kind,
                    old=None if old is None else "\n".join(old),
                    new=None if new is None else "\n".join(new),
                )
            )
    return changes
