"""A test-harness stand-in for sitectl.render: renders a tiny git repository in seconds.

It reads the tree of the given commit (git archive) and writes the render layout from it:
  - one host per line of etc/kayobe/inventory/hosts ("host group..."),
  - kayobe/<host>.yml: every top-level variable of etc/kayobe/*.yml and of the environment's
    *.yml files (later layers win), plus group_names,
  - kolla/inventory/overcloud: the hosts by group,
  - config/<host>/nova-api/nova.conf (controllers) and nova-compute/nova.conf (compute): the
    text of etc/kayobe/kolla/config/nova.conf; config/<host>/keystone/keystone.conf likewise.
A value `vault:NAME` becomes a secret token (the same NAME, the same token).
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from sitectl import render_layout as layout
from sitectl.errors import SiteError

KOLLA_FILES = {"nova.conf": ("nova-api", "nova-compute"), "keystone.conf": ("keystone",)}


class _Loader(yaml.SafeLoader):
    """YAML with `!vault` values: each becomes the token of its (fake) plaintext."""


_Loader.add_constructor("!vault", lambda loader, node: "vault:encrypted")


def token(name: str) -> str:
    return f"<redacted:{hashlib.sha256(name.encode()).hexdigest()[:8]}>"


class FakeRenderer:
    """Callable like sitectl.render.render; records its calls."""

    def __init__(self, out_root: Path) -> None:
        self.out_root = out_root
        self.calls: list[dict[str, Any]] = []
        self.fail_on: set[str] = set()  # commits whose render fails

    def __call__(
        self,
        repo: Path,
        env: str | None,
        *,
        ref: str | None = None,
        services: Sequence[str] | None = None,
        skip: Sequence[str] = (),
        out: Path | None = None,
        vault_password_file: Path | None = None,
        use_cache: bool = True,
        sealed: bool = False,
        toolchain: Any = None,
    ) -> Path:
        self.calls.append(
            {
                "env": env,
                "ref": ref,
                "services": services,
                "skip": list(skip),
                "out": out,
                "sealed": sealed,
                "toolchain": toolchain,
            }
        )
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", ref or "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if commit in self.fail_on:
            raise SiteError(f"kayobe rejected the configuration of {env} (fake render).")
        files = _tree(repo, commit)
        target = out or self.out_root / f"{env}-{commit[:12]}-{len(self.calls)}"
        target.mkdir(parents=True)
        hosts: dict[str, list[str]] = {}
        for line in files.get("etc/kayobe/inventory/hosts", "").splitlines():
            if line.strip():
                host, *groups = line.split()
                hosts[host] = groups
        variables: dict[str, Any] = {}
        for layer in ("etc/kayobe", f"environments/{env}"):
            for path in sorted(files):
                top_level = path.count("/") == layer.count("/") + 1
                if path.startswith(layer + "/") and top_level and path.endswith(".yml"):
                    variables.update(yaml.load(files[path], Loader=_Loader) or {})
        variables = {
            k: token(v[6:]) if isinstance(v, str) and v.startswith("vault:") else v
            for k, v in variables.items()
        }
        (target / layout.KAYOBE).mkdir()
        for host, groups in hosts.items():
            data = dict(variables, group_names=groups, inventory_hostname=host)
            layout.host_variables(target, host).write_text(yaml.safe_dump(data, sort_keys=True))
        (target / layout.INVENTORY_DIR).mkdir(parents=True)
        groups_text = ""
        for group in sorted({g for gs in hosts.values() for g in gs}):
            members = "\n".join(h for h, gs in hosts.items() if group in gs)
            groups_text += f"[{group}]\n{members}\n\n"
        (target / layout.INVENTORY).write_text(groups_text)
        (target / layout.GLOBALS).write_text(
            yaml.safe_dump({"kolla_base_distro": variables.get("os_distribution", "rocky")})
        )
        for name, containers in KOLLA_FILES.items():
            text = files.get(f"etc/kayobe/kolla/config/{name}")
            if text is None or (services and name.split(".")[0] not in services):
                continue
            text = re.sub(r"vault:(\w+)", lambda m: token(m.group(1)), text)
            for host, groups in hosts.items():
                for container in containers:
                    wanted = "compute" if container == "nova-compute" else "controllers"
                    if wanted in groups:
                        path = layout.host_config(target, host) / container / name
                        path.parent.mkdir(parents=True, exist_ok=True)
                        path.write_text(text)
        meta = {
            "format": layout.FORMAT,
            "environment": env,
            "ref": ref,
            "commit": commit,
            "input_hash": commit,
            "services": sorted(services) if services else "all",
            "hosts": sorted(hosts),
            "tools": {},
        }
        layout.write_meta(target, meta)
        return target


def _tree(repo: Path, commit: str) -> dict[str, str]:
    data = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", commit],
        capture_output=True,
        check=True,
    ).stdout
    files = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            if member.isfile():
                handle = tar.extractfile(member)
                if handle is not None:
                    files[member.name] = handle.read().decode()
    return files
