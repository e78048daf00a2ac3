"""`sitectl test [PYTEST ARGS...]`: the repository's whole test suite, exactly as CI runs it
(what only the tests need, tests/requirements.txt, is installed first when missing)."""

import argparse
import subprocess
import sys
from pathlib import Path

from sitectl import toolchain
from sitectl.errors import SiteError
from sitectl.verbs import Context, Verb


def configure(parser: argparse.ArgumentParser) -> None:
    parser.usage = "%(prog)s [TEST ARGS...]  (passed to pytest, e.g. tests/config -k layering)"


def run(ctx: Context, args: argparse.Namespace) -> int:
    try:
        toolchain.ensure_tests(ctx.repo, Path(sys.prefix))
    except toolchain.ToolchainError as e:
        raise SiteError(str(e)) from None
    # tests/pytest.ini holds the settings (the top level of the repository has no room for it).
    command = [sys.executable, "-m", "pytest", "-c", "tests/pytest.ini", *args.passthrough]
    return subprocess.run(command, cwd=ctx.repo, check=False).returncode


VERB = Verb(
    "test", "run the whole test suite (pytest), as CI does", configure, run, passthrough=True
)
