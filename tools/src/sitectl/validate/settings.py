"""Every variable a kayobe configuration sets, where (file and line), and for whom.

For kayobe: each layer's variables files (etc/kayobe/*.yml, environments/NAME/*.yml, passed as
extra variables), its inventory's group_vars and host_vars (files and directories) and the
variables of its INI inventory files. For kolla-ansible: the keys of each layer's
kolla/globals.yml, which kayobe appends to the globals it writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitectl.validate.files import (
    INVENTORY_VARS_DIRS,
    KOLLA_GLOBALS,
    Loader,
    inventory_vars_files,
    plaintext,
    vars_files,
)

KAYOBE = "kayobe"
KOLLA_ANSIBLE = "kolla-ansible"


@dataclass(frozen=True)
class Setting:
    name: str
    path: Path
    line: int
    value: Any
    reader: str  # KAYOBE or KOLLA_ANSIBLE: whose variable it is


def settings(roots: list[Path]) -> Iterator[Setting]:
    """Every setting of these layers (vault-encrypted files are secrets: their names are
    read, their values are not looked into)."""
    from sitectl.validate.rules import _inventory

    for root in roots:
        for path in _kayobe_files(root):
            yield from _keys(path, KAYOBE)
        globals_file = root / KOLLA_GLOBALS
        if globals_file.is_file():
            yield from _keys(globals_file, KOLLA_ANSIBLE)
    inside = [root.resolve() for root in roots]
    for parsed in _inventory.parse(roots):
        if any(parsed.path.resolve().is_relative_to(root) for root in inside):
            for name, value, line in parsed.variables:
                yield Setting(name, parsed.path, line, value, KAYOBE)


def _kayobe_files(root: Path) -> Iterator[Path]:
    yield from vars_files(root)
    for kind in INVENTORY_VARS_DIRS:
        yield from inventory_vars_files(root, kind)


def _keys(path: Path, reader: str) -> Iterator[Setting]:
    read = plaintext(path, None)
    if read is None:
        return
    try:
        document = yaml.compose(read[0], Loader=Loader)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return  # yaml-syntax reports it
    if not isinstance(document, yaml.MappingNode):
        return
    for key_node, value_node in document.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        try:
            value = yaml.load(yaml.serialize(value_node), Loader=Loader)
        except (yaml.YAMLError, ValueError, TypeError, RecursionError):
            value = None
        yield Setting(str(key_node.value), path, key_node.start_mark.line + 1, value, reader)
