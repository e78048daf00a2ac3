"""Files kayobe templates before anything parses them (kolla/globals.yml, kolla/config
overrides), read as what they become: their Jinja neutralised line for line, so that a parser
sees text of the right shape and its errors keep the site file's own line numbers.

- an expression (`{{ ... }}`) reads as a placeholder value;
- a line of only statements (`{% if %}`, `{% endfor %}`), comments (`{# #}`) or expressions
  is left out (kayobe's trim_blocks and lstrip_blocks drop the former; the latter may expand
  to anything);
- a `{% raw %}` block either reads as what templating makes of it, its text as written
  (`raw=True`: the file is templated once, as a Grafana dashboard is), or like the rest
  (`raw=False`: what it protects is templated later, as kolla-ansible does with an INI
  override).

Both branches of an `{% if %}` are kept, so what they hold may repeat: `varying_lines` says
which lines templating may drop, repeat or change.
"""

import re
from collections.abc import Iterator, Sequence
from typing import Any

import jinja2

# The Jinja Ansible templates with (its tags: Ansible adds filters and tests, no syntax).
JINJA = jinja2.Environment(extensions=["jinja2.ext.loopcontrols", "jinja2.ext.do"])
PLACEHOLDER = "X"  # what an expression reads as, unless the caller says otherwise
EXPRESSION, STATEMENT = "\x00", "\x01"  # markers in the neutralised text
_TAGS = r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}"
_JINJA = re.compile(_TAGS, re.DOTALL)
_RAW_OR_JINJA = re.compile(
    r"(?P<open>\{%[-+]?\s*raw\s*[-+]?%\})(?P<body>.*?)(?P<close>\{%[-+]?\s*endraw\s*[-+]?%\})|"
    + _TAGS,
    re.DOTALL,
)
_BLOCK_TAG = re.compile(r"\{%[-+]?\s*(\w+)")
_OPENERS = frozenset({"if", "for", "macro", "call", "filter", "with", "block"})


def has_jinja(text: str) -> bool:
    return any(marker in text for marker in ("{{", "{%", "{#"))


def neutralise(
    text: str, raw: bool = False, expression: str = PLACEHOLDER
) -> list[tuple[int, str]]:
    """(line number, text) of the lines a parser should see, Jinja neutralised (see the module):
    an expression reads as `expression`, marker-only lines are left out."""
    kept = []
    for number, line in enumerate(_marked(text, raw).split("\n"), start=1):
        if (EXPRESSION in line or STATEMENT in line) and not _unmarked(line, "").strip():
            continue
        kept.append((number, _unmarked(line, expression)))
    return kept


def neutralised_text(text: str, raw: bool = False, expression: str = PLACEHOLDER) -> str:
    """The neutralised text as one text, a blank line for each line left out: a parser's line
    numbers are the site file's."""
    lines: list[str] = []
    for number, line in neutralise(text, raw, expression):
        lines += [""] * (number - 1 - len(lines))
        lines.append(line)
    return "\n".join(lines) + "\n"


def varying_lines(text: str) -> set[int]:
    """Lines templating may drop, repeat or change: inside an `{% if %}`, `{% for %}`... block
    (its tags' lines included), or holding an expression."""
    varying = {
        number
        for number, line in enumerate(_marked(text, raw=False).split("\n"), start=1)
        if EXPRESSION in line
    }
    depth, start, line, last = 0, 0, 1, 0
    for match in _BLOCK_TAG.finditer(text):
        line, last = line + text.count("\n", last, match.start()), match.start()
        if match[1] in _OPENERS:
            start = line if depth == 0 else start
            depth += 1
        elif match[1].startswith("end") and depth:
            depth -= 1
            if depth == 0:
                varying.update(range(start, line + 1))
    if depth:  # unclosed: the rest of the file (template_error reports it)
        varying.update(range(start, text.count("\n") + 2))
    return varying


def template_error(text: str) -> tuple[int | None, str] | None:
    """(line, message) of the first Jinja syntax error in `text`; None when it parses."""
    try:
        JINJA.parse(text)
    except jinja2.TemplateSyntaxError as e:
        return e.lineno, str(e.message)
    except Exception as e:  # anything else the parser chokes on
        return None, f"{type(e).__name__}: {e}"
    return None


def _marked(text: str, raw: bool) -> str:
    """`text` with each Jinja tag replaced by its marker, once per line it spans (raw: a
    `{% raw %}` block's body kept as written, between two statement markers)."""

    def mark(match: re.Match[str]) -> str:
        if raw and match["body"] is not None:
            return _marker(match["open"], STATEMENT) + match["body"] + _marker(match["close"])
        return _marker(match[0], EXPRESSION if match[0].startswith("{{") else STATEMENT)

    return (_RAW_OR_JINJA if raw else _JINJA).sub(mark, text)


def _marker(tag: str, marker: str = STATEMENT) -> str:
    return marker + ("\n" + marker) * tag.count("\n")


def _unmarked(line: str, expression: str) -> str:
    return line.replace(EXPRESSION, expression).replace(STATEMENT, "")


def strings_with(
    value: Any, markers: Sequence[str], skip: type | tuple[type, ...] = (), depth: int = 0
) -> Iterator[str]:
    """The strings of a (YAML) value, at any depth, holding one of `markers`; values of the
    `skip` types (e.g. `!unsafe` ones, which Ansible never templates) left out."""
    if depth > 20 or isinstance(value, skip):
        return
    if isinstance(value, str):
        if any(marker in value for marker in markers):
            yield str(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_with(item, markers, skip, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from strings_with(item, markers, skip, depth + 1)
