"""kayobe-load: kayobe itself cannot load the environment's configuration.

The site rules read what `kayobe configuration dump` resolves. When kayobe fails (an inventory
it cannot parse, a Jinja expression that does not render, an undefined variable...) nothing
else can be checked; the finding carries what kayobe said, secrets redacted, and the command
that reproduces it.

Example of bad input::

    # environments/site/networks.yml
    internal_net_mtu: "{{ undefined_variable + 1 }}"

    # environments/site/inventory/hosts
    [controllers
    ctl01
"""

import os
import re
from pathlib import Path

from sitectl.errors import SiteError
from sitectl.validate.files import relative
from sitectl.validate.finding import Finding
from sitectl.validate.stages import LOAD

ID = "kayobe-load"
DESCRIPTION = "kayobe cannot load the environment (inventory, Jinja or variable errors)"
STAGE = LOAD

HINT = (
    "Fix what kayobe reports above (the file and line are in its message), then rerun; the "
    "command shown reproduces it by hand."
)


def finding(repo: Path, environment: str, error: SiteError) -> Finding:
    """The finding for a failed kayobe run: its message, and the first repository file and line
    the message names."""
    text = "\n".join([error.message, *error.details])
    file, line = _first_file(repo, text)
    message = error.message + "".join(f"\n{line}" for line in error.details if line.strip())
    return Finding(ID, environment, None, file, None, message, HINT, line)


def _first_file(repo: Path, text: str) -> tuple[str | None, int | None]:
    root = re.escape(str(repo).rstrip("/"))
    for match in re.finditer(rf"{root}/(?!\.cache/|\.venv/)([^\s:'\",()]+)(?::(\d+))?", text):
        path = Path(os.path.realpath(repo / match[1]))
        if path.is_file():
            return relative(Path(os.path.realpath(repo)), path), int(match[2]) if match[2] else None
    return None, None
