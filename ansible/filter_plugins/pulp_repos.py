"""Filters that turn the site's Pulp mirrors (pulp.yml) and their pins
(pulp-repo-versions.yml) into kayobe's DNF settings (dnf.yml) and kolla-build's
repository overrides (kolla-images.yml, kolla/repos.yml). Kayobe loads filter
plugins from $KAYOBE_CONFIG_PATH/ansible/filter_plugins for its own playbooks
too."""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleFilterError


def _snapshot_url(content_url: str, pin: dict[str, Any]) -> str:
    return f"{content_url.rstrip('/')}/{pin['snapshot']}/"


def pulp_dnf_repos(mirrors: list[dict[str, Any]], pins: dict[str, Any], content_url: str) -> dict:
    """dnf_custom_repos: each pinned rpm mirror's snapshot, as a yum repository."""
    repos: dict[str, dict[str, Any]] = {}
    for mirror in mirrors or []:
        pin = (pins or {}).get(mirror.get("name"))
        if mirror.get("type", "rpm") != "rpm" or not pin:
            continue
        repo = {
            "baseurl": _snapshot_url(content_url, pin),
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


def pulp_kolla_repos(
    mirrors: list[dict[str, Any]], pins: dict[str, Any], content_url: str
) -> dict[str, dict[str, Any]]:
    """kolla-build's repos.yaml sections (rpm, deb): each pinned mirror that names the kolla
    repository it stands in for (kolla_repo) at its snapshot. kolla needs a signing key for
    every repository it adds, and for deb one distribution and its components."""
    sections: dict[str, dict[str, Any]] = {"rpm": {}, "deb": {}}
    for mirror in mirrors or []:
        pin = (pins or {}).get(mirror.get("name"))
        if not mirror.get("kolla_repo") or not pin:
            continue
        if not mirror.get("gpgkey"):
            raise AnsibleFilterError(
                f"pulp_repositories: {mirror['name']} sets kolla_repo but no gpgkey; kolla-build "
                "adds no repository without its signing key. Set gpgkey in pulp.yml."
            )
        url = _snapshot_url(content_url, pin)
        if mirror.get("type", "rpm") == "rpm":
            sections["rpm"][mirror["kolla_repo"]] = {
                "name": mirror["kolla_repo"],  # the repository id kolla's images know it by
                "baseurl": url,
                "gpgkey": mirror["gpgkey"],
                "gpgcheck": 1,
            }
            continue
        distributions = mirror.get("distributions") or []
        if len(distributions) != 1:
            raise AnsibleFilterError(
                f"pulp_repositories: {mirror['name']} sets kolla_repo, so it needs exactly one "
                f"distribution for kolla-build's apt source (it has {len(distributions)})."
            )
        sections["deb"][mirror["kolla_repo"]] = {
            "url": url,
            "suite": distributions[0],
            "component": " ".join(mirror.get("components") or ["main"]),
            "gpg_key": mirror["gpgkey"],
        }
    return sections


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {
            "pulp_dnf_repos": pulp_dnf_repos,
            "pulp_dnf_replaced": pulp_dnf_replaced,
            "pulp_kolla_repos": pulp_kolla_repos,
        }
