"""The render itself: snapshot, cache lookup, kayobe's dump, facts, service configuration
generation, then normalised and redacted output (see the package docstring for the contract).
"""

import hmac
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sitectl import kayobe as core_kayobe
from sitectl import outdir, release, vault
from sitectl import render_layout as layout
from sitectl.dump import CONTROL_VARS
from sitectl.environments import discover, kayobe_args, layering
from sitectl.environments import label as environment_label
from sitectl.errors import SiteError
from sitectl.progress import note
from sitectl.render import (
    cache,
    custom_config,
    facts,
    harness,
    kayobe_steps,
    layer,
    partitions,
    passwords,
    services,
    snapshot,
)
from sitectl.render import sealed as sealing
from sitectl.render.elsewhere import render_with
from sitectl.render.normalise import Normaliser
from sitectl.render.redaction import Redactor
from sitectl.render.standins import DIRECTORY as STANDINS
from sitectl.render.timings import Timings
from sitectl.repo import cache_dir as repo_cache_dir
from sitectl.toolchains import Toolchain

TAG = harness.TAG
GENERATE = kayobe_steps.COMMAND
YAML_WIDTH = 1_000_000


def render(
    repo: Path,
    env: str | None,
    *,
    ref: str | None = None,
    services: Sequence[str] | None = None,
    skip: Sequence[str] = (),
    out: Path | None = None,
    vault_password_file: Path | None = None,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    sealed: bool = False,
    toolchain: Toolchain | None = None,
) -> Path:
    """Render environment `env` of `repo` (None: the base configuration) at `ref` (None: the
    working tree); see the package docstring. Returns the render directory."""
    if toolchain is not None and not toolchain.is_running:
        return render_with(
            toolchain,
            repo,
            env,
            ref=ref,
            services=list(services) if services is not None else None,
            skip=list(skip),
            out=out,
            vault_password_file=vault_password_file,
            use_cache=use_cache,
            cache_dir=cache_dir,
            sealed=sealed,
        )
    started = time.monotonic()
    out = outdir.check(out, RENDER, repo) if out is not None else None
    with (
        _prepared(repo, env, ref, services, skip, vault_password_file, cache_dir, sealed) as job,
        _claimed(job, use_cache),
    ):
        if job.secrets.generated:
            note(
                TAG,
                f"{job.label}: {len(job.secrets.generated)} kolla passwords are not in the "
                "configuration; using the generated stand-ins every render shares",
            )
        if use_cache:
            hit = cache.lookup(job.root, job.input_hash, ref, job.source.commit)
            if hit is not None:
                note(TAG, f"{job.label}, {job.what}: cached ({hit})")
                return _deliver(hit, out)
            same = cache.sibling(job.root, job.input_hash)
            if same is not None:
                note(TAG, f"{job.label}, {job.what}: same inputs as cached {same.name}; copying")
                with _building(job.root) as staged:
                    cache.copy_render(same, staged)
                    made = layout.read_meta(same)
                    redactor = Redactor(job.secrets.key, job.secrets.plaintexts)
                    _write_meta(staged, {**job.meta, **_made(made)}, redactor)
                    entry = cache.publish(staged, job.root / job.entry_name)
                return _deliver(entry, out)

        note(TAG, f"{job.label}, {job.what}: rendering (input {job.input_hash[:12]})")
        job.secrets.write_passwords()
        redactor = Redactor(job.secrets.key, job.secrets.plaintexts)
        layers = layer.Cache(job.root, job.secrets.key) if use_cache and job.layer_key else None
        with _building(job.root) as staged:
            made = _render_into(staged, job, env, layers, redactor)
            overridden = made.pop("overridden")
            made["generated_secrets"] = [
                key for key in job.secrets.generated if key not in overridden
            ]
            _write_meta(staged, {**job.meta, **made}, redactor)
            if use_cache:
                result = cache.publish(staged, job.root / job.entry_name)
            else:
                result = _move_out(staged, out)
        note(TAG, f"{job.label}, {job.what}: done in {time.monotonic() - started:.1f} s")
    return _deliver(result, out) if use_cache else result


