"""ini-syntax: an INI override under kolla/config (nova.conf, nova/nova-compute.conf,
galera.cnf, *.ini...) does not parse as the INI kolla-ansible reads.

kayobe concatenates each override's layers (etc/kayobe, then the environments) and templates
them; kolla-ansible templates the result again and merges it over its own file with
oslo.config's INI parser. A syntax error surfaces only there, minutes into a deploy or render,
as "at line 153" of the concatenated file. Each of the site's files is parsed here with the
same parser, its Jinja neutralised line for line (an expression reads as a value, a `{% %}`
line as a blank one, `{% raw %}` blocks as what kolla-ansible templates later), so the line
is the site file's own. Which files are INI follows kayobe's kolla-openstack rules (its
defaults, and the site's kolla_openstack_custom_config_rules_extra); vault-encrypted files
are decrypted first, and their lines are never shown.

Example of bad input::

    # environments/site/kolla/config/nova.conf
    [DEFAULT
    cpu_allocation_ratio = 4.0
      ram_allocation_ratio = 1.0      # an indented line continues a value: none here
    [filter_scheduler]
    enabled_filters                   # no `=`
"""

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sitectl import values
from sitectl.validate.files import FileContext, plaintext, site_value
from sitectl.validate.finding import Finding
from sitectl.validate.stages import FILES

ID = "ini-syntax"
DESCRIPTION = "a kolla/config INI override does not parse (kolla-ansible fails on it mid-deploy)"
STAGE = FILES

MAX_REPORTED = 5  # per file
INI_STRATEGIES = ("merge_configs", "concat")
EXTRA_RULES = "kolla_openstack_custom_config_rules_extra"
_INI_DEFAULT = "ini_merge_strategy_default"  # kayobe's INI rules name their strategy by it
# Jinja: comments and statements become blanks, expressions a placeholder (newlines kept).
_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_EXPRESSION, _STATEMENT = "\x00", "\x01"


def check(ctx: FileContext) -> Iterator[Finding]:
    rules = _rules(site_value(ctx, EXTRA_RULES))
    for root in ctx.roots:
        base = root / "kolla" / "config"
        for path in sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []:
            if not is_ini(path.relative_to(base).as_posix(), rules):
                continue
            read = plaintext(path, ctx.password)
            if read is None:
                continue  # unreadable or not decryptable: vault-password reports it
            text, decrypted = read
            errors = ini_errors(neutralise(text))
            for line, problem, content in errors[:MAX_REPORTED]:
                shown = (
                    " (the file is vault-encrypted: its text is not shown)"
                    if decrypted
                    else (f": {content.strip()!r}")
                )
                more = f"; {len(errors) - MAX_REPORTED} more" if len(errors) > MAX_REPORTED else ""
                yield Finding(
                    ID,
                    ctx.environment,
                    None,
                    ctx.relative(path),
                    None,
                    f"{path.name} is not valid INI at line {line}: {problem}{shown}{more}; "
                    "kolla-ansible would fail on it when it merges the service's configuration",
                    HINTS.get(problem, HINT),
                    line,
                )


HINT = "Fix the line: `[section]` headers, then one `option = value` per line."
HINTS = {
    "Invalid section (must end with ])": "Close the section header: `[section]`.",
    "Unexpected continuation line": "Remove the indentation: an indented line continues the "
    "previous option's value, and there is none here.",
    "No ':' or '=' found in assignment": "Write the option as `option = value`.",
}


