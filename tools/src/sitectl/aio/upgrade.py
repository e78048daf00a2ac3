"""The upgrade rehearsal on the all-in-one cloud: an earlier commit's release deployed, then
kayobe's documented upgrade sequence to this checkout's.

    sitectl aio run --release BASE    the all-in-one steps (steps.STEPS) on BASE's
                                      configuration with the kayobe BASE's pins name
    sitectl aio upgrade               UPGRADE_STEPS below with this checkout's kayobe and
                                      configuration, on the cloud BASE deployed

    1 upgrade-control-host   kayobe control host upgrade
    2 upgrade-hosts          kayobe overcloud host upgrade
    3 upgrade-images         kayobe overcloud container image pull
    4 save-config-before     kayobe overcloud service configuration save (the hosts' config)
    5 upgrade-services       kayobe overcloud service upgrade
    6 save-config-after      kayobe overcloud service configuration save
    7 config-changes         which config files the upgrade changed, added or removed, by name
                             (logs/config-changes.txt); the saved configurations, which hold
                             the services' secrets, are deleted once compared

The steps resume like the deploy's (the same state file): a retried job continues at the step
that failed. Each is recorded with the commit of the release it upgraded from, so a rehearsal
from another base starts again.
"""

import filecmp
import shutil
from pathlib import Path

from sitectl import git, progress, toolchains
from sitectl.aio.state import State
from sitectl.aio.steps import NAMES, Options, Release, Runner, Step
from sitectl.errors import SiteError
from sitectl.render import write_configuration
from sitectl.repo import cache_dir

TAG = "aio"
SAVED = ("config-before", "config-after")
CHANGES = "config-changes.txt"


def base_runner(repo: Path, ref: str, options: Options) -> Runner:
    """The runner of `ref`'s all-in-one: its tree written once under
    .cache/sitectl/aio/release/COMMIT, its toolchain made once per machine."""
    commit = git.resolve(repo, ref)
    tree = cache_dir(repo, "sitectl", "aio", "release") / commit
    if not tree.is_dir():
        write_configuration(repo, commit, tree)
    toolchain = toolchains.for_commit(repo, commit)
    progress.note(TAG, f"{ref} ({git.short(commit)}) deploys with {toolchain.describe()}")
    release = Release(commit, toolchain.prefix / "bin", repo)
    return Runner(tree, options, release=release)


def needs_a_release(state: State) -> None:
    """Refuse to upgrade a cloud that no earlier release deployed."""
    missing = [name for name in NAMES if name not in state.done]
    if state.release is None or missing:
        raise SiteError(
            "no earlier release's all-in-one is deployed here"
            + (f" (not done: {', '.join(missing)})" if state.release and missing else "")
            + ": run `tools/sitectl aio run --release BASE` first, BASE being the commit or "
            "ref to upgrade from."
        )


def _save(runner: Runner, step: str, name: str) -> None:
    output = runner.work / name
    shutil.rmtree(output, ignore_errors=True)
    runner.kayobe(
        step, "overcloud", "service", "configuration", "save", "--output-dir", str(output)
    )


def changed_files(before: Path, after: Path) -> list[str]:
    """`changed|added|removed PATH` for each file (a directory: PATH/) that differs between
    the two trees, by path."""
    lines: list[str] = []

    def named(kind: str, root: Path, relative: str) -> str:
        return f"{kind} {relative}{'/' if (root / relative).is_dir() else ''}"

    def walk(comparison: filecmp.dircmp, prefix: str) -> None:
        lines.extend(f"changed {prefix}{n}" for n in comparison.diff_files + comparison.funny_files)
        lines.extend(named("added", after, prefix + n) for n in comparison.right_only)
        lines.extend(named("removed", before, prefix + n) for n in comparison.left_only)
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(before, after, ignore=[]), "")
    return sorted(lines, key=lambda line: line.split(" ", 1)[1])


def _config_changes(runner: Runner) -> None:
    before, after = (runner.work / name for name in SAVED)
    for tree in (before, after):
        if not tree.is_dir():
            raise SiteError(f"{tree} is missing: redo the rehearsal from save-config-before.")
    lines = changed_files(before, after)
    runner.logs.mkdir(parents=True, exist_ok=True)
    (runner.logs / CHANGES).write_text("".join(line + "\n" for line in lines) or "none\n")
    for tree in (before, after):
        shutil.rmtree(tree)
    progress.note(TAG, f"the upgrade changed {len(lines)} config files (logs/{CHANGES})")


def _kayobe(name: str, *words: str) -> Step:
    return Step(name, f"kayobe {' '.join(words)}", lambda r: r.kayobe(name, *words))


UPGRADE_STEPS: tuple[Step, ...] = (
    _kayobe("upgrade-control-host", "control", "host", "upgrade"),
    _kayobe("upgrade-hosts", "overcloud", "host", "upgrade"),
    _kayobe("upgrade-images", "overcloud", "container", "image", "pull"),
    Step(
        "save-config-before",
        "kayobe overcloud service configuration save (before)",
        lambda r: _save(r, "save-config-before", SAVED[0]),
    ),
    _kayobe("upgrade-services", "overcloud", "service", "upgrade"),
    Step(
        "save-config-after",
        "kayobe overcloud service configuration save (after)",
        lambda r: _save(r, "save-config-after", SAVED[1]),
    ),
    Step("config-changes", "which config files the upgrade changed", _config_changes),
)
UPGRADE_NAMES = tuple(step.name for step in UPGRADE_STEPS)
