"""inventory-host-name: an inventory host name has characters a host name cannot have (shell
characters such as `;`, `$`, `(`, quotes, spaces, `*`).

Ansible accepts any word as a host name; kayobe then uses it as the machine's hostname, in
file names, in Ironic and bifrost node names and on shell command lines, and fails somewhere
deep in a playbook with a raw error (or worse, the shell interprets it). Host names are
letters, digits, `-` and `.` (RFC 1123; `_` is tolerated, as Ansible does).

Example of bad input::

    # environments/site/inventory/hosts
    [controllers]
    ctl01
    ctl;rm            # `;` ends a shell command
    ctl$(x)           # `$(...)` runs one
"""

import re
from collections.abc import Iterator

from sitectl.validate.files import FileContext
from sitectl.validate.finding import Finding
from sitectl.validate.rules import _inventory
from sitectl.validate.stages import FILES

ID = "inventory-host-name"
DESCRIPTION = "an inventory host name has characters a host name cannot have (e.g. ; $ ( ) quotes)"
STAGE = FILES

VALID = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$")
_BAD = re.compile(r"[^A-Za-z0-9._-]")


def check(ctx: FileContext) -> Iterator[Finding]:
    seen: set[str] = set()
    for parsed in _inventory.parse(ctx.roots):
        for host, line in parsed.hosts:
            if host in seen or VALID.match(host):
                continue
            seen.add(host)
            yield Finding(
                ID,
                ctx.environment,
                None,
                ctx.relative(parsed.path),
                None,
                f"inventory host name {host!r} {problem(host)}: kayobe uses it as the machine's "
                "hostname, in file and node names and on shell command lines",
                "Rename the host to letters, digits, '-' and '.' (e.g. ctl01), here and in "
                "network-allocation.yml and host_vars.",
                line or None,
            )


def problem(host: str) -> str:
    """What is wrong with a host name VALID does not match."""
    bad = sorted(set(_BAD.findall(host)))
    if bad:
        return "has " + " ".join(repr(char) for char in bad)
    return "starts or ends with '-' or '.'"
