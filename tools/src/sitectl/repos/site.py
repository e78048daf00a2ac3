"""The site's Pulp settings, as kayobe resolves them for the control host (pulp.yml and the
environment's overrides): where Pulp is, who to be, what to mirror. The password is the
vault-encrypted pulp_password of the configuration, or $PULP_PASSWORD."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitectl import vault
from sitectl.dump import dump
from sitectl.environments import label
from sitectl.errors import SiteError
from sitectl.repos.pulp import KINDS, Upstream


@dataclass(frozen=True)
class Settings:
    url: str
    username: str
    password: str
    upstreams: list[Upstream]


def settings(
    repo: Path, env: str | None, names: list[str] | None, password_file: Path | None
) -> Settings:
    values = dump(repo, env, host="localhost", vault_password_file=password_file)
    where = f"the {label(env)} configuration"
    url = str(values.get("pulp_url") or "")
    if not url:
        raise SiteError(
            f"pulp_url is not set in {where}: set it (etc/kayobe/pulp.yml, or the "
            "environment's) to the Pulp API the site mirrors into."
        )
    upstreams = [
        _upstream(entry, index) for index, entry in enumerate(values.get("pulp_repositories") or [])
    ]
    if names:
        known = {u.name for u in upstreams}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SiteError(
                f"no repository {', '.join(unknown)} in pulp_repositories of {where}; "
                f"it has: {', '.join(sorted(known)) or 'none'}."
            )
        upstreams = [u for u in upstreams if u.name in names]
    password = os.environ.get("PULP_PASSWORD") or vault.value(
        repo, env, "pulp_password", password_file
    )
    if not password:
        raise SiteError(
            f"no Pulp password: vault-encrypt pulp_password in {where}'s secrets, or set "
            "$PULP_PASSWORD."
        )
    return Settings(url, str(values.get("pulp_username") or "admin"), password, upstreams)


def _upstream(entry: Any, index: int) -> Upstream:
    where = f"pulp_repositories[{index}]"
    if not isinstance(entry, dict) or not entry.get("name") or not entry.get("url"):
        raise SiteError(f"{where} needs at least a name and a url (pulp.yml).")
    kind = entry.get("type", "rpm")
    if kind not in KINDS:
        raise SiteError(f"{where} ({entry['name']}): type {kind!r} is not one of rpm, deb.")
    if kind == "deb" and not entry.get("distributions"):
        raise SiteError(f"{where} ({entry['name']}): a deb repository needs distributions.")
    return Upstream(
        name=str(entry["name"]),
        type=kind,
        url=str(entry["url"]),
        distributions=tuple(entry.get("distributions") or ()),
        components=tuple(entry.get("components") or ()),
        architectures=tuple(entry.get("architectures") or ()),
        policy=str(entry.get("policy") or "immediate"),
    )