def cached(
    repo: Path,
    env: str | None,
    *,
    ref: str | None = None,
    services: Sequence[str] | None = None,
    skip: Sequence[str] = (),
    vault_password_file: Path | None = None,
    cache_dir: Path | None = None,
    sealed: bool = False,
    toolchain: Toolchain | None = None,
) -> Path | None:
    """The cache entry render() would return for these arguments, without rendering on a
    miss (an entry made for another ref with the same inputs too: callers use it in place and
    must not modify it). Bad input raises SiteError, as render() would. Nothing is written
    (no render made the generated passwords yet: then there is no entry that used them).
    With another toolchain than the running one: None (its render looks its cache up)."""
    if toolchain is not None and not toolchain.is_running:
        return None
    with _prepared(
        repo, env, ref, services, skip, vault_password_file, cache_dir, sealed, create=False
    ) as job:
        return cache.lookup(job.root, job.input_hash, ref, job.source.commit) or cache.sibling(
            job.root, job.input_hash
        )


def input_hash(
    repo: Path,
    env: str | None,
    *,
    ref: str | None = None,
    services: Sequence[str] | None = None,
    skip: Sequence[str] = (),
    vault_password_file: Path | None = None,
    cache_dir: Path | None = None,
    sealed: bool = False,
) -> str:
    """The input hash render() would cache these arguments' render under."""
    with _prepared(repo, env, ref, services, skip, vault_password_file, cache_dir, sealed) as job:
        return job.input_hash


def side_label(name: str, ref: str | None, commit: str) -> str:
    """How progress and errors name a render: the environment and the ref, with its commit
    (once: a ref that is itself a commit id is shown as the short id)."""
    if not ref:
        return f"{name} (working tree)"
    if re.fullmatch(r"[0-9a-f]{7,40}", ref) and commit.startswith(ref):
        return f"{name} at {commit[:12]}"
    return f"{name} at {ref} ({commit[:12]})"


@dataclass
class _Job:
    """One render's inputs, checked and hashed; the snapshot is ready in `scratch`."""

    scratch: harness.Scratch
    source: snapshot.Source
    root: Path  # the render cache
    chosen: list[str] | None
    skipped: list[str]  # kolla-ansible tags left out (--skip-tags)
    secrets: "_Secrets"
    input_hash: str
    hooks: list[str]  # the configuration's hooks around the generate command
    layer_key: str  # kayobe's layer (layer.py); "" when it cannot be reused
    layer_why: str  # why it cannot, when it cannot
    meta: dict[str, Any]
    label: str
    what: str

    @property
    def entry_name(self) -> str:
        return cache.entry_name(self.input_hash, self.source.ref, self.source.commit)


@contextmanager
def _prepared(
    repo: Path,
    env: str | None,
    ref: str | None,
    services_: Sequence[str] | None,
    skip: Sequence[str],
    vault_password_file: Path | None,
    cache_dir: Path | None,
    sealed: bool,
    create: bool = True,
) -> Iterator[_Job]:
    """Everything before kayobe runs, in the order that fails fastest: the ref, the
    environment, the vault (unlocked or sealed), kolla's passwords, the input hash."""
    repo = Path(repo).absolute()
    chosen = _selection(services_)
    skipped = (services.selection(skip) or []) if skip else []
    source = snapshot.resolve(repo, ref)
    root = Path(cache_dir) if cache_dir is not None else repo_cache_dir(repo, "sitectl", "render")
    name = environment_label(env)
    label = side_label(name, ref, source.commit)
    with harness.scratch_directory() as scratch:
        snapshot.materialise(repo, source, scratch.repo)
        if env is not None:
            layering(discover(scratch.repo), env)  # an unknown environment: say so first
        secrets = _unlock(
            repo,
            scratch.repo,
            env,
            vault_password_file,
            sealed,
            lambda: passwords.pool(root, create),
            label,
        )
        input_hash = cache.input_hash(
            scratch.repo,
            env,
            chosen,
            secrets.key,
            extra=(secrets.mode, secrets.pool_digest, *(f"skip:{tag}" for tag in skipped)),
        )
        hooks = _hooks(scratch.repo, env)
        # Only a render that may run kayobe needs its layer's key (a lookup does not).
        layer_key, layer_why = _layer_key(scratch.repo, env, secrets, hooks) if create else ("", "")
        meta = {
            "format": layout.FORMAT,
            "environment": env,
            "ref": ref,
            "commit": source.commit,
            "input_hash": input_hash,
            "services": "all" if chosen is None else chosen,
            **({"skipped": skipped} if skipped else {}),
            "tools": cache.tool_versions(),
            "vault": secrets.mode,
            # Refined after kayobe ran: the keys its own overrides set are not generated.
            "generated_secrets": list(secrets.generated),
            **_configuration_notes(scratch.repo, label),
        }
        job = _Job(
            scratch=scratch,
            source=source,
            root=root,
            chosen=chosen,
            skipped=skipped,
            secrets=secrets,
            input_hash=input_hash,
            hooks=hooks,
            layer_key=layer_key,
            layer_why=layer_why,
            meta=meta,
            label=label,
            what=("all services" if chosen is None else "services " + ",".join(chosen))
            + (f" but kolla's {','.join(skipped)} step" if skipped else ""),
        )
        with _explaining_left_out(repo, source, scratch.repo):
            yield job


