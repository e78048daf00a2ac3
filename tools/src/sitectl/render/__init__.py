"""Render an environment, at a git ref, into a directory of plain, diffable, secret-free files.

    from sitectl.render import render
    out = render(repo, "example-site", ref="main", services=["nova"])

render(repo, env, *, ref=None, services=None, skip=(), out=None, vault_password_file=None,
       use_cache=True, cache_dir=None, sealed=False, toolchain=None) -> Path
cached(repo, env, *, ref=None, services=None, skip=(), vault_password_file=None,
       cache_dir=None, sealed=False, toolchain=None) -> Path | None
          (render's entry for these, or None)
sealed_configuration(repo, env) -> context manager of a Path
          (the working tree's configuration, copied and sealed)
configuration_at(repo, ref) -> context manager of a Path (the configuration at a commit,
          copied as a render reads it)
write_configuration(repo, commit, destination) -> destination (the configuration at a
          commit, written whole or not at all, to keep)
dump_sealed(repo, env, dump) -> dump(copy) of a sealed copy, naming the repository, not the
          copy (`show --sealed`, `validate --sealed`)

  repo      the configuration repository (a git checkout for `ref`).
  env       a kayobe environment of the configuration at that ref; None: the base
            configuration alone (kayobe without --environment).
  ref       any git revision (branch, tag, commit, `HEAD~1`...); None renders the working tree
            as it is on disk (uncommitted changes included). Either way kayobe runs on a
            snapshot in a scratch directory: the repository is never written to.
  services  kolla-ansible tags (e.g. ["nova", "neutron"]); None renders every service.
  skip      kolla-ansible tags left out (the config diff leaves out "loadbalancer" when the
            change cannot reach it).
  out       where to put the render: replaced whole (it must be absent, empty or an earlier
            render); None returns the cache entry itself, which callers must not modify.
  vault_password_file
            as sitectl's global option; default $KAYOBE_VAULT_PASSWORD,
            $KAYOBE_VAULT_PASSWORD_FILE, then REPO/.vault-password.
  use_cache False renders afresh without reading or writing the cache (the result goes to
            `out`, or to a new directory of the caller's in the system's temporary directory).
  cache_dir where renders are cached (default REPO/.cache/sitectl/render). Entries depend only
            on their inputs, so repositories may share one.
  sealed    render without the vault password: each vault-encrypted value is replaced by a
            stand-in named after its ciphertext (sealed.py); nothing is decrypted.
  toolchain a sitectl.toolchains.Toolchain to render with; None (or the running one): the
            virtualenv sitectl runs in. Another one runs this render in a child process with
            that virtualenv's Python (elsewhere.py); its entries are cached by its versions.

Returns the render directory, laid out as sitectl.render_layout declares.

Guarantees:
  - Secrets never appear: each is replaced by `<redacted:XXXXXXXX>`, the first 8 hex digits of
    HMAC-SHA256(vault password, secret), so equal secrets give equal tokens across renders
    made with the same password (see redaction.py). Run-specific paths and the throwaway SSH
    key are normalised to `<render:...>` placeholders (see normalise.py).
  - Deterministic: the same inputs render byte-identical files; no timestamps anywhere. What
    kayobe would generate at random (kolla passwords the configuration lacks) comes from one
    pool generated once per cache (passwords.py), so it is the same in every render.
  - Nothing is contacted: every host is local, facts are synthesised (facts.py), the one
    live-cloud lookup kolla makes is answered by a stand-in (standins/) that refuses anything
    else.
  - All or nothing: bad input (unknown ref or environment, a configuration kayobe rejects,
    a missing or wrong vault password) raises SiteError and leaves no output directory.
  - Cached by a hash of the inputs (cache.py): repeating a render costs no kayobe run.
    kayobe's own layer is kept apart (layer.py), so a render that differs from an earlier
    one only in kolla/config starts at kayobe's kolla-openstack.yml (kayobe_steps.py).
  - Every core is used: kolla-ansible genconfig runs in parts that share no task
    (partitions.py), which together write what one run writes.
  - A render of some services has kayobe's kolla-openstack.yml build only the kolla/config
    overrides their roles read (custom_config.py), when that is known for certain.
Progress (phases, kolla-ansible's slow roles, timings) goes to stderr.
"""

from sitectl.render.pipeline import cached, render
from sitectl.render.sealed_copy import (
    configuration_at,
    dump_sealed,
    sealed_configuration,
    write_configuration,
)
from sitectl.render.services import selection
from sitectl.render_layout import FORMAT

__all__ = [
    "FORMAT",
    "cached",
    "configuration_at",
    "dump_sealed",
    "render",
    "sealed_configuration",
    "selection",
    "write_configuration",
]
