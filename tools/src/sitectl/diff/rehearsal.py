"""`sitectl upgrade`: the rehearsal of moving an environment from BASE to HEAD, where HEAD moves
the toolchain (a release upgrade, a point release), before anything reaches a host.

Three renders, each side's configuration with each side's toolchain:
    (base configuration, base toolchain)  -- what runs today
    (head configuration, base toolchain)  -- the site's change alone
    (head configuration, head toolchain)  -- what the upgrade leaves
The first pair is what the site changes, the second what the new release changes on its own
(two config diffs: run.py, with Request.toolchains). When the old toolchain cannot render the
new configuration (it uses what only the new release knows), the report says what stopped it
and shows the two together instead (the base and head renders, each with its own toolchain).

Then what the new release will reject or ignore, found in the head render and configuration:
the site's overrides that set options the new release's services removed, renamed or never
had (sitectl.schema); the site's variables that the old toolchain read and the new one does
not (sitectl.validate's variable-unread with each toolchain's read index); the site's image
pins for images the new kolla no longer builds; the inventory groups the new kolla-ansible
deploys an enabled service on that the environment's kolla inventory lacks; and the release
notes of kayobe, kolla-ansible and kolla between the two versions that name a service the
environment enables or a variable it sets (sitectl.release_notes).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitectl import git, kolla_playbooks, readers, release_notes, toolchains, vault
from sitectl import render_layout as layout
from sitectl.diff import merge, problems
from sitectl.diff.model import Report, Side
from sitectl.diff.run import Outcome, Request, run
from sitectl.environments import label
from sitectl.progress import note
from sitectl.render import configuration_at
from sitectl.schema import check_render, releases
from sitectl.validate import unread_variables

FORMAT = "sitectl-upgrade-1"
TAG = "upgrade"
CANNOT_SHOW = (
    "database schema migrations and online data migrations (kolla-ansible's bootstrap steps)",
    "the services' own upgrade checks (`nova-status upgrade check`, "
    "`cinder-status upgrade check`, ...), which need the new code against the live database",
    "the order containers are stopped, upgraded and restarted in, and how long each is down",
    "the data plane: instances, networks and volumes through the upgrade",
    "what the new container images hold (packages, their versions); see the image build jobs",
)
_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:", re.MULTILINE)
_PIN_KEY = re.compile(r"^\s+[\"']?([A-Za-z0-9][A-Za-z0-9_.-]*)[\"']?\s*:")
IMAGE_PINS = "etc/kayobe/kolla-image-tags.yml"


@dataclass
class Hazard:
    """What the new release will reject or ignore in the site's configuration."""

    kind: str  # option, variable, image, inventory
    severity: str  # error | warning
    subject: str  # "nova.conf [DEFAULT] foo", "neutron_ipam_driver"
    message: str
    source: str | None  # "file:line" of the site's setting


@dataclass
class Stop:
    """What stopped the old toolchain on the new configuration, when its error says: a
    variable it does not define, and where the new configuration uses it."""

    variable: str
    used_at: list[str]  # "file:line" of the head configuration


@dataclass
class Rehearsal:
    environment: str
    base: Side
    head: Side
    site: Report | None = None  # the site's change, rendered with the base toolchain
    release: Report | None = None  # the release's, on the head configuration
    together: Report | None = None  # both at once: when the old toolchain cannot render head
    stopped: str | None = None  # why the old toolchain cannot render the head configuration
    stopped_by: Stop | None = None
    hazards: list[Hazard] = field(default_factory=list)
    release_notes: list[release_notes.Note] = field(default_factory=list)
    option_lists: str = ""  # which releases the option check knows
    cannot_show: tuple[str, ...] = CANNOT_SHOW
    duration_s: float = 0.0

    @property
    def moves(self) -> bool:
        return self.base.toolchain != self.head.toolchain

    def to_json(self) -> dict[str, Any]:
        def report(r: Report | None) -> dict[str, Any] | None:
            return r.to_json() if r is not None else None

        return {
            "format": FORMAT,
            "environment": self.environment,
            "base": dataclasses.asdict(self.base),
            "head": dataclasses.asdict(self.head),
            "site": report(self.site),
            "release": report(self.release),
            "together": report(self.together),
            "stopped": self.stopped,
            "stopped_by": dataclasses.asdict(self.stopped_by) if self.stopped_by else None,
            "hazards": [dataclasses.asdict(h) for h in self.hazards],
            "release_notes": [dataclasses.asdict(n) for n in self.release_notes],
            "option_lists": self.option_lists,
            "cannot_show": list(self.cannot_show),
            "duration_s": self.duration_s,
        }


