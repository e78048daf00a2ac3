"""What one file of Ansible code reads: the names it mentions, and the families of names it
builds at run time.

A reader mentions a variable by name (`{{ nova_console }}`, `when: x | bool`,
`hostvars[host]['x']`, `net_attr(context, name, 'cidr')` in a plugin): every identifier of the
file counts, comments included, so nothing a reader could name is missed. A reader builds a
name at run time when it looks a variable up by an expression (`lookup('vars', 'kolla_enable_'
~ flag)`, `hostvars[inventory_hostname]['x_' ~ y ~ '_z']`, `vars[item]`, `"%s_%s" % (net,
attr)` in Python). Where the expression's moving part is a loop over a literal list (written in
the template, or a list variable the toolchain defines), the names are resolved; otherwise the
family (`kolla_enable_*`) is recorded as read, with where and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Jinja: where an expression names a variable (the expression follows the match).
_LOOKUP = re.compile(
    r"""(?:lookup|query|q)\(\s*['"]vars['"]\s*,\s*"""
    r"""|(?<![\w.])vars\s*\["""
    r"""|hostvars\s*\[[^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*\]\s*\["""
)
# An operand of a `~`/`+` chain: a quoted literal, or anything else up to the next operator.
_STRING = re.compile(r"""\s*(['"])([^'"]*)\1\s*""")
_OPERATOR = re.compile(r"\s*[~+]\s*")
_FOR = re.compile(r"\{%-?\s*for\s+([A-Za-z_]\w*)\s+in\s+([A-Za-z_]\w*)\s*-?%\}")
_SET_CHAIN = re.compile(r"\{%-?\s*set\s+([A-Za-z_]\w*)\s*=\s*")
OPERAND = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
LOOP_ITEM = re.compile(r"^item(\.|$)")
_SET_LIST = re.compile(r"\{%-?\s*set\s+([A-Za-z_]\w*)\s*=\s*\[([^\]]*)\]\s*-?%\}", re.S)
# Python: a name joined to a literal part ("%s_cidr" % net, net + '_cidr', f"{x}_qos_map").
_PY_PERCENT = re.compile(r"""(['"])([A-Za-z0-9_]*%s[A-Za-z0-9_%]*)\1\s*%""")
_PY_PLUS = re.compile(
    r"""[A-Za-z_][\w.\]\[)(]*\s*\+\s*(['"])([A-Za-z0-9_]+)\1"""
    r"""|(['"])([A-Za-z0-9_]+)\3\s*\+\s*[A-Za-z_(]"""
)
_PY_FSTRING = re.compile(r"""\bf(['"])([A-Za-z0-9_{}]*\{[^}]+\}[A-Za-z0-9_{}]*)\1""")


@dataclass(frozen=True)
class Family:
    """Names a reader builds at run time: `prefix` + anything + `suffix`."""

    prefix: str
    suffix: str
    where: str  # file:line
    why: str  # the expression, as written

    def matches(self, name: str) -> bool:
        return (
            len(name) > len(self.prefix) + len(self.suffix)
            and name.startswith(self.prefix)
            and name.endswith(self.suffix)
        )

    @property
    def pattern(self) -> str:
        return f"{self.prefix}*{self.suffix}"


@dataclass(frozen=True)
class Built:
    """What a dynamic expression reads: names resolved from literal loops, else a family."""

    names: tuple[str, ...] = ()
    family: Family | None = None


def identifiers(text: str) -> set[str]:
    return set(IDENTIFIER.findall(text))


def literal_lists(text: str) -> dict[str, tuple[str, ...]]:
    """`{% set NAME = ['a', 'b'] %}` lists of strings in a template."""
    found = {}
    for match in _SET_LIST.finditer(text):
        items = re.findall(r"""(['"])([^'"]*)\1""", match[2])
        found[match[1]] = tuple(item for _, item in items)
    return found


def jinja_built(
    text: str, where: str, lists: Mapping[str, Sequence[str]], items: bool = True
) -> Iterator[Built]:
    """Every name lookup by expression in Jinja text (a template, or YAML holding Jinja).
    `items` False leaves out lookups by a task's loop item (`vars[item]`): the caller resolves
    those with the task's loop (see loop_items)."""
    loops = {var: source for var, source in _FOR.findall(text)}
    local = {**lists, **literal_lists(text)}
    chains = _set_chains(text)
    for match in _LOOKUP.finditer(text):
        operands = _operands(text, match.end())
        if all(kind == "literal" for kind, _ in operands):
            continue  # a plain name: its identifiers are read already
        if len(operands) == 1 and operands[0][1] in chains:  # {% set x = 'a_' ~ y %}...vars[x]
            operands = chains[operands[0][1]]
        if not items and any(LOOP_ITEM.match(value) for kind, value in operands if kind == "name"):
            continue
        line = text.count("\n", 0, match.start()) + 1
        written = text[match.start() : match.end() + 80].split("\n")[0]
        yield _resolve(operands, loops, local, f"{where}:{line}", written)


def _set_chains(text: str) -> dict[str, list[tuple[str, str]]]:
    """`{% set NAME = 'a_' ~ x ~ '_b' %}`: NAME -> the chain's operands."""
    found = {}
    for match in _SET_CHAIN.finditer(text):
        operands = _operands(text, match.end())
        if len(operands) > 1 and any(kind == "literal" for kind, _ in operands):
            found[match[1]] = operands
    return found


def loop_items(loop: object) -> tuple[str, ...] | None:
    """The names a task's literal loop (`with_items:` or `loop:` list) holds: its strings, and
    the string values of its mappings; None when the loop is not literal."""
    if not isinstance(loop, list):
        return None
    names: list[str] = []
    for item in loop:
        values = item.values() if isinstance(item, dict) else [item]
        names += [v for v in values if isinstance(v, str) and NAME.match(v)]
    return tuple(names)


def _operands(text: str, start: int) -> list[tuple[str, str]]:
    """The `~`/`+` chain at `start`: [("literal", text) | ("name", variable or "")]."""
    operands: list[tuple[str, str]] = []
    position = start
    while True:
        string = _STRING.match(text, position)
        if string:
            operands.append(("literal", string[2]))
            position = string.end()
        else:
            end = _operand_end(text, position)
            name = text[position:end].strip()
            operands.append(("name", name if OPERAND.match(name) else ""))
            position = end
        operator = _OPERATOR.match(text, position)
        if not operator:
            return operands
        position = operator.end()


def _operand_end(text: str, position: int) -> int:
    """Where a non-literal operand ends: at `~`, `+`, or a closing bracket or comma at its own
    depth."""
    depth = 0
    for index in range(position, min(len(text), position + 200)):
        char = text[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return index
            depth -= 1
        elif depth == 0 and char in "~+,\n":
            return index
    return min(len(text), position + 200)


def _resolve(
    operands: list[tuple[str, str]],
    loops: Mapping[str, str],
    lists: Mapping[str, Sequence[str]],
    where: str,
    written: str,
) -> Built:
    moving = ["item" if LOOP_ITEM.match(v) else v for kind, v in operands if kind == "name"]
    if len(moving) == 1 and moving[0] in loops and loops[moving[0]] in lists:
        names = []
        for item in lists[loops[moving[0]]]:
            names.append("".join(value if kind == "literal" else item for kind, value in operands))
        return Built(names=tuple(n for n in names if NAME.match(n)))
    if len(operands) == 1 and moving[0] in lists:  # `vars[item]` over a list of names
        return Built(names=tuple(n for n in lists[moving[0]] if NAME.match(n)))
    prefix = "".join(value for _, value in _leading_literals(operands))
    suffix = "".join(value for _, value in reversed(_leading_literals(operands[::-1])))
    return Built(family=Family(prefix, suffix, where, written.strip()))


def _leading_literals(operands: list[tuple[str, str]]) -> list[tuple[str, str]]:
    taken = []
    for operand in operands:
        if operand[0] != "literal":
            break
        taken.append(operand)
    return taken


def python_families(text: str, where: str) -> Iterator[Family]:
    """Names a Python plugin builds: `"%s_cidr" % net`, `net + '_cidr'`, f"{net}_cidr"."""
    for line_number, line in enumerate(text.splitlines(), 1):
        at = f"{where}:{line_number}"
        for match in _PY_PERCENT.finditer(line):
            parts = match[2].split("%s")
            yield Family(parts[0], parts[-1], at, line.strip())
        for match in _PY_PLUS.finditer(line):
            if match[2]:
                yield Family("", match[2], at, line.strip())
            else:
                yield Family(match[4], "", at, line.strip())
        for match in _PY_FSTRING.finditer(line):
            parts = re.split(r"\{[^}]+\}", match[2])
            yield Family(parts[0], parts[-1], at, line.strip())
