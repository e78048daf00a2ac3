"""jinja-syntax: a variable holds a Jinja expression that does not parse.

kayobe's dump leaves a template it cannot render as it is, so such a value only fails later,
in the first playbook that uses it (or is copied verbatim into a service's configuration).
Templates that merely refer to facts or other run-time variables are normal and not reported:
only syntax errors are.

Example of bad input::

    # environments/site/kolla.yml
    kolla_enable_cinder: "{{ 'yes' if storage_hosts | length > 0 else 'no' }"   # unclosed
"""

from collections.abc import Iterator
from functools import lru_cache

from sitectl import values
from sitectl.site import Site
from sitectl.validate import templated
from sitectl.validate.finding import Finding
from sitectl.validate.stages import SITE
from sitectl.validate.templated import template_error

ID = "jinja-syntax"
DESCRIPTION = "a variable holds a Jinja template with a syntax error"
STAGE = SITE

MARKERS = ("{{", "{%", "{#")


def check(site: Site) -> Iterator[Finding]:
    broken: dict[str, tuple[str, list[str]]] = {}  # key -> (problem, hosts)
    for host in site.hosts.values():
        for key, value in host.vars.items():
            for text in templated.strings_with(value, MARKERS):
                problem = syntax_error(text)
                if problem is not None:
                    broken.setdefault(key, (f"{values.show(text)}: {problem}", []))[1].append(
                        host.name
                    )
                    break
    for key, (problem, hosts) in sorted(broken.items()):
        where = hosts[0] if len(hosts) == 1 else f"{len(hosts)} hosts"
        yield Finding(
            ID,
            site.environment,
            None,
            None,
            key,
            f"{key} does not parse as Jinja ({where}): {problem}",
            "Fix the expression: every {{ needs }}, every {% needs %}, and the expression "
            "between them must be complete.",
        )


@lru_cache(maxsize=4096)
def syntax_error(text: str) -> str | None:
    """Why `text` does not parse as a Jinja template (None when it does)."""
    error = template_error(text)
    if error is None:
        return None
    line, message = error
    return f"{message} (line {line} of the value)" if line and line > 1 else message
