"""`sitectl diff`, end to end: commits -> plan -> two renders -> comparison -> report.

Order matters for the operator: everything that can be checked cheaply (the revisions, the
merge, symbolic links leading out of the repository, the environment on both sides, the vault
password) is checked before the first render, so a mistake costs seconds, not minutes, and
leaves nothing behind.
"""

import contextlib
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from sitectl import config_tree, git, redact, release, scratch, stopping, toolchains, vault
from sitectl import render_layout as layout
from sitectl.diff import merge, plan, problems, services
from sitectl.diff.compare import compare
from sitectl.diff.model import Plan, Report, Side
from sitectl.environments import discover, label, layering
from sitectl.errors import SiteError
from sitectl.progress import note

# render(repo, env, *, ref, services, out, vault_password_file, use_cache, sealed) -> directory
Renderer = Callable[..., Path]
# lookup(repo, env, *, ref, vault_password_file, cache_dir, services, sealed) -> render or None
Lookup = Callable[..., Path | None]
SEALED_NOTE = (
    "ran without the vault password: every vault-encrypted value was rendered as a stand-in "
    "named after its ciphertext, so a secret shows as changed when its ciphertext changed "
    "(rotated, or re-encrypted) and as unchanged otherwise; nothing was decrypted"
)
MOVED_NOTE = (
    "the two sides are rendered with different toolchains (their requirements.txt and "
    "tools/constraints.txt differ), so a change below may come from the configuration or from "
    "the toolchain; each side's toolchain is named above"
)


@dataclass
class Request:
    repo: Path
    environment: str | None  # None: the base configuration alone
    base: str
    head: str | None = None  # None: the working tree (uncommitted changes included)
    full: bool = False  # render everything whatever the change
    services: Sequence[str] | None = None  # render only these kolla services, whatever the change
    vault_password_file: Path | None = None
    use_cache: bool = True
    cache_dir: Path | None = None  # the render cache (default: render's, under REPO/.cache)
    # Render without the vault password, secrets compared by ciphertext (render.sealed).
    # None: when the configuration is encrypted and no password is given.
    sealed: bool | None = None
    # Also list the problems head introduces: options the services reject or ignore
    # (sitectl.schema), variables nothing reads (sitectl.validate).
    check_options: bool = False
    # The commits whose pins render the base and the head side (None: each side's own when
    # the two differ, else the running toolchain). The upgrade rehearsal renders one
    # configuration with two toolchains, or two configurations with one.
    toolchains: tuple[str, str] | None = None


@dataclass
class Outcome:
    report: Report
    unified: str
    secrets: re.Pattern[str] | None = None  # known plaintexts, for the artifacts' last scrub
    # Each side's render (None: not rendered, or failed); cache entries: read, never modify.
    directories: dict[str, Path | None] = field(default_factory=dict)


def default_renderer() -> Renderer:
    from sitectl.render import render  # (Ansible's import cost: only when a diff renders)

    return render


def default_lookup() -> Lookup:
    """sitectl.render.cached: the cache entry render() would return, without rendering."""
    from sitectl.render import cached

    return cached


