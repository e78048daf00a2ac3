"""The sitectl command line: global options, one sub-command per verb (see sitectl.verbs)."""

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sitectl import release, stopping
from sitectl.errors import INTERRUPTED, USAGE, SiteError, from_os_error, internal
from sitectl.progress import QUIET_VARIABLE
from sitectl.repo import find_repo
from sitectl.verbs import (
    Context,
    Verb,
    cache,
    deploy,
    envs,
    kayobe,
    kayobe_env,
    lint,
    pipeline,
    setup,
    show,
    test,
    validate,
)
from sitectl.verbs import aio as aio_verb
from sitectl.verbs import refstack as refstack_verb
from sitectl.verbs import vault as vault_verb

VERBS: tuple[Verb, ...] = (
    setup.VERB,
    envs.VERB,
    show.VERB,
    kayobe.VERB,
    kayobe_env.VERB,
    test.VERB,
    __import__("sitectl.verbs.render", fromlist=["VERB"]).VERB,  # sitectl render
    lint.VERB,
    validate.VERB,
    aio_verb.VERB,
    deploy.VERB,
    refstack_verb.VERB,
    __import__("sitectl.verbs.diff", fromlist=["VERB"]).VERB,  # sitectl diff
    __import__("sitectl.verbs.upgrade", fromlist=["VERB"]).VERB,  # sitectl upgrade
    __import__("sitectl.verbs.images", fromlist=["VERB"]).VERB,  # sitectl images
    pipeline.VERB,
    __import__("sitectl.verbs.check", fromlist=["VERB"]).VERB,  # sitectl check
    __import__("sitectl.verbs.repos", fromlist=["VERB"]).VERB,  # sitectl repos
    cache.VERB,
    vault_verb.VERB,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitectl",
        description="The tooling of this Kayobe site configuration: what CI runs, you can run.",
    )
    parser.add_argument("--version", action="version", version=version())
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q", "--quiet", action="store_true", help="no progress lines: results and errors only"
    )
    loudness.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="a bug in sitectl shows its traceback (as SITECTL_DEBUG=1 does)",
    )
    parser.add_argument(
        "--repo",
        type=Path,
        metavar="PATH",
        help="the configuration repository (default: the launcher's, else found upwards from "
        "the working directory by etc/kayobe)",
    )
    parser.add_argument(
        "--vault-password-file",
        type=Path,
        metavar="FILE",
        help="the vault password (default: $KAYOBE_VAULT_PASSWORD, "
        "$KAYOBE_VAULT_PASSWORD_FILE, then REPO/.vault-password)",
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    for verb in VERBS:
        sub = verbs.add_parser(verb.name, help=verb.help, description=verb.help)
        verb.configure(sub)
        sub.set_defaults(verb_run=verb.run)
    return parser


GLOBAL_OPTIONS_WITH_VALUE = ("--repo", "--vault-password-file")


def split_passthrough(argv: Sequence[str]) -> tuple[list[str], list[str] | None]:
    """Split `[global options] VERB rest` after a pass-through verb: argparse must not see
    the wrapped tool's own options (`sitectl kayobe --environment X ...`)."""
    passthrough = {verb.name for verb in VERBS if verb.passthrough}
    argv = list(argv)
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        takes_value = argv[index] in GLOBAL_OPTIONS_WITH_VALUE
        index += 2 if takes_value else 1
    if index < len(argv) and argv[index] in passthrough:
        return argv[: index + 1], argv[index + 1 :]
    return argv, None


def with_release_note(error: SiteError, repo: Path | None) -> SiteError:
    """The error, and under it the release mismatch when the configuration targets another
    release than sitectl renders with (the likeliest cause of an error deep in Jinja)."""
    if repo is None or error.exit_code != USAGE:
        return error
    try:
        mismatch = release.mismatch(repo)
    except Exception:  # saying more must never hide the error itself
        return error
    if not mismatch or mismatch in error.details:
        return error
    return SiteError(error.message, (*error.details, "", mismatch), error.exit_code)


def version() -> str:
    """sitectl's version and the toolchain's it drives."""
    from importlib import metadata

    def of(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    tools = ", ".join(f"{name} {of(name)}" for name in ("kayobe", "kolla-ansible", "ansible-core"))
    return f"sitectl {of('sitectl')} ({tools})"


def main(argv: Sequence[str] | None = None) -> int:
    head, rest = split_passthrough(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not head:  # a bare `sitectl`: what it can do
        parser.print_help()
        return 0
    args = parser.parse_args(head)
    args.passthrough = rest or []
    if args.quiet:
        os.environ[QUIET_VARIABLE] = "1"  # also for the sitectl processes this one starts
    if args.verbose:
        os.environ["SITECTL_DEBUG"] = "1"
    repo: Path | None = None
    try:
        repo = find_repo(args.repo)
        ctx = Context(repo=repo, vault_password_file=args.vault_password_file)
        with stopping.handled():
            return args.verb_run(ctx, args)
    except SiteError as e:
        print(with_release_note(e, repo).render(), file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("sitectl: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:  # e.g. `sitectl show ENV | head`
        sys.stderr.close()
        return 0
    except OSError as e:  # this machine's: a full disk, a read-only cache...
        error = from_os_error(e)
    except Exception as e:  # sitectl's own
        error = internal(e, debug=bool(os.environ.get("SITECTL_DEBUG")))
    print(error.render(), file=sys.stderr)
    return error.exit_code