def toolchain_stays(repo: Path, base: str, head: str | None) -> str | None:
    """What to say when `base` and `head` pin the same toolchain (None: it moves): the config
    diff then shows the whole change, and there is nothing to rehearse."""
    base_commit = git.resolve(repo, base)
    head_commit = git.resolve(repo, head) if head is not None else None
    if toolchains.pins_at(repo, base_commit).digest != toolchains.pins_at(repo, head_commit).digest:
        return None
    return (
        f"{head or 'the working tree'} pins the same toolchain as {base} (requirements.txt and "
        "tools/constraints.txt, comments aside): nothing to rehearse; `sitectl diff` shows the "
        "change."
    )


def rehearse(
    repo: Path,
    environment: str,
    base: str,
    head: str | None = None,
    *,
    vault_password_file: Path | None = None,
    cache_dir: Path | None = None,
) -> tuple[Rehearsal, list[Outcome]]:
    """The rehearsal of moving `environment` from `base` to `head` (None: the working tree,
    merged onto base as a merge request would be); with the diffs it is made of."""
    started = time.monotonic()
    base_commit = git.resolve(repo, base)
    head_commit = merge.snapshot_working_tree(repo) if head is None else git.resolve(repo, head)
    head_label = head or "the working tree"
    merged = merge.merge_onto(repo, base_commit, head_commit, head_label, base)
    old = toolchains.for_commit(repo, base_commit)
    new = toolchains.for_commit(repo, merged)
    rehearsal = Rehearsal(
        environment=label(environment),
        base=Side(label=base, commit=base_commit, ref=base, toolchain=old.describe()),
        head=Side(label=head_label, commit=merged, ref=head, toolchain=new.describe()),
    )

    def diff(base_: str, head_: str, pinned_by: tuple[str, str]) -> Outcome:
        request = Request(
            repo,
            environment,
            base_,
            head_,
            full=True,
            vault_password_file=vault_password_file,
            cache_dir=cache_dir,
            toolchains=pinned_by,
        )
        return run(request)

    note(TAG, f"{rehearsal.environment}: the site's change, with {old.describe()}")
    site = diff(base_commit, merged, (base_commit, base_commit))
    outcomes = [site]
    stopped = site.report.renders.get("head")
    if stopped:
        note(TAG, f"{rehearsal.environment}: {old.describe()} cannot render the new configuration")
        rehearsal.stopped = stopped
        together = diff(base_commit, merged, (base_commit, merged))
        rehearsal.together = together.report
        outcomes.append(together)
        final = together.directories.get("head")
    else:
        rehearsal.site = site.report
        note(TAG, f"{rehearsal.environment}: the release's change, on the new configuration")
        released = diff(merged, merged, (base_commit, merged))
        rehearsal.release = released.report
        outcomes.append(released)
        final = released.directories.get("head")
    with configuration_at(repo, merged) as config:
        if rehearsal.stopped:
            rehearsal.stopped_by = stop_of(rehearsal.stopped, config, environment)
        if final is not None:
            notes = _notes_between(old, new)
            enabled = enabled_services(final)
            rehearsal.hazards = [
                *_option_hazards(repo, environment, final),
                *_variable_hazards(config, environment, final, old, new, notes),
                *_image_hazards(config, old, new),
                *inventory_hazards(config, environment, final, enabled, new),
            ]
            rehearsal.release_notes = _release_notes(config, environment, enabled, notes)
    rehearsal.option_lists = releases()
    rehearsal.duration_s = time.monotonic() - started
    return rehearsal, outcomes


_UNDEFINED = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)' is undefined")


