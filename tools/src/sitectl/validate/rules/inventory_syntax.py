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

from sitectl.validate.files import FileContext
from sitectl.validate.finding import Finding
from sitectl.validate.rules import _inventory
from sitectl.validate.stages import FILES

ID = "inventory-syntax"
DESCRIPTION = "an INI inventory file cannot be parsed (Ansible would silently skip it)"
STAGE = FILES


def check(ctx: FileContext) -> Iterator[Finding]:
    for parsed in _inventory.parse(ctx.roots):
        if parsed.error is not None:
            yield _finding(ctx, parsed.path, parsed.error, parsed.failed_line)


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
