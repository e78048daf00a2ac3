"""Step lines on stderr, with elapsed time.

[dump] example-site: kayobe configuration dump ... done in 6.2 s
"""

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def note(tag: str, message: str) -> None:
    """One line of progress on stderr."""
    print(f"[{tag}] {message}", file=sys.stderr, flush=True)


@contextmanager
def step(tag: str, message: str) -> Iterator[None]:
    """Announce a step, then how long it took (or that it failed)."""
    started = time.monotonic()
    print(f"[{tag}] {message} ...", end="", file=sys.stderr, flush=True)
    try:
        yield
    except BaseException:
        print(f" failed after {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
        raise
    print(f" done in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
