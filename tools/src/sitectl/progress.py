"""Step lines on stderr, with elapsed time.

[dump] example-site: kayobe configuration dump ... done in 6.2 s

`sitectl -q` (QUIET_VARIABLE set) prints none: errors and results only.
"""

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

QUIET_VARIABLE = "SITECTL_QUIET"


def quiet() -> bool:
    return bool(os.environ.get(QUIET_VARIABLE))


def note(tag: str, message: str) -> None:
    """One line of progress on stderr."""
    if not quiet():
        print(f"[{tag}] {message}", file=sys.stderr, flush=True)


@contextmanager
def step(tag: str, message: str) -> Iterator[None]:
    """Announce a step, then how long it took (or that it failed)."""
    started = time.monotonic()
    if quiet():
        yield
        return
    print(f"[{tag}] {message} ...", end="", file=sys.stderr, flush=True)
    try:
        yield
    except BaseException:
        print(f" failed after {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
        raise
    print(f" done in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