def run(
    request: Request, renderer: Renderer | None = None, lookup: Lookup | None = None
) -> Outcome:
    """`renderer` defaults to sitectl.render's; `lookup` (finding a cached render, e.g. a full
    one to use in place of a selected one) defaults to sitectl.render.cached with that
    renderer."""
    started = time.monotonic()
    if renderer is None and lookup is None and request.use_cache:
        lookup = default_lookup()
    repo = request.repo
    base_commit = git.resolve(repo, request.base)
    if request.head is None:
        head_commit = merge.snapshot_working_tree(repo)
        head_label = "the working tree"
    else:
        head_commit = git.resolve(repo, request.head)
        head_label = request.head
    merged = merge.merge_onto(repo, base_commit, head_commit, head_label, request.base)
    if merged not in (head_commit, base_commit):
        head_label = f"{head_label} merged onto {request.base}"
    base_side = Side(label=request.base, commit=base_commit, ref=request.base)
    head_side = Side(label=head_label, commit=merged, ref=request.head)

    env = request.environment
    name = label(env)
    _check_links(repo, base_commit, merged)
    base_layers, head_layers, secrets, sealed = _check_sides(request, base_commit, merged)
    changed = git.changed_files(repo, base_commit, merged)
    roots = plan.config_roots(git.symlinks(repo, merged, plan.CONFIG_ROOT))
    layers = set(head_layers) | set(base_layers or ())
    named = _named(repo, (base_commit, merged), changed, roots)
    the_plan = plan.plan(
        changed, layers, services.load(), roots, force_full=request.full, named=named
    )
    if request.services is not None and the_plan.mode != "none":
        the_plan = _only(the_plan, request.services)
    pinned_by = dict(
        zip(("base", "head"), request.toolchains or (base_commit, merged), strict=True)
    )
    pins = {side: toolchains.pins_at(repo, commit) for side, commit in pinned_by.items()}
    moved = pins["base"].digest != pins["head"].digest
    if moved and request.toolchains is None:  # every file may render differently
        the_plan = Plan("full", _moved(pins), changed_files=changed, trigger=_pin_file(changed))
        if request.services is not None:
            the_plan = _only(the_plan, request.services)
    if base_layers is None and the_plan.mode != "none":
        the_plan = Plan(
            "full",
            f"environment {env} does not exist on the base side",
            changed_files=changed,
        )
    note("diff", f"{name}: {the_plan.reason}")

    report = Report(environment=name, base=base_side, head=head_side, plan=the_plan)
    if not moved and request.toolchains is None:  # the running one renders both sides
        base_side.toolchain = head_side.toolchain = toolchains.running().describe()
    outcome = Outcome(report=report, unified="", secrets=secrets)
    report.notes += [n for n in (release.mismatch(repo), release.machine_note(repo)) if n]
    if base_layers is None:
        report.notes.append(f"environment {env} is new: everything in it shows as added")
    if env is None:
        report.notes.append(
            "rendered the base configuration alone (no --env), as kayobe does without --environment"
        )
    if sealed:
        note("diff", f"{name}: no vault password: secrets are compared by their ciphertext")
        report.notes.append(SEALED_NOTE)
    if moved:
        report.notes.append(MOVED_NOTE)
    if the_plan.mode != "none":
        with contextlib.ExitStack() as stack:
            private = None if request.use_cache else stack.enter_context(scratch.directory("diff-"))
            _render_and_compare(
                request,
                outcome,
                renderer or default_renderer(),
                lookup,
                base_layers,
                private,
                sealed,
                pinned_by if moved or request.toolchains else None,
            )
    report.duration_s = time.monotonic() - started
    return outcome


def _named(
    repo: Path, commits: Sequence[str], changed: Sequence[str], roots: Mapping[str, str]
) -> dict[str, frozenset[str]]:
    """The changed files outside the configuration that it names at either side, each with
    the configuration files that name it (plan.classify() judges them by those). Nothing is
    read when only configuration and documentation changed."""
    if not plan.may_be_named(changed, roots):
        return {}
    found: dict[str, frozenset[str]] = {}
    for commit in dict.fromkeys(commits):
        names = config_tree.named_at(repo, commit, lambda path: plan.is_read(path, roots))
        for path in set(changed) & names.keys():
            found[path] = found.get(path, frozenset()) | names[path]
    return found


def _only(the_plan: Plan, wanted: Sequence[str]) -> Plan:
    """The plan narrowed to the services asked for (checked against kolla-ansible's tags)."""
    from sitectl.render import selection

    names = selection(wanted) or []
    would = "every service" if the_plan.mode == "full" else ", ".join(the_plan.services)
    return Plan(
        "services",
        f"only {', '.join(names)} rendered, as asked (--services); the change alone would "
        f"render {would}",
        services=names,
        changed_files=the_plan.changed_files,
        trigger=the_plan.trigger,
    )