@contextmanager
def _explaining_left_out(repo: Path, source: snapshot.Source, copy: Path) -> Iterator[None]:
    """A failed render's error, with why the files it needed are not in the snapshot when
    the snapshot left them out (Ansible only says that a lookup or a script failed)."""
    try:
        yield
    except SiteError as e:
        more = snapshot.left_out(repo, source, copy, e.render())
        if not more:
            raise
        raise SiteError(e.message, [*e.details, "", *more], e.exit_code) from None


@dataclass
class _Secrets:
    """What a render knows of the configuration's secrets before kayobe runs."""

    key: str | None  # the vault password (None: none given, or sealed)
    mode: str  # "decrypted", "sealed" or "none" (nothing encrypted)
    plaintexts: set[str]  # everything to redact
    generated: tuple[str, ...]  # kolla passwords filled from the generated pool
    pool_digest: str
    passwords_path: Path
    completed: dict[str, Any] | None  # the passwords.yml to write (None: leave the site's)

    def write_passwords(self) -> None:
        if self.completed is not None:
            passwords.write_site(self.passwords_path, self.completed, self.key)


def _unlock(
    repo: Path,
    snapshot_repo: Path,
    env: str | None,
    vault_password_file: Path | None,
    sealed: bool,
    pool: Callable[[], tuple[dict[str, Any], str]],
    label: str,
) -> _Secrets:
    """Decrypt (or seal) every vault value the render reads, and complete kolla's passwords
    from the generated pool. Runs before the cache lookup: a wrong password fails here even
    when the render is cached."""
    roots = vault.config_roots(snapshot_repo, env)
    encrypted = vault.find_encrypted(roots)
    passwords_path = passwords.passwords_file(snapshot_repo, env)
    password = None if sealed else vault.find_password(repo, vault_password_file)
    if sealed:
        pool_values, pool_digest = pool()
        try:
            plaintexts = sealing.seal(encrypted, snapshot_repo, roots, passwords_path, pool_values)
        except SiteError as e:
            raise SiteError(f"{label}: {e.message}", e.details, e.exit_code) from None
        mode = "sealed" if encrypted else "none"
    else:
        if encrypted and password is None:
            raise vault.missing_password(repo, sealed_option=True)
        plaintexts = _decrypt(encrypted, password, snapshot_repo, label)
        pool_values, pool_digest = pool()  # made only once the vault is known to open
        mode = "decrypted" if encrypted else "none"
    key = password.value if password else None
    try:
        site = passwords.read_site(passwords_path, key)
    except SiteError as e:
        message = e.message.replace(f"{snapshot_repo}/", "")
        raise SiteError(f"{label}: {message}", e.details, e.exit_code) from None
    completed, completion = passwords.complete(site, pool_values, pool_digest)
    return _Secrets(
        key=key,
        mode=mode,
        plaintexts=plaintexts | completion.plaintexts,
        generated=completion.generated,
        pool_digest=completion.pool_digest,
        passwords_path=passwords_path,
        completed=completed if completion.used else None,
    )


def _decrypt(
    encrypted: list[vault.Encrypted],
    password: vault.VaultPassword | None,
    snapshot_root: Path,
    label: str,
) -> set[str]:
    """The plaintexts to redact; errors name the repository's files, not the snapshot's."""
    if password is None:
        return set()
    try:
        return vault.decrypt_copy(encrypted, password, snapshot_root, "") | {password.value}
    except SiteError as e:
        raise SiteError(f"{label}: {e.message}", e.details, e.exit_code) from None


def _selection(services_: Sequence[str] | None) -> list[str] | None:
    if isinstance(services_, str):  # a common slip: "nova,neutron" instead of a list
        services_ = services_.split(",")
    return services.selection(services_)


