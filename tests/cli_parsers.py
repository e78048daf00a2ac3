"""The real command-line parsers of kayobe (cliff) and the openstack client, to check command
lines that tests and pipelines write without running them: a misplaced or misspelt option fails
in the tests, not on a site's runner."""

from __future__ import annotations

import functools
import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# The openstack client's command groups the all-in-one steps use.
OPENSTACK_GROUPS = (
    "openstack.common",
    "openstack.compute.v2",
    "openstack.image.v2",
    "openstack.network.v2",
    "openstack.identity.v3",
)


@functools.cache
def _kayobe() -> Any:
    from kayobe.cmd.kayobe import KayobeApp

    return KayobeApp()


@functools.cache
def _openstack() -> Any:
    from openstackclient.shell import OpenStackShell

    app = OpenStackShell()
    for group in OPENSTACK_GROUPS:
        app.command_manager.add_command_group(group)
    return app


def _parse(app: Any, program: str, words: Sequence[str]) -> str | None:
    try:
        factory, name, rest = app.command_manager.find_command(list(words))
    except ValueError as e:
        return f"{program} {' '.join(words)}: {e}"
    parser = factory(app, None).get_parser(f"{program} {name}")
    try:
        parser.parse_args(rest)
    except SystemExit:
        return f"{program} {name} rejects {' '.join(rest)}"
    return None


def kayobe_error(words: Sequence[str]) -> str | None:
    """Why kayobe would reject `kayobe WORDS...` (None: it parses)."""
    return _parse(_kayobe(), "kayobe", words)


def openstack_error(words: Sequence[str]) -> str | None:
    """Why the openstack client would reject `openstack WORDS...`, global options first."""
    app = _openstack()
    try:
        _, rest = app.build_option_parser("openstack", "test").parse_known_args(list(words))
    except SystemExit:
        return f"openstack rejects its global options in {' '.join(words)}"
    return _parse(app, "openstack", rest)


_UNDER = (
    "import json, sys; from tests.cli_parsers import kayobe_error; "
    "print(json.dumps([kayobe_error(words) for words in json.load(sys.stdin)]))"
)


def kayobe_errors_under(python: Path, commands: Sequence[Sequence[str]]) -> list[str | None]:
    """kayobe_error of each command by the kayobe of another interpreter (another release's
    virtualenv), in one run of it."""
    proc = subprocess.run(
        [str(python), "-c", _UNDER],
        input=json.dumps([list(words) for words in commands]),
        capture_output=True,
        text=True,
        env={"PATH": os.defpath, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)
