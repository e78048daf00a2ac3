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

from collections.abc import Iterator
from typing import Any

from sitectl.validate import kolla_config
from sitectl.validate.files import FileContext, plaintext
from sitectl.validate.finding import Finding
from sitectl.validate.stages import FILES
from sitectl.validate.templated import neutralise

ID = "ini-syntax"
DESCRIPTION = "a kolla/config INI override does not parse (kolla-ansible fails on it mid-deploy)"
STAGE = FILES

MAX_REPORTED = 5  # per file


def check(ctx: FileContext) -> Iterator[Finding]:
    rules = kolla_config.site_rules(ctx)
    for root in ctx.roots:
        base = root / "kolla" / "config"
        for path in sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []:
            relative = path.relative_to(base).as_posix()
            if not kolla_config.is_ini(kolla_config.strategy(relative, rules)):
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