def stop_of(error: str, config: Path, environment: str) -> Stop | None:
    """The variable a render error says is undefined, and the lines of the configuration's
    layers (`config`: the head configuration) that use it; None when the error names none."""
    names = _UNDEFINED.findall(error)
    if not names:
        return None
    variable = names[0]
    word = re.compile(rf"\b{re.escape(variable)}\b")
    used = [
        f"{path.relative_to(config)}:{number}"
        for path in vault.layer_files(vault.config_roots(config, environment))
        if path.is_file() and not path.is_symlink()
        for number, line in enumerate(_text(path).splitlines(), 1)
        if word.search(line)
    ]
    return Stop(variable, used)


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _option_hazards(repo: Path, environment: str, rendered: Path) -> list[Hazard]:
    """The site's overrides the new release's services reject or ignore."""
    found = []
    for problem in check_render(repo, rendered, environment).problems:
        if problem.source is None:  # kolla-ansible's own template: not the site's to fix
            continue
        found.append(
            Hazard(
                kind="option",
                severity=problem.severity,
                subject=f"{problem.file} {problem.key}",
                message=f"{problem.kind}: {problem.message}",
                source=f"{problem.source[0]}:{problem.source[1]}",
            )
        )
    return found


def _variable_hazards(
    config: Path,
    environment: str,
    rendered: Path,
    old: toolchains.Toolchain,
    new: toolchains.Toolchain,
    notes: list[release_notes.Note],
) -> list[Hazard]:
    """The site's variables (of the head configuration, `config`) the old toolchain read and
    the new one does not; with the new name when the release notes give one."""
    hostvars = problems.hostvars(rendered)
    today = datetime.date.today()
    before = unread_variables(config, environment, hostvars, today, _prefix(old))
    after = unread_variables(config, environment, hostvars, today, _prefix(new))
    known = {(file, name) for file, _, name, _, _ in before}
    renamed = release_notes.renames(notes)
    return [
        Hazard(
            kind="variable",
            severity="warning",
            subject=name,
            message=(
                f"read by {old.describe()}, not by {new.describe()}: {message}. "
                f"{_renamed_by(renamed.get(name)) or hint}"
            ),
            source=f"{file}:{line}",
        )
        for file, line, name, message, hint in after
        if (file, name) not in known
    ]


def _renamed_by(rename: tuple[str, release_notes.Note] | None) -> str:
    if rename is None:
        return ""
    name, said = rename
    return (
        f"The release notes of {said.project} {said.version} rename it: use `{name}` ({said.file})."
    )


def _image_hazards(
    config: Path, old: toolchains.Toolchain, new: toolchains.Toolchain
) -> list[Hazard]:
    """The head configuration's image pins (kolla-image-tags.yml) for images the old kolla
    builds and the new one does not: the pin tags nothing, and no container of it runs."""
    before, after = _kolla_images(old), _kolla_images(new)
    pins = _pinned_images(config / IMAGE_PINS)
    return [
        Hazard(
            kind="image",
            severity="error",
            subject=image,
            message=(
                f"kolla {old.versions.get('kolla', '?')} builds the {image} image; kolla "
                f"{new.versions.get('kolla', '?')} no longer does, so this pin tags nothing. "
                "Remove it (and move to what replaces the image, if anything does)"
            ),
            source=f"{IMAGE_PINS}:{line}",
        )
        for image, line in pins.items()
        if image in before and image not in after
    ]


# The variables with which a site replaces kayobe's kolla inventory (a level of it, or whole).
_CUSTOM_INVENTORY = re.compile(
    r"^kolla_overcloud_inventory_custom(?:_top_level|_components|_services)?\s*:", re.MULTILINE
)


def enabled_services(rendered: Path) -> set[str]:
    """The services the render's kolla globals enable."""
    return {name for name, on in layout.service_switches(rendered / layout.GLOBALS).items() if on}


