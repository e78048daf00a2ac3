"""`sitectl cache [clear [KIND...]]`: the machine cache (sitectl/machine_cache.py): what it
holds, how big, and removing it."""

import argparse

from sitectl import machine_cache
from sitectl.errors import SiteError
from sitectl.verbs import Context, Verb


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", nargs="?", choices=("list", "clear"), default="list", help="default: list"
    )
    parser.add_argument(
        "kinds", nargs="*", metavar="KIND", help="only these kinds of entry (default: all)"
    )


def run(ctx: Context, args: argparse.Namespace) -> int:
    kinds = tuple(args.kinds)
    known = {found.kind for found in machine_cache.entries()}
    unknown = sorted(set(kinds) - known)
    if unknown:
        raise SiteError(
            f"the machine cache ({machine_cache.root()}) holds no {', '.join(unknown)} "
            f"entries; it holds: {', '.join(sorted(known)) or 'nothing'}."
        )
    if args.action == "clear":
        removed, busy = machine_cache.clear(kinds)
        freed = sum(found.size for found in removed)
        print(f"removed {len(removed)} entries ({_mib(freed)}) from {machine_cache.root()}")
        for found in busy:
            print(f"kept {found.kind}/{found.key}: another process is making it right now")
        return 0
    listed = machine_cache.entries(kinds)
    print(f"{machine_cache.root()} (${machine_cache.ROOT_VARIABLE} moves it)")
    for found in listed:
        state = "" if found.complete else "  (incomplete: being made, or a make that failed)"
        print(f"  {found.kind}/{found.key}  {_mib(found.size)}{state}")
    print(f"  total {_mib(sum(found.size for found in listed))} in {len(listed)} entries")
    return 0


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


VERB = Verb(
    "cache",
    "list or clear the machine cache (virtualenvs and tools kept outside every clone)",
    configure,
    run,
)
