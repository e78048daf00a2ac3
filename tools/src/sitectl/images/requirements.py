"""The pins in requirements.txt and tools/constraints.txt that images are built with (kolla,
diskimage-builder, ironic-python-agent-builder)."""

from __future__ import annotations

import re

FILES = ("requirements.txt", "tools/constraints.txt")


def pin(text: str, package: str) -> str | None:
    """The version `package==VERSION` pins in `text` (the files' contents, in FILES order)."""
    match = re.search(rf"^{re.escape(package)}==(\S+)", text, re.MULTILINE)
    return match.group(1) if match else None