def _render_into(
    staged: Path,
    job: _Job,
    env: str | None,
    layers: layer.Cache | None,
    redactor: Redactor,
) -> dict[str, Any]:
    """Run kayobe; returns what render.json records of the run: "hosts", "kayobe_layer"
    (made or reused, and why), "custom_config" (which overrides kolla-openstack.yml copied),
    "genconfig" (one run, or parts at once) and "overridden" (the kolla passwords kayobe
    sets itself, kolla_ansible_custom_passwords)."""
    scratch, label = job.scratch, job.label
    scratch.prepare()
    run_env = harness.environment(scratch, job.secrets.key)
    normaliser = Normaliser(
        paths={
            "repo": scratch.repo,
            "kolla-config": scratch.kolla,
            "node-config": scratch.nodes,
            "home": scratch.home,
            "stand-ins": STANDINS,
            "scratch": scratch.root,
            "venv": Path(sys.prefix),
        },
        literals={
            "ssh-private-key": harness.SSH_PRIVATE_KEY.strip(),
            "ssh-public-key": harness.SSH_PUBLIC_KEY.strip(),
        },
    )

    def tidy(text: str) -> str:
        return redactor.text(normaliser.text(text))

    def kayobe(
        step: str | None,
        what: str,
        args: Sequence[str],
        follow: bool = False,
        seconds: dict[str, float] | None = None,
    ) -> str:
        """`kayobe ARGS`, or a step of kayobe_steps.py with ARGS (the generate command's)."""
        with _phase(f"{label}: {what}"):
            try:
                return harness.run(
                    scratch,
                    args,
                    env=run_env,
                    tidy=tidy,
                    label=f"kayobe {what} of {environment_label(env)}",
                    step=step,
                    follow_roles=follow,
                    role_seconds=seconds,
                    side=label,
                )
            finally:  # what the password lookup made up is a secret like any other
                redactor.learn(core_kayobe.generated_secrets(scratch.tmp))

    generate = [
        *kayobe_args(env),
        "--skip-prechecks",
        "--node-config-dir",
        f"{scratch.nodes}/{{{{ inventory_hostname }}}}",
        *harness.local_vars(scratch),
        *harness.kolla_local_vars(),
    ]
    # kayobe's command in steps when it can be (kayobe_steps.py), and kolla-ansible's
    # genconfig in parts when nothing runs around it (hooks).
    in_steps = not kayobe_steps.unsupported()
    in_parts = in_steps and not job.hooks
    passwords_file = job.secrets.passwords_path
    made = layers.restore(job.layer_key, scratch, passwords_file) if layers else None
    reused = made is not None
    redactor.learn(core_kayobe.generated_secrets(scratch.tmp))
    if made is not None:
        how = f"reused (an earlier render's, same inputs but kolla/config; {job.layer_key[:12]})"
        note(TAG, f"{label}: kayobe's layer {how}")
    else:
        made = _dump(scratch, env, normaliser, redactor, kayobe)
    scope = _custom_config_scope(job, made, in_parts)
    custom_config_step = (
        "custom-config",
        f"kolla-openstack.yml ({'some' if scope.left_out else 'all'} of the site's kolla/config)",
        [*generate, *scope.write(scratch.root / "custom-config-scope.json")],
    )
    custom_config_done = False
    if not reused:
        layer_step = ("layer", "kolla-ansible.yml (kayobe's layer)", generate)
        if in_parts:  # they write apart (KOLLA_CONFIG_PATH, and its config/): both at once
            with ThreadPoolExecutor(max_workers=2) as pool:
                steps = (layer_step, custom_config_step)
                for done in [pool.submit(kayobe, *step) for step in steps]:
                    done.result()
            custom_config_done = True
        elif in_steps:
            kayobe(*layer_step)
        if layers is not None:
            layers.save(job.layer_key, scratch, passwords_file, made)
        how = f"made ({job.layer_why})" if job.layer_why else "made"
    for host in made.hosts:
        for shared in services.SHARED_DIRECTORIES:
            (scratch.nodes / host / shared).mkdir(parents=True, exist_ok=True)

    tags = ["--tags", ",".join(job.chosen)] if job.chosen is not None else []
    if job.skipped:
        tags += ["--skip-tags", ",".join(job.skipped)]
    # Only a full render times every role: in a selected one, the others ran no task.
    full = job.chosen is None and not job.skipped
    timings = Timings(job.root, env) if layers is not None else None
    seconds: dict[str, float] = {}
    parts = None
    if not in_steps:  # the whole command: kayobe's layer again, then the rest
        what = "overcloud service configuration generate"
        kayobe(None, what, [*GENERATE, *generate, *tags], follow=True, seconds=seconds)
    elif not in_parts:
        what = "kolla-openstack.yml and kolla-ansible genconfig"
        kayobe("services", what, [*generate, *tags], follow=True, seconds=seconds)
    else:
        if not custom_config_done:
            kayobe(*custom_config_step)
        disabled = _disabled_services(scratch.kolla / "globals.yml")
        costs = timings.read() if timings is not None else None
        parts = partitions.split(
            job.chosen, job.skipped, partitions.count(len(made.hosts)), disabled, costs
        )
        if parts is None:
            what = "kolla-ansible genconfig"
            kayobe("genconfig", what, [*generate, *tags], follow=True, seconds=seconds)
        else:
            with _phase(f"{label}: kolla-ansible genconfig in {len(parts)} parts at once"):
                seconds = _genconfig_parts(scratch, run_env, tidy, label, env, generate, parts)
    if timings is not None and full:
        timings.write(seconds)
    genconfig = f"{len(parts)} parts at once" if parts else "one run"
    with _phase(f"{label}: writing the render"):
        for relative, text in made.kayobe.items():
            _write(staged / relative, text)
        globals_file = scratch.kolla / "globals.yml"
        if not globals_file.is_file():
            raise SiteError(
                f"kayobe wrote no kolla globals.yml for {environment_label(env)}; nothing to "
                "render."
            )
        _copy_file(globals_file, staged / layout.GLOBALS, normaliser, redactor)
        _copy_tree(
            scratch.kolla / "inventory" / "overcloud",
            staged / layout.INVENTORY,
            normaliser,
            redactor,
        )
        for host_dir in sorted(p for p in scratch.nodes.iterdir() if p.is_dir()):
            _copy_tree(host_dir, layout.host_config(staged, host_dir.name), normaliser, redactor)
        for name in (layout.KAYOBE, layout.KOLLA, layout.CONFIG):
            (staged / name).mkdir(exist_ok=True)
    empty = _why_no_service_files(staged, made.hosts, job.chosen)
    if empty:
        note(TAG, f"{label}: {empty}")
    return {
        **({"notes": [*job.meta.get("notes", []), empty]} if empty else {}),
        "hosts": made.hosts,
        "overridden": set(made.overridden),
        "kayobe_layer": how,
        "custom_config": scope.why,
        "genconfig": genconfig,
    }