def inventory_hazards(
    config: Path,
    environment: str,
    rendered: Path,
    enabled: set[str],
    new: toolchains.Toolchain,
) -> list[Hazard]:
    """The inventory groups the new kolla-ansible's plays deploy an enabled service on (those
    its own example inventory defines: the others are made at run time) that the head
    render's kolla inventory does not define: no host would run those containers."""
    playbooks = kolla_playbooks.playbooks_dir(_prefix(new))
    expected = inventory_groups(playbooks / "inventory" / "multinode")
    defined = inventory_groups(rendered / layout.INVENTORY_DIR)
    source = _inventory_override(config, environment)
    set_by = f" (the site's own, set at {source})" if source else ""
    found = []
    for play in kolla_playbooks.plays(playbooks):
        missing = [g for g in play.groups if g in expected and g not in defined]
        if not (play.switch in enabled and missing):
            continue
        groups = f"group{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        found.append(
            Hazard(
                kind="inventory",
                severity="error",
                subject=", ".join(missing),
                message=(
                    f"kolla-ansible {new.versions.get('kolla-ansible', '?')} deploys "
                    f"{play.switch} (enabled) on the inventory {groups}, which the kolla "
                    f"inventory{set_by} does not define: no host would run those containers. "
                    "Add them as the release's example inventory has them"
                ),
                source=source,
            )
        )
    return found


def inventory_groups(inventory: Path) -> set[str]:
    """The groups the INI inventory file `inventory`, or the files under that directory,
    define (`[name]` and `[name:children]`; host_vars and group_vars aside)."""
    found: set[str] = set()
    files = sorted(inventory.rglob("*")) if inventory.is_dir() else [inventory]
    for path in files:
        if path.is_file() and not {"host_vars", "group_vars"} & set(path.parts):
            found |= set(_INVENTORY_GROUP.findall(path.read_text(encoding="utf-8")))
    return found


_INVENTORY_GROUP = re.compile(r"^\[([^\]:\s]+)(?::children)?\]", re.MULTILINE)


def _inventory_override(config: Path, environment: str) -> str | None:
    """`file:line` where the innermost layer of the site sets its own kolla inventory, if it
    does."""
    for root in reversed(vault.config_roots(config, environment)):
        for path in sorted(root.glob("*.yml")):
            if path.is_symlink() or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8")
            match = _CUSTOM_INVENTORY.search(text)
            if match:
                line = text.count("\n", 0, match.start()) + 1
                return f"{path.relative_to(config)}:{line}"
    return None


def _kolla_images(chain: toolchains.Toolchain) -> set[str]:
    """The images a toolchain's kolla builds: its Dockerfile templates' directories."""
    docker = readers.kolla_templates(_prefix(chain))
    return {path.parent.name for path in docker.rglob("Dockerfile.j2")}


def _pinned_images(path: Path) -> dict[str, int]:
    """{image: line} of kolla_image_tags' keys but `openstack` (the default tag)."""
    if not path.is_file() or path.is_symlink():
        return {}
    pins = {}
    inside = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("kolla_image_tags:"):
            inside = True
        elif inside and (match := _PIN_KEY.match(line)):
            if match.group(1) != "openstack":
                pins[match.group(1)] = number
        elif line and not line.startswith((" ", "#")):
            inside = False
    return pins


def _prefix(chain: toolchains.Toolchain) -> Path | None:
    return None if chain.is_running else chain.prefix


def _notes_between(
    old: toolchains.Toolchain, new: toolchains.Toolchain
) -> list[release_notes.Note]:
    """Every note between the two versions of each project (the same version: none)."""
    notes: list[release_notes.Note] = []
    for project in release_notes.PROJECTS:
        before, after = old.versions.get(project), new.versions.get(project)
        if before and after and before != after:
            notes += release_notes.between(project, before, after)
    return notes


def _release_notes(
    config: Path, environment: str, enabled: set[str], notes: list[release_notes.Note]
) -> list[release_notes.Note]:
    """The notes that concern this site (`enabled`: the services it enables)."""
    if not notes:
        return []
    return release_notes.for_site(notes, enabled, _variables_set(config, environment))


def _variables_set(config: Path, environment: str) -> set[str]:
    """The variables the site sets itself: the top-level keys of its variables files and of
    its kolla globals, in every layer of the environment."""
    names: set[str] = set()
    for root in vault.config_roots(config, environment):
        for path in [*sorted(root.glob("*.yml")), root / "kolla" / "globals.yml"]:
            if path.is_file() and not path.is_symlink():
                names |= set(_TOP_LEVEL_KEY.findall(path.read_text(encoding="utf-8")))
    return names
