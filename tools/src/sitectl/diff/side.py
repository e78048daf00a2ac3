"""One side of a comparison: a render directory (sitectl.render_layout), loaded and guarded.

Everything read passes through sitectl.diff.secrets first; paths of the rendered tree and of
the render itself are replaced by placeholders, so two renders of one configuration in two
places compare equal.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sitectl import render_layout as layout
from sitectl.diff import secrets
from sitectl.diff.inventory import Inventory
from sitectl.diff.inventory import parse as parse_inventory
from sitectl.diff.services import KollaServices
from sitectl.errors import SiteError

REPO_PLACEHOLDER = "$REPO"
OUT_PLACEHOLDER = "$RENDER"


@dataclass
class Scope:
    """A full render compared with one limited to some services (a cached full render of
    the base against a selected render of the head): the full side is seen through the
    selection, so what the selection did not render is not a change."""

    tags: frozenset[str]
    subset: "Render"
    services: KollaServices

    def covers(self, container: str) -> bool:
        service = self.services.container_service(container)
        return service in self.tags or any(
            container == tag or container.startswith(tag + "-") for tag in self.tags
        )


@dataclass
class Render:
    """One side, loaded: metadata, guarded kayobe variables, inventory, globals."""

    root: Path | None
    meta: dict[str, Any] = field(default_factory=dict)
    kayobe: dict[str, dict[str, Any]] = field(default_factory=dict)
    inventory: Inventory = field(default_factory=Inventory)
    inventory_files: dict[str, str] = field(default_factory=dict)  # relative path -> guarded
    host_vars: dict[str, dict[str, Any]] = field(default_factory=dict)  # kolla's, guarded
    group_vars: dict[str, dict[str, Any]] = field(default_factory=dict)
    globals: dict[str, Any] = field(default_factory=dict)
    roots: list[tuple[str, str]] = field(default_factory=list)  # (path, placeholder)
    scope: Scope | None = None  # set when this (full) side is compared with a selection

    @property
    def hosts(self) -> set[str]:
        listed = self.meta.get("hosts") if isinstance(self.meta.get("hosts"), list) else []
        return set(listed) | set(self.kayobe) | set(self.inventory.hosts)

    def config_dir(self, host: str) -> Path | None:
        path = layout.host_config(self.root, host) if self.root else None
        return path if path and path.is_dir() else None

    def normalise(self, text: str) -> str:
        for path, placeholder in self.roots:
            text = text.replace(path, placeholder)
        return text


def load(root: Path | None) -> Render:
    """A render directory; None (or a missing directory) is an empty side (e.g. an environment
    that does not exist on the base side)."""
    render = Render(root=root)
    if root is None or not root.exists():
        render.root = None
        return render
    render.meta = layout.read_meta(root)
    render.roots = [(str(root.resolve()), OUT_PLACEHOLDER), (str(root), OUT_PLACEHOLDER)]
    raw_hosts: dict[str, Any] = {}
    for path in layout.host_variable_files(root):
        raw_hosts[path.stem] = _yaml(path) or {}
    # Paths of the tree that was rendered (a temporary checkout) are not configuration.
    for variables in raw_hosts.values():
        config_path = variables.get("kayobe_config_path")
        if isinstance(config_path, str) and config_path.endswith("/etc/kayobe"):
            render.roots.insert(0, (config_path.removesuffix("/etc/kayobe"), REPO_PLACEHOLDER))
            break
    for key in ("source", "repo", "tree"):
        if isinstance(render.meta.get(key), str) and render.meta[key].startswith("/"):
            render.roots.insert(0, (render.meta[key], REPO_PLACEHOLDER))
    render.roots.sort(key=lambda pair: -len(pair[0]))
    render.kayobe = {
        host: secrets.guard_data(_normalise_data(variables, render))
        for host, variables in raw_hosts.items()
    }
    _load_inventory(render, root / layout.INVENTORY)
    globals_file = root / layout.GLOBALS
    if globals_file.is_file():
        render.globals = secrets.guard_data(_normalise_data(_yaml(globals_file) or {}, render))
    return render


def _load_inventory(render: Render, path: Path) -> None:
    """kolla-ansible's inventory: one INI file, or a directory of them with host_vars/ and
    group_vars/ (as kayobe writes inventory/overcloud/)."""
    files = {"": path} if path.is_file() else {}
    if path.is_dir():
        files = {str(p.relative_to(path)): p for p in sorted(path.rglob("*")) if p.is_file()}
    ini_texts = []
    for relative, file in files.items():
        text = render.normalise(file.read_text(encoding="utf-8", errors="replace"))
        render.inventory_files[relative] = secrets.guard_text(relative, text)
        parts = relative.split("/")
        if parts[0] in ("host_vars", "group_vars") and len(parts) >= 2:
            name = parts[1].removesuffix(".yml").removesuffix(".yaml")
            data = _yaml(file)
            target = render.host_vars if parts[0] == "host_vars" else render.group_vars
            if isinstance(data, dict):
                target.setdefault(name, {}).update(
                    secrets.guard_data(_normalise_data(data, render))
                )
        else:
            ini_texts.append(text)
    render.inventory = parse_inventory("\n".join(ini_texts))
    for host, inline in render.inventory.hosts.items():
        if inline:
            render.host_vars.setdefault(host, {}).update(secrets.guard_data(inline))


def _yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise SiteError(f"cannot read render output {path}: {e}") from None


def _normalise_data(obj: Any, render: Render) -> Any:
    if isinstance(obj, dict):
        return {k: _normalise_data(v, render) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_normalise_data(v, render) for v in obj]
    if isinstance(obj, str):
        return render.normalise(obj)
    return obj
