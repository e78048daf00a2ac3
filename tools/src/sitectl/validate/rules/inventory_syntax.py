"""inventory-syntax: an INI inventory file kayobe reads cannot be parsed by Ansible.

Ansible does not stop on such a file: it warns, skips the whole file, and goes on without
its hosts and groups; kayobe then quietly configures fewer hosts (or none). The files are
parsed here with Ansible's own INI parser, in kayobe's order (kayobe's default inventory,
etc/kayobe/inventory, then each environment's), so groups declared by an earlier file count.

Example of bad input::

    # environments/site/inventory/hosts
    [controllers                  # unclosed section header
    ctl01
    [compute]
    cmp01 ansible_user            # not key=value
"""

from collections.abc import Iterator
from pathlib import Path

from sitectl.validate.files import VARS_EXTENSIONS, FileContext, inventory_files
from sitectl.validate.finding import Finding
from sitectl.validate.stages import FILES

ID = "inventory-syntax"
DESCRIPTION = "an INI inventory file cannot be parsed (Ansible would silently skip it)"
STAGE = FILES

# Files Ansible skips in an inventory directory (INVENTORY_IGNORE_EXTS).
IGNORED = (".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".ini")
IGNORED += (".cfg", ".retry")


def check(ctx: FileContext) -> Iterator[Finding]:
    from ansible import constants
    from ansible.errors import AnsibleError
    from ansible.inventory.data import InventoryData
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.inventory.ini import InventoryModule

    class Parser(InventoryModule):
        """Ansible's INI parser, remembering the line it failed on (Ansible forgets it)."""

        failed_line: int | None = None

        def _parse(self, lines: list[str]) -> None:
            try:
                super()._parse(lines)
            except Exception:
                self.failed_line = self._origin.line_num if self._origin else None
                raise

    inventory, loader = InventoryData(), DataLoader()
    previous = constants.TRANSFORM_INVALID_GROUP_CHARS
    constants.TRANSFORM_INVALID_GROUP_CHARS = "ignore"  # kayobe's group names have dashes
    try:
        for path in ini_files(ctx.roots):
            parser = Parser()
            try:
                parser.parse(inventory, loader, str(path.absolute()), cache=False)
            except AnsibleError as e:
                yield _finding(ctx, path, e, parser.failed_line)
    finally:
        constants.TRANSFORM_INVALID_GROUP_CHARS = previous


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


def _finding(ctx: FileContext, path: Path, error: Exception, line: int | None) -> Finding:
    cause = error.__cause__ or error
    text = ""
    if isinstance(line, int) and line > 0:
        try:
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()[line - 1]
        except (OSError, IndexError):
            text = ""
    problem = str(getattr(cause, "message", None) or cause).strip() or type(cause).__name__
    if text.strip().startswith("[") and not text.strip().endswith("]"):
        problem = f"unclosed section header {text.strip()!r}"
    elif text.strip():
        problem = f"{problem} (in {text.strip()!r})"
    return Finding(
        rule=ID,
        environment=ctx.environment,
        host=None,
        file=ctx.relative(path),
        key=None,
        message=(
            f"Ansible cannot parse this inventory file: {problem}; it would skip the whole file "
            "with a warning, and its hosts and groups would silently be missing"
        ),
        hint="Fix the line: `[group]`, `[group:children]` or `[group:vars]` headers, then one "
        "host (with key=value variables), group or key=value per line.",
        line=line if isinstance(line, int) and line > 0 else None,
    )
