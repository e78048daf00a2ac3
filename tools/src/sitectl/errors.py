"""The one exception sitectl raises for expected failures, and how it is shown."""

import errno
import traceback
from collections.abc import Sequence
from pathlib import Path

# Exit status of every verb (the README's table; tests/cli/test_exit_codes.py holds them):
NO_CHANGE = 0  # done, nothing to report
CHANGED = 1  # done, and there is something to report: findings, changes, failed checks
USAGE = 2  # the operator's error: arguments, configuration, this machine (a full disk...)
INTERNAL = 3  # a failure of sitectl's own (a bug): one paragraph, never a traceback
INTERRUPTED = 130  # stopped by SIGINT or SIGTERM; whatever it started is stopped too


class SiteError(Exception):
    """An expected failure: one paragraph for the operator, no traceback.

    `details` are extra lines (e.g. the relevant lines of Ansible's output), shown indented
    under the paragraph.
    """

    def __init__(self, message: str, details: Sequence[str] = (), exit_code: int = USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.details = tuple(details)
        self.exit_code = exit_code

    def render(self) -> str:
        lines = [f"sitectl: error: {self.message}"]
        lines += [f"    {line}" if line else "" for line in self.details]
        return "\n".join(lines)


def from_os_error(error: OSError) -> SiteError:
    """An operating-system error that reached the top (a full disk, a read-only cache, a
    directory where a file was expected) as the operator's error: what, where, what to do."""
    where = f" {error.filename}" if error.filename else ""
    reason = error.strerror or type(error).__name__
    return SiteError(f"cannot use{where}: {reason}. {_os_advice(error)}")


def _os_advice(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "Free some space on that file system and run the command again."
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            "Make it writable for this user (sitectl keeps its cache under the repository's "
            ".cache/ and writes reports where --out says), then run the command again."
        )
    if error.errno in (errno.ENOTDIR, errno.EISDIR, errno.EEXIST):
        return "Something is in the way at that path: move it, or choose another path."
    return "Check that path, then run the command again."


def internal(error: BaseException, debug: bool) -> SiteError:
    """A failure of sitectl's own, in one paragraph: its kind and where it happened. The
    message itself (which could quote configuration values) only with SITECTL_DEBUG=1."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if "sitectl" in frame.filename] or frames
    at = f" at {Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else ""
    details = traceback.format_exception(error) if debug else ()
    return SiteError(
        f"sitectl failed ({type(error).__name__}{at}). This is a bug in sitectl, not in your "
        "configuration: report it with this line; run again with SITECTL_DEBUG=1 to see the "
        "traceback (it may quote configuration values: check it for secrets before sharing).",
        details=[line for chunk in details for line in chunk.rstrip("\n").splitlines()],
        exit_code=INTERNAL,
    )
