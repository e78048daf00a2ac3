"""`sitectl kayobe ARGS...`: the real kayobe CLI with this repository's configuration.

For operators: the pinned kayobe, KAYOBE_CONFIG_PATH pointing at etc/kayobe, and the vault
password found as for every verb (passed in the environment, never on the command line). The
operator's own environment (OS_CLOUD, SSH agent...) is kept: this runs against real hosts.
"""

import argparse
import subprocess

from sitectl.errors import SiteError
from sitectl.kayobe import operator_environment
from sitectl.repo import venv_bin
from sitectl.vault import find_password
from sitectl.verbs import Context, Verb


def configure(parser: argparse.ArgumentParser) -> None:
    parser.usage = (
        "%(prog)s [KAYOBE ARGS...]  (e.g. overcloud host configure --environment example-site)"
    )


def run(ctx: Context, args: argparse.Namespace) -> int:
    if not args.passthrough:
        raise SiteError("give kayobe's arguments, e.g. tools/sitectl kayobe --help.")
    password = find_password(ctx.repo, ctx.vault_password_file)
    env = operator_environment(ctx.repo, password.value if password else None)
    command = [str(venv_bin() / "kayobe"), *args.passthrough]
    return subprocess.run(command, cwd=ctx.repo, env=env, check=False).returncode


VERB = Verb(
    "kayobe",
    "run the pinned kayobe with this repository's configuration",
    configure,
    run,
    passthrough=True,
)