def neutralise(text: str) -> list[tuple[int, str]]:
    """(line number, text) of the lines the INI parser should see, Jinja neutralised: an
    expression reads as a value; a line of only `{% %}` statements, `{# #}` comments or
    expressions is left out (kayobe's trim_blocks and lstrip_blocks drop the former; the
    latter may expand to anything); `{% raw %}` content (kolla-ansible templates it) is read
    like the rest."""

    def blank(match: re.Match[str]) -> str:
        """The marker on each line the match spans."""
        marker = _EXPRESSION if match[0].startswith("{{") else _STATEMENT
        return marker + ("\n" + marker) * match[0].count("\n")

    kept = []
    for number, line in enumerate(_JINJA.sub(blank, text).split("\n"), start=1):
        if (_EXPRESSION in line or _STATEMENT in line) and not line.replace(
            _EXPRESSION, ""
        ).replace(_STATEMENT, "").strip():
            continue
        kept.append((number, line.replace(_EXPRESSION, "X").replace(_STATEMENT, "")))
    return kept


def ini_errors(lines: list[tuple[int, str]]) -> list[tuple[int, str, str]]:
    """(line number, problem, line's text) of each error oslo.config's INI parser finds in
    numbered lines (it stops at the first; this one goes on)."""
    from oslo_config import iniparser

    errors: list[tuple[int, str, str]] = []

    class Parser(iniparser.BaseParser):
        def assignment(self, key: str, value: list[str]) -> None:
            pass

        def new_section(self, section: str) -> None:
            pass

        def _error(self, message: str, line: str) -> None:
            errors.append((lines[self.lineno - 1][0], message, line))

        def error_invalid_assignment(self, line: str) -> Any:
            self._error("No ':' or '=' found in assignment", line)
            return line, [""]

        def error_empty_key(self, line: str) -> Any:
            self._error("Key cannot be empty", line)

        def error_unexpected_continuation(self, line: str) -> Any:
            self._error("Unexpected continuation line", line)

        def error_no_section_end_bracket(self, line: str) -> Any:
            self._error("Invalid section (must end with ])", line)
            return line[1:]

        def error_no_section_name(self, line: str) -> Any:
            self._error("Empty section name", line)
            return ""

    Parser().parse(line for _, line in lines)
    return errors


def is_ini(relative: str, rules: tuple[tuple[str, bool], ...]) -> bool:
    """Whether kayobe treats kolla/config/`relative` as INI: the first rule whose glob
    matches it (rules: (glob, INI?) in kayobe's order) says."""
    from wcmatch import glob

    for pattern, ini in rules:
        if glob.globmatch(relative, pattern, flags=glob.GLOBSTAR):
            return ini
    return False


def _rules(extra: Any) -> tuple[tuple[str, bool], ...]:
    """kayobe's custom config rules as (glob, INI?), lower priority first: the site's extra
    ones (those with a templated glob or priority cannot be placed: left out) and kayobe's."""
    entries = [
        (values.integer(rule.get("priority")), str(rule["glob"]), _is_ini_strategy(rule))
        for rule in values.dicts(extra)
        if isinstance(rule.get("glob"), str)
        and "{{" not in rule["glob"]
        and rule.get("enabled", True) is not False
    ]
    placed = [(p, g, ini) for p, g, ini in entries if p is not None]
    combined = sorted([*_kayobe_rules(), *placed], key=lambda rule: rule[0])  # kayobe's order
    return tuple((pattern, ini) for _, pattern, ini in combined)


def _is_ini_strategy(rule: Any) -> bool:
    strategy = str(rule.get("strategy", ""))
    return strategy in INI_STRATEGIES or _INI_DEFAULT in strategy


@functools.cache
def _kayobe_rules() -> tuple[tuple[int, str, bool], ...]:
    """(priority, glob, INI?) of the installed kayobe's kolla-openstack default rules."""
    import yaml
    from kayobe.utils import get_data_files_path

    defaults = Path(get_data_files_path("ansible", "roles", "kolla-openstack", "defaults"))
    try:
        data = yaml.safe_load((defaults / "main.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return ()
    rules = values.dicts((data or {}).get("kolla_openstack_custom_config_rules_default"))
    return tuple(
        (values.integer(rule.get("priority")) or 0, str(rule["glob"]), _is_ini_strategy(rule))
        for rule in rules
        if isinstance(rule.get("glob"), str)
    )
