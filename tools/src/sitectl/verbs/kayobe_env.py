"""`sitectl kayobe-env [ENV]`: the shell settings that make a plain `kayobe` command use this
repository, as kayobe's own `kayobe-env` script does for a checkout laid out its way:

    eval "$(tools/sitectl kayobe-env example-site)"
    kayobe overcloud host configure

The pinned virtualenv first on PATH, KAYOBE_CONFIG_PATH at etc/kayobe, KAYOBE_ENVIRONMENT (or
none: the base configuration), the hash seed every sitectl run uses, and where kayobe finds
the vault password: a file is named (ANSIBLE_VAULT_PASSWORD_FILE, which kayobe reads); a
password is never printed.
"""

import argparse
import shlex

from sitectl.environments import discover, layering
from sitectl.kayobe import HASH_SEED
from sitectl.repo import kayobe_config_dir, venv_bin
from sitectl.vault import find_password
from sitectl.verbs import Context, Verb, add_environment, environment


def configure(parser: argparse.ArgumentParser) -> None:
    add_environment(parser)


def run(ctx: Context, args: argparse.Namespace) -> int:
    env = environment(args)
    layering(discover(ctx.repo), env)  # an unknown environment is an error, as everywhere
    venv = venv_bin()
    lines = [
        f"export VIRTUAL_ENV={shlex.quote(str(venv.parent))}",
        f'export PATH={shlex.quote(str(venv))}:"$PATH"',
        f"export KAYOBE_CONFIG_PATH={shlex.quote(str(kayobe_config_dir(ctx.repo)))}",
        f"export KAYOBE_ENVIRONMENT={shlex.quote(env)}" if env else "unset KAYOBE_ENVIRONMENT",
        *(f"export {name}={shlex.quote(value)}" for name, value in HASH_SEED.items()),
    ]
    password = find_password(ctx.repo, ctx.vault_password_file)
    if password is None:
        lines.append("# no vault password found: kayobe will need --vault-password-file")
    elif password.file is None:
        lines.append(f"# the vault password: {password.source}, already in your shell")
    else:
        lines.append(f"export ANSIBLE_VAULT_PASSWORD_FILE={shlex.quote(str(password.file))}")
    print("\n".join(lines))
    return 0


VERB = Verb(
    "kayobe-env",
    'print the shell settings for a plain kayobe on this repository (eval "$(...)")',
    configure,
    run,
)
