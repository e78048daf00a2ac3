"""yaml-syntax: a variables or inventory file kayobe reads is not valid YAML, is not a mapping
of variables, or defines a key twice.

Ansible stops on the first such file with a long traceback; a key defined twice in one mapping
silently loses its first value. Every file of every layer is checked here, with its line.
Vault-encrypted files are checked after decryption when the password is known. kayobe
templates kolla/globals.yml before it reads it: its Jinja must parse, and the YAML is checked
as templating leaves it (its `{% if %}` lines and expressions neutralised, line numbers kept;
a key repeated in the branches of an `{% if %}` is no repetition).

Example of bad input::

    # environments/site/networks.yml
    internal_net_cidr: 10.3.0.0/24
    internal_net_vlan: [103          # unclosed flow sequence
    storage_net_mtu: 9000
    storage_net_mtu: 1500            # defined twice: the first value is lost
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from sitectl import vault
from sitectl.validate.files import KOLLA_GLOBALS, FileContext, Loader, decrypt_text, yaml_files
from sitectl.validate.finding import Finding
from sitectl.validate.stages import FILES
from sitectl.validate.templated import (
    has_jinja,
    neutralised_text,
    template_error,
    varying_lines,
)

ID = "yaml-syntax"
DESCRIPTION = "a file kayobe reads is not valid YAML, not a mapping, or repeats a key"
STAGE = FILES

HINT = "Fix the YAML at that line (yamllint FILE shows the same); kayobe cannot load it as is."
JINJA_HINT = (
    "Fix the template at that line: every {% if %} or {% for %} needs its {% endif %} or "
    "{% endfor %}, every {{ its }}."
)
TEMPLATED = " (as kayobe templates it: Jinja set aside, line numbers kept)"


def check(ctx: FileContext) -> Iterator[Finding]:
    seen: set[Path] = set()
    for path in yaml_files(ctx.roots):
        if path not in seen:
            seen.add(path)
            yield from check_file(ctx, path)


def check_file(ctx: FileContext, path: Path) -> Iterator[Finding]:
    def finding(
        message: str, line: int | None = None, key: str | None = None, hint: str = HINT
    ) -> Finding:
        return Finding(ID, ctx.environment, None, ctx.relative(path), key, message, hint, line)

    try:
        raw = path.read_bytes()
    except OSError as e:
        yield finding(f"cannot be read: {e.strerror or e}")
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        yield finding(f"is not UTF-8 text (byte {e.start})", raw[: e.start].count(b"\n") + 1)
        return
    what = ""
    if text.lstrip().startswith(vault.HEADER):
        plaintext = decrypt_text(text, ctx.password)
        if plaintext is None:
            return  # the vault-password rule reports it
        text, what = plaintext, " (after decryption)"
    varying: set[int] = set()  # lines templating may repeat: not duplicates
    if _templated(ctx, path) and has_jinja(text):
        error = template_error(text)
        if error is not None:
            yield finding(
                f"does not parse as Jinja{what}, and kayobe templates it before reading it: "
                + error[1],
                error[0],
                hint=JINJA_HINT,
            )
            return
        varying = varying_lines(text)
        text, what = neutralised_text(text, raw=True), what + TEMPLATED
    try:
        documents = list(_documents(text))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = " ".join(str(part) for part in (e.context, e.problem) if part)
        yield finding(f"is not valid YAML{what}: {problem}", mark.line + 1 if mark else None)
        return
    except yaml.YAMLError as e:
        yield finding(f"is not valid YAML{what}: {e}")
        return
    except (ValueError, TypeError, RecursionError) as e:  # e.g. an impossible date
        yield finding(f"cannot be read as YAML{what}: {e}")
        return
    if len(documents) > 1:
        yield finding(
            f"holds {len(documents)} YAML documents{what}; a variables file holds one "
            "(remove the extra `---` lines)",
            documents[1][1],
        )
    for data, line, duplicates in documents[:1]:
        if data is not None and not isinstance(data, dict):
            yield finding(
                f"holds a {type(data).__name__}{what}, not a mapping of variables "
                "(`name: value` lines)",
                line,
            )
        for key, first, again in duplicates:
            if first in varying or again in varying:
                continue
            yield finding(
                f"defines {key} twice{what} (lines {first} and {again}); YAML keeps only the "
                "last value",
                again,
                key,
                f"Keep one definition of {key} (kayobe silently ignores the first).",
            )


def _templated(ctx: FileContext, path: Path) -> bool:
    """Whether kayobe templates the file before reading it (a layer's kolla/globals.yml)."""
    return path in {root / KOLLA_GLOBALS for root in ctx.roots}


def _documents(text: str) -> Iterator[tuple[Any, int, list[tuple[str, int, int]]]]:
    """(data, first line, duplicate keys) of each document."""
    loader = Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            duplicates = list(_duplicates(node))
            yield loader.construct_document(node), node.start_mark.line + 1, duplicates
    finally:
        loader.dispose()


def _duplicates(root: yaml.Node) -> Iterator[tuple[str, int, int]]:
    """(key, first line, repeated line) of each key repeated in one mapping, at any depth."""
    stack = [root]
    visited: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in visited:  # anchors and aliases share nodes
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            lines: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    line = key.start_mark.line + 1
                    if key.value in lines:
                        yield key.value, lines[key.value], line
                    else:
                        lines[key.value] = line
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
