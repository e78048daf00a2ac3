"""Writing files so that no reader ever sees half of one."""

import os
import tempfile
from pathlib import Path

from sitectl.errors import SiteError


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write `content` (text as UTF-8) to `path`: a concurrent reader sees the old file or the
    whole new one, and a failure leaves the old one in place."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed or removed
        "wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(data)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def own_directory(path: Path, what: str, variable: str) -> os.stat_result:
    """`path` made (0700 where it is new, parents included) and its lstat(), for a caller to
    hold to its own policy; SiteError naming `what` and the variable that moves it when it
    cannot be made."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path.lstat()
    except OSError as e:
        raise SiteError(
            f"cannot make {what} {path}: {e.strerror}. Set {variable} to a directory of yours."
        ) from None
