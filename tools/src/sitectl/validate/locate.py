"""Which file defines a key: the definition that wins in kayobe's layering.

kayobe passes every layer's variables files as extra variables (etc/kayobe first, then each
environment in layering order, files sorted by name: the last definition wins) over the
inventories (host_vars over inline host variables over group_vars, group_vars/all last; a
later layer's inventory over an earlier one's). This follows that order by searching files for
a top-level `key:` line; it does not evaluate anything, so a key set through Jinja elsewhere
is found where it is written. Per-host entries of a mapping (`NAME_ips: {host: address}`) are
located on the host's own line when it has one.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sitectl.validate.files import (
    inventory_files,
    inventory_vars_files,
    relative,
    vars_files,
)

_SECTION = re.compile(r"^\s*\[([^\]]+)\]")


@dataclass(frozen=True)
class Location:
    file: str  # relative to the repository
    line: int


class Locator:
    def __init__(self, repo: Path, roots: Iterable[Path]) -> None:
        self.repo = repo
        self.roots = list(roots)

    def locate(
        self, key: str, host: str | None = None, groups: Iterable[str] = ()
    ) -> Location | None:
        """Where `key` is defined for `host` (in its `groups`), or site-wide for host None.

        Ansible's precedence, highest first: extra variables (kayobe's *.yml), host_vars,
        inventory-file host variables, group_vars of groups, group_vars/all, inventory-file
        group variables; within each, a later layer wins."""
        wanted = sorted(set(groups) - {"all"}) if host is not None else None
        layers = list(reversed(self.roots))
        searches: list[Callable[[Path], Location | None]] = [
            lambda root: self._first_yaml(reversed(vars_files(root)), key, host),
        ]
        if host is not None:
            searches += [
                lambda root: self._first_yaml(
                    reversed(inventory_vars_files(root, "host_vars", host)), key, host
                ),
                lambda root: self._first_ini(root, key, host, groups=None),
            ]
        searches += [
            lambda root: self._first_yaml(self._group_vars(root, wanted), key, host),
            lambda root: (
                self._first_yaml(inventory_vars_files(root, "group_vars", "all"), key, host)
                if wanted is not None
                else None
            ),
            lambda root: self._first_ini(root, key, None, sorted(groups) if host else None),
        ]
        for search in searches:
            for root in layers:
                if (found := search(root)) is not None:
                    return found
        return None

    def _first_yaml(self, paths: Iterable[Path], key: str, host: str | None) -> Location | None:
        for path in paths:
            if (found := self._in_yaml(path, key, host)) is not None:
                return found
        return None

    def _first_ini(
        self, root: Path, key: str, host: str | None, groups: list[str] | None
    ) -> Location | None:
        for path in inventory_files(root):
            if (found := self._in_ini(path, key, host, groups)) is not None:
                return found
        return None

    def family(self, prefix: str) -> Location | None:
        """Where variables named PREFIX* are defined (the last layer's first one): where to add
        a missing NAME_cidr is where network NAME's other attributes are."""
        pattern = re.compile(rf"^[\"']?{re.escape(prefix)}\w*[\"']?\s*:")
        for root in reversed(self.roots):
            for path in reversed(vars_files(root)):
                for number, line in enumerate(_lines(path), start=1):
                    if pattern.match(line):
                        return Location(relative(self.repo, path), number)
        return None

    def host_entry(self, host: str, section: str | None = None) -> Location | None:
        """The inventory line that lists `host` (the last layer's), if any: the one in
        [`section`] when there is one (where a group membership is written)."""
        first: Location | None = None
        for root in reversed(self.roots):
            for path in inventory_files(root):
                current = None
                for number, line in enumerate(_lines(path), start=1):
                    if header := _SECTION.match(line):
                        current = header[1]
                        continue
                    words = line.split()
                    if (
                        words
                        and words[0] == host
                        and not (current or "").endswith((":vars", ":children"))
                    ):
                        found = Location(relative(self.repo, path), number)
                        if section is None or current == section:
                            return found
                        first = first or found
        return first

    def _group_vars(self, root: Path, wanted: list[str] | None) -> list[Path]:
        """group_vars files of the `wanted` groups, or of every group (None)."""
        if wanted is None:
            return inventory_vars_files(root, "group_vars")
        return [p for g in wanted for p in inventory_vars_files(root, "group_vars", g)]

    def _in_yaml(self, path: Path, key: str, host: str | None) -> Location | None:
        lines = _lines(path)
        indent = r"\s*" if path.suffix == ".json" else ""
        pattern = re.compile(rf"^{indent}[\"']?{re.escape(key)}[\"']?\s*:")
        for number, line in enumerate(lines, start=1):
            if pattern.match(line):
                entry = _entry_line(lines, number, host) if host else None
                return Location(relative(self.repo, path), entry or number)
        return None

    def _in_ini(
        self, path: Path, key: str, host: str | None, groups: list[str] | None
    ) -> Location | None:
        """`host KEY=...` (host given), or KEY= in a [GROUP:vars] section (host None; any
        group when `groups` is None)."""
        if path.suffix:  # YAML inventories: not searched
            return None
        setting = re.compile(rf"(^|\s){re.escape(key)}\s*=")
        section = None
        for number, line in enumerate(_lines(path), start=1):
            if header := _SECTION.match(line):
                section = header[1]
                continue
            words = line.split()
            if not words or words[0].startswith(("#", ";")):
                continue
            in_vars = bool(section and section.endswith(":vars"))
            if host is None and in_vars and section is not None:
                group = section[: -len(":vars")]
                if (groups is None or group in groups) and setting.match(line.strip()):
                    return Location(relative(self.repo, path), number)
            elif host is not None and not in_vars and words[0] == host and setting.search(line):
                return Location(relative(self.repo, path), number)
        return None


def _entry_line(lines: list[str], key_line: int, entry: str) -> int | None:
    """The line of `entry:` in the block mapping that starts after line `key_line`."""
    pattern = re.compile(rf"^\s+[\"']?{re.escape(entry)}[\"']?\s*:")
    for number in range(key_line + 1, len(lines) + 1):
        line = lines[number - 1]
        if line.strip() and not line[0].isspace() and not line.startswith("#"):
            return None  # the next top-level key
        if pattern.match(line):
            return number
    return None


@lru_cache(maxsize=512)
def _read(path: Path, mtime_ns: int, size: int) -> tuple[str, ...]:
    try:
        return tuple(path.read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return ()


def _lines(path: Path) -> list[str]:
    try:
        stat = path.stat()
    except OSError:
        return []
    return list(_read(path, stat.st_mtime_ns, stat.st_size))
