"""Which steps are done: REPO/.cache/sitectl/aio/state.json, rewritten atomically after each
step, so a retried job (same VM, same checkout) continues from the step that failed.

It also says which commit's configuration and toolchain the all-in-one was deployed from
when that was not this checkout's (`release`: the upgrade rehearsal's base).

The state names the machine it describes (hostname and /etc/machine-id): a state carried to
another machine (a restored CI cache, a new VM for the retry) is ignored, and every step runs.
"""

import json
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

from sitectl.errors import SiteError
from sitectl.files import write_atomically

VERSION = 1


def this_host() -> str:
    try:
        machine = Path("/etc/machine-id").read_text().strip()
    except OSError:
        machine = ""
    return f"{socket.gethostname()}/{machine}"


@dataclass
class State:
    path: Path
    # step name -> {"inputs": hash, "seconds": float, "finished": iso time}
    done: dict[str, dict] = field(default_factory=dict)
    failed: str | None = None
    release: str | None = None  # the commit deployed, when not this checkout's

    @classmethod
    def load(cls, path: Path) -> "State":
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise SiteError(f"cannot read the all-in-one state {path} ({e}); delete it.") from None
        if data.get("version") != VERSION or data.get("host") != this_host():
            return cls(path)
        return cls(path, dict(data.get("done", {})), data.get("failed"), data.get("release"))

    def save(self) -> None:
        data = {
            "version": VERSION,
            "host": this_host(),
            "done": self.done,
            "failed": self.failed,
            "release": self.release,
        }
        write_atomically(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")

    def is_done(self, step: str, inputs: str) -> bool:
        entry = self.done.get(step)
        return entry is not None and entry.get("inputs") == inputs

    def mark_done(self, step: str, inputs: str, seconds: float) -> None:
        finished = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.done[step] = {"inputs": inputs, "seconds": round(seconds, 1), "finished": finished}
        if self.failed == step:
            self.failed = None
        self.save()

    def mark_failed(self, step: str) -> None:
        self.failed = step
        self.save()

    def forget(self, steps: list[str]) -> None:
        for step in steps:
            self.done.pop(step, None)
        self.save()

    def deployed_from(self, release: str | None) -> None:
        """Record which commit the deployment steps that follow are of (None: this
        checkout)."""
        self.release = release
        self.save()