def _why_no_service_files(
    staged: Path, hosts: Sequence[str], chosen: Sequence[str] | None
) -> str | None:
    """When kolla-ansible wrote no service file at all, the likely reasons (a render with no
    service files is otherwise a silent puzzle)."""
    if any((staged / layout.CONFIG).iterdir()):
        return None
    selected = f"the selected services ({', '.join(chosen)})" if chosen else "every service"
    return (
        f"kolla-ansible generated no service file for {selected} on {len(hosts)} host(s): no "
        "host is in a group that runs one (kayobe's controllers, network, compute, storage "
        "and monitoring groups feed kolla-ansible's; see kolla/inventory/overcloud in this "
        "render), or those services are disabled (enable_* in kolla/globals.yml)"
    )


def _custom_config_scope(job: _Job, made: layer.Made, in_parts: bool) -> custom_config.Scope:
    """What kayobe's kolla-openstack.yml copies: in steps, for a selected render, only what
    the selected services read; else (around hooks, or kayobe's whole command) everything."""
    if not in_parts:
        why = f"{custom_config.EVERY} (hooks run around kayobe's command, or it runs whole)"
        return custom_config.Scope(frozenset(), why)
    return custom_config.scope(job.chosen, job.skipped, made.kayobe.values())


def _genconfig_parts(
    scratch: harness.Scratch,
    run_env: Mapping[str, str],
    tidy: Callable[[str], str],
    label: str,
    env: str | None,
    generate: Sequence[str],
    parts: list[partitions.Part],
) -> dict[str, float]:
    """Run kolla-ansible genconfig once per part, concurrently (each with its own copy of
    the fact cache); the first failure is raised once all have ended. Returns the seconds
    each role took."""
    seconds: list[dict[str, float]] = [{} for _ in parts]

    def one(index: int, part: partitions.Part) -> SiteError | None:
        facts_copy = scratch.root / f"facts-{index}"
        shutil.copytree(scratch.facts, facts_copy)
        part_env = {**run_env, "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(facts_copy)}
        what = f"kolla-ansible genconfig, part {index + 1} of {len(parts)}"
        try:
            harness.run(
                scratch,
                [*generate, *part.args()],
                env=part_env,
                tidy=tidy,
                label=f"kayobe {what} of {environment_label(env)}",
                step="genconfig",
                follow_roles=True,
                role_seconds=seconds[index],
                side=f"{label}, part {index + 1}",
            )
        except SiteError as e:
            return e
        return None

    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        failures = [e for e in pool.map(lambda pair: one(*pair), enumerate(parts)) if e]
    if failures:
        raise failures[0]
    total: dict[str, float] = {}  # every part lists every play; only one runs its tasks
    for part_seconds in seconds:
        for role, took in part_seconds.items():
            total[role] = total.get(role, 0.0) + took
    return total


def _disabled_services(globals_file: Path) -> set[str]:
    """The services kayobe's kolla globals.yml turns off (`enable_X: false`)."""
    return {name for name, on in layout.service_switches(globals_file).items() if not on}


def _dump(
    scratch: harness.Scratch,
    env: str | None,
    normaliser: Normaliser,
    redactor: Redactor,
    kayobe: Callable[..., str],
) -> layer.Made:
    """The hosts' variables (`kayobe configuration dump`), and the facts made from them: the
    first half of kayobe's layer (its kolla-ansible.yml is the second)."""
    output = kayobe("dump", "configuration dump", ["configuration", "dump", *kayobe_args(env)])
    hostvars = _parse_dump(output, env)
    hosts = sorted(hostvars)
    overridden = {
        key
        for variables in hostvars.values()
        for key in (variables.get("kolla_ansible_custom_passwords") or {})
    }
    facts_by_host = {
        host: facts.host_facts(host, variables) for host, variables in hostvars.items()
    }
    facts_by_host["localhost"] = facts.localhost_facts(
        next(iter(hostvars.values()), {}), scratch.home, scratch.repo
    )
    facts.write_fact_cache(scratch.facts, facts_by_host)
    variables = {
        layout.host_variables(Path(), host).as_posix(): _yaml(
            redactor.data(normaliser.data(hostvars[host]))
        )
        for host in hosts
    }
    return layer.Made(kayobe=variables, hosts=hosts, overridden=sorted(overridden))


def _hooks(repo: Path, env: str | None) -> list[str]:
    """The configuration's hook playbooks around `overcloud service configuration generate`."""
    return [
        str(path.relative_to(repo))
        for root in vault.config_roots(repo, env)
        for path in sorted((root / "hooks" / kayobe_steps.HOOKS).glob("*.d/*.yml"))
    ]


def _layer_key(
    repo: Path, env: str | None, secrets: "_Secrets", hooks: Sequence[str]
) -> tuple[str, str]:
    """The key of kayobe's layer ("": never reused) and, when it is not the usual one, why."""
    unsupported = kayobe_steps.unsupported()
    if unsupported:
        return "", f"not reusable: {unsupported}"
    if hooks:
        return "", f"not reusable: the configuration has hooks around the command ({hooks[0]})"
    reader = layer.reads_custom_config(snapshot.files(repo))
    # What is redacted shapes the layer's kayobe/ output: a changed secret anywhere (one in
    # kolla/config too) makes another layer (keyed by an HMAC, never the secrets' digest).
    redacted = hmac.new(
        (secrets.key or "").encode(), "\0".join(sorted(secrets.plaintexts)).encode(), "sha256"
    ).hexdigest()
    extra = (secrets.mode, secrets.pool_digest, layer.FORMAT, redacted)
    skip = None if reader else layer.is_custom_config
    key = cache.input_hash(repo, env, None, secrets.key, extra=extra, skip=skip)
    if reader:
        return key, f"kolla/config is part of its key: {reader} looks a file up by its path"
    return key, ""


def _made(meta: Mapping[str, Any]) -> dict[str, Any]:
    """What an earlier render of the same inputs recorded of its run."""
    kept = ("hosts", "generated_secrets", "kayobe_layer", "custom_config", "genconfig", "notes")
    return {key: meta[key] for key in kept if key in meta}


def _parse_dump(output: str, env: str | None) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(output)
    except json.JSONDecodeError as e:
        # Never show the output: it holds the secrets in clear text.
        raise SiteError(
            f"kayobe configuration dump of {environment_label(env)} did not print JSON ({e.msg} at "
            f"line {e.lineno}); try `sitectl show {env or ''}`."
        ) from None
    if not isinstance(data, dict) or not data:
        raise SiteError(f"{environment_label(env)} has no hosts: there is nothing to render.")
    for variables in data.values():
        if isinstance(variables, dict):
            for name in CONTROL_VARS:
                variables.pop(name, None)
    return {host: v for host, v in data.items() if isinstance(v, dict)}


# --- writing ----------------------------------------------------------------------------


def _yaml(data: Any) -> str:
    return yaml.safe_dump(
        data, sort_keys=True, width=YAML_WIDTH, default_flow_style=False, allow_unicode=True
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _write_meta(staged: Path, meta: Mapping[str, Any], redactor: Redactor) -> None:
    """render.json, redacted like every other file of the render."""
    layout.write_meta(staged, redactor.values(dict(meta)))


def _copy_file(source: Path, destination: Path, normaliser: Normaliser, redactor: Redactor) -> None:
    data = source.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        _write(destination, redactor.binary(data))
        return
    _write(destination, redactor.text(normaliser.text(text)))


def _copy_tree(source: Path, destination: Path, normaliser: Normaliser, redactor: Redactor) -> None:
    """Every regular file under `source` (empty directories are left out)."""
    if not source.is_dir():
        return
    for directory, dirnames, filenames in os.walk(source):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory, name)
            if path.is_symlink() or not path.is_file():
                continue
            _copy_file(path, destination / path.relative_to(source), normaliser, redactor)


# --- where the render goes --------------------------------------------------------------


@contextmanager
def _claimed(job: "_Job", use_cache: bool) -> Iterator[None]:
    """The cache's claim on these inputs (cache.claim), when the render goes to the cache."""
    if not use_cache:
        yield
        return

    def waiting() -> None:
        note(TAG, f"{job.label}, {job.what}: waiting for another process rendering the same inputs")

    with cache.claim(job.root, job.input_hash, waiting):
        yield


@contextmanager
def _building(root: Path) -> Iterator[Path]:
    """A directory to build a render in: `<root>/.tmp-*/render`, removed unless moved away."""
    root.mkdir(parents=True, exist_ok=True)
    parent = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    try:
        staged = parent / "render"
        staged.mkdir()
        yield staged
    finally:
        shutil.rmtree(parent, ignore_errors=True)


RENDER = outdir.kind("render", recognise=layout.is_render, marked=False)


def _deliver(entry: Path, out: Path | None) -> Path:
    """The cache entry itself, or a copy of it at `out` (replaced whole, never half-written)."""
    if out is None:
        return entry
    with outdir.replacing(out, RENDER) as staging:
        cache.copy_render(entry, staging)
    return out


def _move_out(staged: Path, out: Path | None) -> Path:
    """An uncached render: to `out`, or to a new directory of its own (the caller's)."""
    if out is None:
        target = Path(tempfile.mkdtemp(prefix="sitectl-render-out-"))
        target.rmdir()
        shutil.move(staged, target)
        return target
    with outdir.replacing(out, RENDER) as staging:
        staging.rmdir()
        shutil.move(staged, staging)
    return out


def _configuration_notes(snapshot_repo: Path, label: str) -> dict[str, list[str]]:
    """render.json "notes": what the reader of any render of this configuration must know
    (another release targeted, the machine read), each also said on stderr."""
    notes = [
        text
        for text in (release.mismatch(snapshot_repo), release.machine_note(snapshot_repo))
        if text
    ]
    for text in notes:
        note(TAG, f"{label}: {text}")
    return {"notes": notes} if notes else {}


@contextmanager
def _phase(what: str) -> Iterator[None]:
    started = time.monotonic()
    note(TAG, f"{what} ...")
    try:
        yield
    except BaseException:
        note(TAG, f"{what}: failed after {time.monotonic() - started:.1f} s")
        raise
    note(TAG, f"{what}: done in {time.monotonic() - started:.1f} s")
