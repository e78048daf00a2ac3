"""kolla-build's repos.yaml override, as kayobe's kolla-build role writes it.

The role merges every `kolla/repos.yaml` and `kolla/repos.yml` of the configuration and of its
environments (in kayobe's search order), each templated with the builder host's variables, and
points kolla-build's `repos_yaml` option at the result. kolla then takes each image's package
repositories from it instead of its own template/repos.yaml (this is how the image builds reach
the site's pinned Pulp snapshots: etc/kayobe/kolla/repos.yml).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from sitectl.errors import SiteError

FILE_NAMES = ("repos.yaml", "repos.yml")
# Ansible's plugin loader is not thread-safe: two templars loading the filter plugins at once
# (the image planner renders base and head in two threads) see each other's half-imported
# modules ("No filter named 'to_json'"). One templating at a time.
_TEMPLATING = threading.Lock()


def sources(variables: Mapping[str, Any]) -> list[Path]:
    """The override files that exist, in the order kayobe merges them."""
    environments = variables.get("kayobe_env_search_paths") or []
    directories = [variables.get("kayobe_config_path"), *environments]
    found = []
    for directory in directories:
        if not isinstance(directory, str) or not directory or "{{" in directory:
            continue
        found += [p for n in FILE_NAMES if (p := Path(directory, "kolla", n)).is_file()]
    return found


def merged(variables: Mapping[str, Any]) -> str | None:
    """The merged override (YAML), or None when the configuration has none (kolla-build then
    uses its own repositories only)."""
    paths = sources(variables)
    if not paths:
        return None
    result: dict[str, Any] = {}
    for path in paths:
        _merge(result, _load(path, variables))
    return yaml.safe_dump(result, sort_keys=True, default_flow_style=False)


def _load(path: Path, variables: Mapping[str, Any]) -> dict[str, Any]:
    from ansible.errors import AnsibleError
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, trust_as_template

    try:
        with _TEMPLATING:
            templar = Templar(loader=DataLoader(), variables=dict(variables))
            text = templar.template(trust_as_template(path.read_text(encoding="utf-8")))
        data = yaml.safe_load(text)
    except AnsibleError as e:
        raise SiteError(
            f"{path}: kolla-build's repository override does not template: {e.message}. Fix the "
            "expression, or define the variable it names."
        ) from None
    except yaml.YAMLError as e:
        raise SiteError(f"{path}: templated, it is not YAML ({e}).") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise SiteError(
            f"{path}: kolla-build's repository override must map sections (rpm, deb, rocky, "
            "debian, ...) to repositories, as kolla's own repos.yaml does."
        )
    return data


def _merge(into: dict[str, Any], update: Mapping[str, Any]) -> None:
    """Nested mappings merge key by key; anything else is replaced (kayobe's merge_yaml)."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def changes(old: str | None, new: str | None) -> dict[str, frozenset[str]]:
    """The repositories two overrides define differently, as "section/name", each with the
    URLs either side gives it (how a rendered Dockerfile shows that it uses it)."""
    before, after = (yaml.safe_load(text or "") or {} for text in (old, new))
    found: dict[str, frozenset[str]] = {}
    for section in before.keys() | after.keys():
        was, now = before.get(section) or {}, after.get(section) or {}
        for name in was.keys() | now.keys():
            if was.get(name) != now.get(name):
                found[f"{section}/{name}"] = frozenset(_urls(was.get(name)) | _urls(now.get(name)))
    return found


def _urls(entry: Any) -> set[str]:
    if not isinstance(entry, dict):
        return set()
    return {
        line.strip()
        for key in ("baseurl", "url", "metalink", "mirrorlist")
        for line in str(entry.get(key) or "").splitlines()
        if line.strip()
    }
