"""`sitectl vault split FILE...`: a variables file vault-encrypted as a whole rewritten with
its values encrypted one by one (sitectl/vault_split.py), so that merge-request diffs and
`validate --sealed` work without the password."""

import argparse
from pathlib import Path

from sitectl import vault, vault_split
from sitectl.errors import SiteError
from sitectl.verbs import Context, Verb


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="vault_action", metavar="ACTION", required=True)
    split = actions.add_parser(
        "split",
        help="encrypt a whole-file-encrypted variables file's values one by one instead",
    )
    split.add_argument("files", nargs="+", type=Path, metavar="FILE")


def run(ctx: Context, args: argparse.Namespace) -> int:
    password = vault.find_password(ctx.repo, ctx.vault_password_file)
    if password is None:
        raise vault.missing_password(ctx.repo)
    for path in args.files:
        if not path.resolve().is_relative_to(ctx.repo.resolve()):
            raise SiteError(f"{path} is outside the repository ({ctx.repo}): not touched.")
        names = vault_split.split(path, password)
        print(f"{path}: {len(names)} values, each encrypted on its own ({', '.join(names)})")
    return 0


VERB = Verb(
    "vault", "split a whole-file-encrypted variables file into !vault values", configure, run
)
