"""The config diff report as data. Every string in it is already safe to show: secrets are
`<redacted>` (or a "changed (redacted)" note), never a token or a value.

The formats (Markdown, HTML, JSON, JUnit) are views of this; report.diff is kept beside it.
"""

import dataclasses
from dataclasses import dataclass, field
from typing import Any

FORMAT = "sitectl-config-diff-1"


@dataclass
class Side:
    """One side of the diff."""

    label: str  # what the operator asked for: "main", "HEAD merged onto main", "working tree"
    commit: str  # the commit (or tree) rendered
    ref: str | None = None
    # What rendered it: "kayobe 21.0.0, kolla-ansible 23.0.0, kolla 23.0.0, ansible-core 2.21.5"
    toolchain: str = ""


@dataclass
class Plan:
    """What was rendered, and why."""

    mode: str  # "none" (no configuration file changed), "services", "full"
    reason: str  # one sentence for the report
    services: list[str] = field(default_factory=list)  # mode "services": the kolla tags rendered
    changed_files: list[str] = field(default_factory=list)
    trigger: str | None = None  # the file that forced a full render
    skipped: list[str] = field(default_factory=list)  # kolla tags left out of the selection


@dataclass
class ValueChange:
    """One variable, INI key or content change. `old`/`new` are None when absent or secret."""

    name: str
    kind: str  # added, removed, changed
    old: str | None = None
    new: str | None = None
    secret: bool = False  # only secrets changed: shown as "changed (redacted)"
    section: str | None = None  # INI section
    note: str = ""  # e.g. list items added/removed


@dataclass
class Placement:
    """Where one change happened: these hosts, in these containers."""

    hosts: list[str]
    hosts_label: str
    containers: list[str] = field(default_factory=list)


@dataclass
class FileEntry:
    """One change to one file, wherever it happened identically."""

    path: str  # inside the container's config directory, e.g. nova.conf
    kind: str  # modified, added, removed
    format: str  # ini, text, secret, binary
    placements: list[Placement]
    changes: list[ValueChange] = field(default_factory=list)  # ini and secret files
    hunks: list[str] = field(default_factory=list)  # unified diff lines (text files)
    note: str = ""
    lines_added: int = 0
    lines_removed: int = 0

    @property
    def hosts(self) -> list[str]:
        return sorted({h for p in self.placements for h in p.hosts})


@dataclass
class ContainerEntry:
    """A container whose configuration appeared or disappeared on some hosts."""

    container: str
    kind: str  # added, removed
    files: list[str]
    hosts: list[str]
    hosts_label: str


@dataclass
class ServiceDiff:
    service: str
    files: list[FileEntry] = field(default_factory=list)
    containers: list[ContainerEntry] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.files) + len(self.containers)


@dataclass
class HostChange:
    """Inventory: hosts added, removed, or moved between groups."""

    kind: str  # added, removed, moved (between groups), changed (variables), group variables
    hosts: list[str]
    hosts_label: str
    groups_added: list[str] = field(default_factory=list)  # kayobe's groups
    groups_removed: list[str] = field(default_factory=list)
    kolla_groups_added: list[str] = field(default_factory=list)  # kolla-ansible's inventory
    kolla_groups_removed: list[str] = field(default_factory=list)
    variables: list[ValueChange] = field(default_factory=list)  # inline inventory variables


@dataclass
class VariableGroup:
    """Kayobe variables that changed the same way on exactly these hosts."""

    hosts: list[str]
    hosts_label: str
    changes: list[ValueChange]


@dataclass
class Problem:
    """A rendered option the service would reject or ignore, new in head (sitectl.schema)."""

    severity: str  # error | warning
    kind: str  # unknown-option, wrong-section, bad-value, deprecated, ...
    file: str  # the config file's name, e.g. nova.conf
    key: str  # "[section] option"
    message: str
    source: str | None  # "file:line" of the site's override that set it; None: kolla-ansible's
    rendered: list[str]  # host/container/file where it was rendered


@dataclass
class Report:
    environment: str
    base: Side
    head: Side
    plan: Plan
    inventory: list[HostChange] = field(default_factory=list)
    kayobe: list[VariableGroup] = field(default_factory=list)
    globals: list[ValueChange] = field(default_factory=list)
    services: list[ServiceDiff] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a reviewer must know
    # How the two sides were rendered (what one took from an earlier render, which services
    # each compared): for the curious, not a warning.
    rendering: list[str] = field(default_factory=list)
    error: str | None = None  # the paragraph of a failed render
    renders: dict[str, str | None] = field(default_factory=dict)  # side -> None or error
    # Option-schema problems the change introduces; None: not checked (no --check-options).
    problems: list[Problem] | None = None
    duration_s: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.inventory or self.kayobe or self.globals or self.services)

    def counts(self) -> dict[str, int]:
        return {
            "inventory": len(self.inventory),
            "kayobe_variables": sum(len(g.changes) for g in self.kayobe),
            "kolla_globals": len(self.globals),
            "services": len(self.services),
            "files": sum(s.count for s in self.services),
        }

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data = {"format": FORMAT, **data, "changed": self.changed, "counts": self.counts()}
        return data
