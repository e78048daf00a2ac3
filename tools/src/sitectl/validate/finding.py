"""What a rule reports: one problem, where it is, and what to do about it."""

from dataclasses import asdict, dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One problem in one environment.

    `host` is None for site-wide problems; `file` (relative to the repository) and `line` say
    where the offending `key` is defined (the winning definition of the layered
    configuration), when that can be told. `message` says what is wrong, `hint` what to do.
    """

    rule: str
    environment: str
    host: str | None
    file: str | None
    key: str | None
    message: str
    hint: str
    line: int | None = None

    @property
    def where(self) -> str:
        """`file:line`, `file`, or "" when the location is unknown."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def located(self, file: str | None, line: int | None) -> "Finding":
        return replace(self, file=file, line=line)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def sort_key(self) -> tuple[str, str, str, str, int, str]:
        return (
            self.environment,
            self.host or "",
            self.rule,
            self.file or "",
            self.line or 0,
            self.message,
        )
