"""option-schema: every option the site's kolla config overrides put into a rendered service
config file is one the service registers, in the right section, with a value of its type.

Checked offline on the real render (`sitectl validate ENV --rendered`) against the options the
services' own code registers with oslo.config at the pinned release
(tools/schema-requirements.txt). kolla-ansible passes unknown options through and the service
silently ignores them, so a typo (`cpu_alocation_ratio`), an option in the wrong section, a
value of the wrong type (`workers = many`) or outside its choices, or an option the release
removed (one the previous release registered, tools/schema-previous-requirements.txt), would
reach production unnoticed. Deprecated options and names are warnings (errors with --strict).
Problems in kolla-ansible's own templates are not the site's: they are listed as notes.
"""

from __future__ import annotations

from sitectl.schema.check import Problem
from sitectl.validate import Finding

ID = "option-schema"
STAGE = "render"
DESCRIPTION = "rendered service config files use options the services accept (--rendered)"

HINTS = {
    "unknown-option": "fix the option's name (the service ignores options it does not know)",
    "wrong-section": "move the option to the section it belongs to",
    "unknown-section": "fix the section's name",
    "removed": "delete it (the service's release notes say what replaced it, if anything)",
    "bad-value": "give the option a value of its type",
    "deprecated": "stop setting it, or move to its replacement, before the next upgrade",
    "deprecated-name": "use the option's current name and section",
    "syntax": "fix the file's INI syntax",
}


def finding(environment: str, problem: Problem) -> Finding:
    assert problem.source is not None
    shown = ", ".join(problem.rendered[:3])
    if len(problem.rendered) > 3:
        shown += f" and {len(problem.rendered) - 3} more"
    return Finding(
        rule=ID,
        environment=environment,
        host=None,
        file=problem.source[0],
        line=problem.source[1],
        key=f"{problem.file} {problem.key}",
        message=f"{problem.message} (rendered in {shown})",
        hint=HINTS.get(problem.kind, "fix the option"),
    )