def _render_and_compare(
    request: Request,
    outcome: Outcome,
    render: Renderer,
    lookup: Lookup | None,
    base_layers: list[str] | None,
    scratch: Path | None,
    sealed: bool,
    pinned_by: Mapping[str, str] | None,
) -> None:
    """Render both sides, concurrently when the machine has the cores (a failure is recorded
    per side), then compare. With `pinned_by` ({side: commit}), each side is rendered with
    the toolchain that commit pins (made first if this machine has none: while the other side
    renders)."""
    report = outcome.report
    scope: Sequence[str] | None = report.plan.services or None
    dirs: dict[str, Path | None] = {"base": None}
    report.renders["base"] = None
    sides = [("head", report.head.commit)]
    if base_layers is not None:
        sides.insert(0, ("base", report.base.commit))

    skip = report.plan.skipped

    def one(side: str, commit: str) -> tuple[str, Path | None, str | None]:
        try:
            chain = toolchains.for_commit(request.repo, pinned_by[side]) if pinned_by else None
            if chain is not None:
                (report.base if side == "base" else report.head).toolchain = chain.describe()
            return (
                side,
                _render_side(
                    request, render, lookup, commit, scope, skip, side, sealed, scratch, chain
                ),
                None,
            )
        except SiteError as e:
            return side, None, e.render().removeprefix("sitectl: error: ")

    workers = min(len(sides), max(1, (os.cpu_count() or 1)))
    failed_first: str | None = None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(one, side, commit) for side, commit in sides]
        for future in as_completed(futures):
            side, directory, error = future.result()
            if error and failed_first is None:
                # The other side's render (a full one can take many minutes) can no longer
                # make a report: stop it now rather than report the failure after it.
                failed_first = side
                if not all(f.done() for f in futures):
                    stopping.kill_all()
            elif error:
                note("diff", f"{side}: stopped, the {failed_first} side failed first")
                report.renders.pop(side, None)
                report.notes.append(
                    f"the {side} side's render was stopped when the {failed_first} side failed"
                )
                continue
            dirs[side], report.renders[side] = directory, error
    outcome.directories = dict(dirs)
    failed = {side: error for side, error in report.renders.items() if error}
    if failed:
        report.error = "\n\n".join(
            f"{report.environment} does not render at the {side} side "
            f"({report.base.label if side == 'base' else report.head.label}):\n{error}"
            for side, error in failed.items()
        )
        return
    comparison = compare(dirs.get("base"), dirs["head"], services.load())
    report.inventory = comparison.inventory
    report.kayobe = comparison.kayobe
    report.globals = comparison.globals
    report.services = comparison.services
    report.rendering += comparison.notes
    report.notes += generated_notes(dirs)
    report.rendering += layer_notes(dirs)
    report.notes += [n for n in render_notes(dirs) if n not in report.notes]
    outcome.unified = comparison.unified
    if request.check_options:
        report.problems = problems.introduced(
            request.repo, request.environment, dirs.get("base"), dirs["head"]
        ) + problems.unread_introduced(
            request.repo,
            request.environment,
            {
                "base": (report.base.commit, dirs.get("base")),
                "head": (report.head.commit, dirs["head"]),
            },
        )


def generated_notes(dirs: dict[str, Path | None]) -> list[str]:
    """What the renders filled in themselves (render.json "generated_secrets")."""
    generated: set[str] = set()
    for directory in dirs.values():
        if directory is None:
            continue
        generated |= set(layout.read_meta(directory).get("generated_secrets") or ())
    if not generated:
        return []
    return [
        f"{len(generated)} kolla passwords are not set by the configuration (kayobe would "
        "generate them): both sides were rendered with the same generated stand-ins, not the "
        "site's values, so they show no change"
    ]


def render_notes(dirs: dict[str, Path | None]) -> list[str]:
    """What either side's render.json says every reader must know ("notes"), each once."""
    notes: list[str] = []
    for directory in dirs.values():
        if directory is not None:
            notes += [n for n in layout.read_meta(directory).get("notes") or () if n not in notes]
    return notes


def layer_notes(dirs: dict[str, Path | None]) -> list[str]:
    """What each side's render took from an earlier one, or left out, and why (render.json
    "kayobe_layer" and "custom_config")."""
    notes = []
    for side, directory in dirs.items():
        meta = layout.read_meta(directory) if directory is not None else {}
        if str(meta.get("kayobe_layer", "")).startswith("reused"):
            notes.append(
                f"{side}: kayobe's layer (the hosts' variables, kolla's globals.yml, inventory "
                "and passwords) came from an earlier render whose inputs differ only in "
                "kolla/config, which that layer does not read"
            )
        if str(meta.get("custom_config", "")).endswith("left out"):
            notes.append(
                f"{side}: kayobe's kolla-openstack.yml built only {meta['custom_config']} "
                "(no other override is read by what was rendered)"
            )
    return notes


