"""Filters that turn the site's Pulp mirrors (pulp.yml) and their pins
(pulp-repo-versions.yml) into kayobe's DNF settings (dnf.yml). Kayobe loads
filter plugins from $KAYOBE_CONFIG_PATH/ansible/filter_plugins for its own
playbooks too."""

from __future__ import annotations

from typing import Any


def pulp_dnf_repos(mirrors: list[dict[str, Any]], pins: dict[str, Any], content_url: str) -> dict:
    """dnf_custom_repos: each pinned rpm mirror's snapshot, as a yum repository."""
    repos: dict[str, dict[str, Any]] = {}
    for mirror in mirrors or []:
        pin = (pins or {}).get(mirror.get("name"))
        if mirror.get("type", "rpm") != "rpm" or not pin:
            continue
        repo = {
            "baseurl": f"{content_url.rstrip('/')}/{pin['snapshot']}/",
            "description": mirror.get("description") or mirror["name"],
            "file": "pulp",
            "gpgcheck": bool(mirror.get("gpgkey")),
        }
        if mirror.get("gpgkey"):
            repo["gpgkey"] = mirror["gpgkey"]
        repos[f"pulp-{mirror['name']}"] = repo
    return repos


def pulp_dnf_replaced(mirrors: list[dict[str, Any]], pins: dict[str, Any]) -> dict:
    """dnf_repo_state_overrides: the stock repositories a pinned mirror replaces, disabled."""
    return {
        mirror["replaces"]: "disabled"
        for mirror in mirrors or []
        if mirror.get("replaces") and (pins or {}).get(mirror.get("name"))
    }


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"pulp_dnf_repos": pulp_dnf_repos, "pulp_dnf_replaced": pulp_dnf_replaced}
