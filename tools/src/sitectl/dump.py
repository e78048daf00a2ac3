"""An environment's resolved configuration, through `kayobe configuration dump`, redacted.

Results are cached under REPO/.cache/sitectl/dump/, keyed by everything they depend on (every
file of the configuration, the arguments, the toolchain, sitectl's own code), so the many tests
that read the same dump run kayobe once. Only redacted data is ever written.
"""

import hashlib
import json
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from sitectl import config_tree, kayobe, redact, vault
from sitectl.environments import discover, kayobe_args, layering
from sitectl.environments import label as environment_label
from sitectl.errors import SiteError
from sitectl.files import write_atomically
from sitectl.progress import note, step
from sitectl.repo import cache_dir, environments_dir, kayobe_config_dir

# Variables that kayobe's dump playbook adds for itself (dump_path is a fresh temp directory).
CONTROL_VARS = ("dump_path", "dump_hosts", "dump_var_name", "dump_facts")
CACHE_FORMAT = "sitectl-dump-1"
CACHE_ENTRIES = 256  # the newest are kept
MAX_CACHED_BYTES = 64 * 2**20  # a bigger dump is not kept (see _write_cache)
NO_HOSTS = "no host of"  # how a dump that matches no host is reported


def dump(
    repo: Path,
    env: str | None,
    host: str | None = None,
    hosts: str | None = None,
    var: str | None = None,
    vault_password_file: Path | None = None,
) -> Any:
    """The redacted output of `kayobe configuration dump [--environment ENV]` (None: the
    base configuration alone).

    Without `var`: {host: {variable: value}}, or {variable: value} for one `host`.
    With `var`: {host: value}, or just the value for one `host`.
    """
    if host and hosts:
        raise SiteError("give either a host or a hosts pattern, not both.")
    layering(discover(repo), env)  # unknown environment, broken dependencies: say so first
    label = environment_label(env)
    label += f" (host {host})" if host else f" (hosts {hosts})" if hosts else ""
    label += f" var {var}" if var else ""
    # Unlocked before the cache is read: a wrong password fails even when the dump is cached.
    unlocked = vault.unlock(repo, env, vault_password_file)
    key = cache_key(repo, env, host, hosts, var)
    cached_file = cache_dir(repo, "sitectl", "dump") / f"{key}.json"
    cached = _read_cache(cached_file)
    if cached is not None:
        note("dump", f"{label}: cached")
        return cached["data"]

    args = ["configuration", "dump", *kayobe_args(env)]
    args += ["--host", host] if host else ["--hosts", hosts] if hosts else []
    args += ["--var-name", var] if var else []
    with step("dump", f"{label}: kayobe configuration dump"):
        ran = kayobe.run(
            repo,
            args,
            password=unlocked.password.value if unlocked.password else None,
            secrets=unlocked.secrets,
        )
    output = ran.stdout
    try:
        data = json.loads(output)
    except json.JSONDecodeError as e:
        # Never show the output itself: it holds the secrets in clear text.
        raise SiteError(
            f"kayobe configuration dump for {label} did not print JSON ({e.msg} at line "
            f"{e.lineno}); rerun it by hand: {kayobe.command_line(repo, args)}"
        ) from None
    if data == {} and not (host and var):  # (one host's variable may legitimately be {})
        raise SiteError(
            f"{NO_HOSTS} {environment_label(env, 'environment ')} matches "
            f"{host or hosts or 'all'!r}; list its hosts with: "
            f"sitectl show {env + ' ' if env else ''}--var inventory_hostname"
        )
    data = redact.redact(
        _without_control_vars(data, single_host=bool(host), var=var),
        {*unlocked.secrets, *ran.generated},
    )
    _write_cache(cached_file, {"format": CACHE_FORMAT, "environment": env, "data": data})
    return data


def _without_control_vars(data: Any, single_host: bool, var: str | None) -> Any:
    if var is not None or not isinstance(data, dict):
        return data
    hostvars = [data] if single_host else [v for v in data.values() if isinstance(v, dict)]
    for variables in hostvars:
        for name in CONTROL_VARS:
            variables.pop(name, None)
    return data


# --- the cache ------------------------------------------------------------------------------


def cache_key(
    repo: Path, env: str | None, host: str | None, hosts: str | None, var: str | None
) -> str:
    digest = hashlib.sha256()

    def add(*parts: str | bytes) -> None:
        for part in parts:
            digest.update(part if isinstance(part, bytes) else part.encode())
            digest.update(b"\0")

    add(CACHE_FORMAT, env if env is not None else "<base>", host or "", hosts or "", var or "")
    add(metadata.version("kayobe"), metadata.version("ansible-core"))
    # The dump names these paths (kayobe_config_path, ssh_private_key_path, the venv python).
    add(str(repo), sys.prefix, os.environ.get("HOME", ""))
    # sitectl's own code that shapes the result (redaction rules, secret discovery...).
    for module in sorted(Path(__file__).parent.glob("*.py")):
        add(module.name, module.read_bytes())
    for label, path in config_files(repo):
        add(label, path.read_bytes() if path.exists() else f"broken link {os.readlink(path)}")
    return digest.hexdigest()


def config_files(repo: Path) -> list[tuple[str, Path]]:
    """Every file of the configuration (etc/kayobe, the environments through its symlink,
    followed once), as (label, path), in a stable order."""
    files: list[tuple[str, Path]] = []
    seen: set[str] = set()
    for root in (kayobe_config_dir(repo), environments_dir(repo)):
        for directory, dirnames, filenames in os.walk(root, followlinks=True):
            real = os.path.realpath(directory)
            if real in seen:
                dirnames[:] = []
                continue
            seen.add(real)
            # What is not configuration (config_tree.SKIP: git's and Python's own files, such
            # as the __pycache__ Ansible's first run writes beside a filter plugin) is skipped,
            # as every other cache skips it.
            dirnames[:] = sorted(d for d in dirnames if d not in config_tree.SKIP)
            filenames = [n for n in filenames if not n.endswith((".pyc", ".pyo"))]
            relative = os.path.relpath(directory, root.parent)
            files += [(os.path.join(relative, n), Path(directory, n)) for n in sorted(filenames)]
    return files


def _read_cache(path: Path) -> dict[str, Any] | None:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(content, dict) and content.get("format") == CACHE_FORMAT and "data" in content:
        return content
    return None


def _write_cache(path: Path, content: dict[str, Any]) -> None:
    """Keep the dump, unless it is too big to be worth keeping (a huge variables file
    repeated on every host): then say so, and keep nothing."""
    text = json.dumps(content, sort_keys=True)
    if len(text) > MAX_CACHED_BYTES:
        note(
            "dump",
            f"not cached: the resolved variables take {len(text) / 2**20:.0f} MiB (more than "
            f"{MAX_CACHED_BYTES // 2**20} MiB; a very large variables file is copied to every "
            "host's variables)",
        )
        return
    write_atomically(path, text)
    for old in sorted(path.parent.glob("*.json"), key=_mtime, reverse=True)[CACHE_ENTRIES:]:
        old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # removed by a concurrent run
        return 0.0