def _render_side(
    request: Request,
    render: Renderer,
    lookup: Lookup | None,
    commit: str,
    scope: Sequence[str] | None,
    skip: Sequence[str],
    side: str,
    sealed: bool,
    scratch: Path | None = None,
    chain: toolchains.Toolchain | None = None,
) -> Path:
    """The side's render: a cached one when there is one, else made (with `chain`, the
    toolchain its commit pins, when the toolchain moves)."""
    chosen: dict[str, toolchains.Toolchain] = {"toolchain": chain} if chain else {}
    if lookup is not None:
        # A full render serves any selection; a selection with its whole loadbalancer step
        # serves one without.
        wanted: list[tuple[Sequence[str] | None, Sequence[str]]] = [(None, ())]
        if scope is not None:
            wanted += [(scope, ()), (scope, skip)] if skip else [(scope, ())]
        for services_, skip_ in wanted:
            cached = lookup(
                request.repo,
                request.environment,
                ref=commit,
                vault_password_file=request.vault_password_file,
                cache_dir=request.cache_dir,
                services=services_,
                skip=skip_,
                sealed=sealed,
                **chosen,
            )
            if cached is not None:
                what = "full render" if services_ is None else "render"
                note("diff", f"{side}: using a cached {what} ({cached.name})")
                return cached
    extra: dict[str, Path] = {}
    if request.cache_dir is not None:
        extra["cache_dir"] = request.cache_dir
    if not request.use_cache and scratch is not None:
        extra["out"] = scratch / side  # uncached renders go to a directory run() removes
    return render(
        request.repo,
        request.environment,
        ref=commit,
        services=scope,
        skip=skip,
        vault_password_file=request.vault_password_file,
        use_cache=request.use_cache,
        sealed=sealed,
        **extra,
        **chosen,
    )


def _pin_file(changed: Sequence[str]) -> str | None:
    return next((path for path in changed if path in toolchains.PIN_FILES), None)


def _moved(pins: Mapping[str, toolchains.Pins]) -> str:
    """The plan's reason when the pins differ: what moves, by the pins themselves."""
    before, after = pins["base"].pinned(), pins["head"].pinned()
    moves = [
        f"{name} {before.get(name, '(unpinned)')} → {after.get(name, '(unpinned)')}"
        for name in toolchains.RENDER_PACKAGES
        if before.get(name) != after.get(name)
    ]
    if moves:
        return f"the toolchain moves ({', '.join(moves)}): each side rendered with its own"
    return (
        "the pins changed (requirements.txt or tools/constraints.txt) though kayobe, "
        "kolla-ansible, kolla and ansible-core keep their versions: each side rendered with its "
        "own toolchain all the same, since a library they use may have moved"
    )


def _check_links(repo: Path, base_commit: str, head_commit: str) -> None:
    """Neither side's committed tree may hold a link out of the repository (config_tree):
    checked on the commits themselves, before any of their files is extracted or rendered."""
    for side, commit in (("head", head_commit), ("base", base_commit)):
        if side == "head" or commit != head_commit:
            config_tree.check_commit(repo, commit, f"at the {side} side ({git.short(commit)})")


def _check_sides(
    request: Request, base_commit: str, head_commit: str
) -> tuple[list[str] | None, list[str], re.Pattern[str] | None, bool]:
    """The environment's layering on each side (None: absent on the base side), every secret
    plaintext either side uses, and whether to render sealed. Errors name the side, not a
    temporary path."""
    env = request.environment
    password = vault.find_password(request.repo, request.vault_password_file)
    layers: dict[str, list[str] | None] = {}
    plaintexts: set[str] = set()
    encrypted_sides: list[tuple[str, str, list[vault.Encrypted], Path]] = []
    with contextlib.ExitStack() as trees:
        for side, commit in (("base", base_commit), ("head", head_commit)):
            tree = trees.enter_context(git.exported(request.repo, commit))
            try:
                layers[side] = layering(discover(tree), env)
            except SiteError as e:
                if side == "base" and env not in discover(tree):
                    layers[side] = None
                    continue
                message = e.message.replace(str(tree), f"{side}:")
                raise SiteError(f"at the {side} side ({git.short(commit)}): {message}") from None
            encrypted = vault.find_encrypted(vault.config_roots(tree, env))
            encrypted_sides.append((side, commit, encrypted, tree))
        sealed = request.sealed
        if sealed is None:
            sealed = password is None and any(found for _, _, found, _ in encrypted_sides)
        if not sealed:
            for side, _, encrypted, tree in encrypted_sides:
                if encrypted and password is None:
                    raise vault.missing_password(request.repo)
                if encrypted and password is not None:
                    plaintexts |= vault.decrypt_copy(encrypted, password, tree, f"{side}:")
    if password is not None and not sealed:
        plaintexts.add(password.value)
    head_layers = layers["head"]
    assert head_layers is not None
    return layers["base"], head_layers, redact.secrets_pattern(plaintexts), sealed
