"""The one exception sitectl raises for expected failures, and how it is shown."""

from collections.abc import Sequence

USAGE = 2  # exit status for configuration, usage and environment problems
INTERRUPTED = 130


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
