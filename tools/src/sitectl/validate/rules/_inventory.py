"""kayobe's INI inventory files parsed with Ansible's own parser, in kayobe's order (shared by
the inventory rules): what failed, where, and which host each line defines."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitectl.validate.files import VARS_EXTENSIONS, inventory_files

# Files Ansible skips in an inventory directory (INVENTORY_IGNORE_EXTS).
IGNORED = (".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".ini")
IGNORED += (".cfg", ".retry")


@dataclass
class ParsedFile:
    path: Path
    error: Exception | None = None  # Ansible's error: it would skip the whole file
    failed_line: int | None = None
    hosts: list[tuple[str, int]] = field(default_factory=list)  # (host, line) as defined
    variables: list[tuple[str, Any, int]] = field(default_factory=list)  # (name, value, line)


def parse(roots: list[Path]) -> list[ParsedFile]:
    """Every INI inventory file of kayobe's default inventory and of these layers, parsed in
    order into one inventory (groups declared by an earlier file count)."""
    from ansible import constants
    from ansible.errors import AnsibleError
    from ansible.inventory.data import InventoryData
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.inventory.ini import InventoryModule

    class Parser(InventoryModule):
        """Ansible's INI parser, remembering the line it failed on (Ansible forgets it), the
        line of each host definition and the variables set."""

        def __init__(self, parsed: ParsedFile) -> None:
            super().__init__()
            self.parsed = parsed

        def _parse(self, lines: list[str]) -> None:
            try:
                super()._parse(lines)
            except Exception:
                self.parsed.failed_line = self._origin.line_num if self._origin else None
                raise

        def _parse_host_definition(self, line: str) -> tuple:
            hostnames, port, variables = super()._parse_host_definition(line)
            number = self._origin.line_num if self._origin else 0
            self.parsed.hosts += [(str(name), number or 0) for name in hostnames]
            self.parsed.variables += [(str(k), v, number or 0) for k, v in variables.items()]
            return hostnames, port, variables

        def _parse_variable_definition(self, line: str) -> tuple:
            name, value = super()._parse_variable_definition(line)
            number = self._origin.line_num if self._origin else 0
            self.parsed.variables.append((str(name), value, number or 0))
            return name, value

    inventory, loader = InventoryData(), DataLoader()
    previous = constants.TRANSFORM_INVALID_GROUP_CHARS
    constants.TRANSFORM_INVALID_GROUP_CHARS = "ignore"  # kayobe's group names have dashes
    found: list[ParsedFile] = []
    try:
        for path in ini_files(roots):
            parsed = ParsedFile(path)
            try:
                Parser(parsed).parse(inventory, loader, str(path.absolute()), cache=False)
            except AnsibleError as e:
                parsed.error = e
            found.append(parsed)
    finally:
        constants.TRANSFORM_INVALID_GROUP_CHARS = previous
    return found


def ini_files(roots: list[Path]) -> Iterator[Path]:
    """kayobe's default inventory's files, then each layer's INI inventory files."""
    from kayobe.utils import get_data_files_path

    default = Path(get_data_files_path("ansible", "inventory"))
    candidates = [p for p in sorted(default.iterdir()) if p.is_file()] if default.is_dir() else []
    for root in roots:
        candidates += inventory_files(root)
    for path in candidates:
        if path.suffix not in VARS_EXTENSIONS and not path.name.endswith(IGNORED):
            yield path
