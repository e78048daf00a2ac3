"""`sitectl_resolved_variables`: a host's variables, each templated on its own, for
../dump-config.yml (kayobe before 21 under ansible-core 2.19 or later).

`hostvars[host]` templates every variable when it is serialised and stops at the first one
that cannot be resolved. Here each raw variable is templated in the play's own context (so
`hostvars`, `groups` and the host's facts are there), undefined parts are left as they are,
and a variable that still fails is kept as its raw text: the dump holds every variable, as
kayobe 21's own dump does.
"""

from typing import Any

import jinja2
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

try:  # ansible-core >= 2.19 tags top-level facts; their raw values are templated as well
    from ansible.module_utils._internal._datatag._tags import Deprecated
except ImportError:  # an older ansible-core: nothing is tagged
    Deprecated = None

SCALARS = (str, bytes, int, float, bool)


def _plain(value: Any) -> Any:
    """The value with only what YAML can write: mappings, lists and scalars."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, SCALARS):
        return value
    return str(value)


def _resolved(templar: Templar, value: Any) -> Any:
    if Deprecated is not None and Deprecated.is_tagged_on(value):
        value = Deprecated.untag(value)
    try:
        return templar.template(value, fail_on_undefined=False)
    except Exception:  # an omitted or failing value: its text, not templated again
        return f"{value}"


@jinja2.pass_context
def resolved_variables(context: Any, hostvars: Any, name: str | None = None) -> Any:
    templar = Templar(loader=DataLoader(), variables=context.get_all())
    raw = getattr(hostvars, "_vars", hostvars)  # HostVarsVars: the variables untemplated
    if name is not None:
        if name not in raw:
            host = context.get("inventory_hostname")
            raise jinja2.UndefinedError(f"no variable {name!r} for host {host!r}")
        return _plain(_resolved(templar, raw[name]))
    return {key: _plain(_resolved(templar, value)) for key, value in raw.items()}


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"sitectl_resolved_variables": resolved_variables}
