"""Pulp through pulp-glue (the library under pulp-cli): the remotes, repositories,
publications and distributions of the site's mirrors. pulp-glue's generic calls take the
operation ids of Pulp's own OpenAPI description, so the deb and rpm plugins need no plugin CLI
in the toolchain. Every call that creates something first looks it up by name: running again
changes nothing that is already right."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sitectl.errors import SiteError

# Each repository type's part of Pulp's operation ids and the id of its href parameters.
KINDS = {"deb": "deb_apt", "rpm": "rpm_rpm"}


@dataclass(frozen=True)
class Upstream:
    """One upstream repository the site mirrors (an entry of pulp_repositories)."""

    name: str
    type: str  # deb | rpm
    url: str
    distributions: tuple[str, ...] = ()  # deb: suites (noble, noble-updates...)
    components: tuple[str, ...] = ()  # deb
    architectures: tuple[str, ...] = ()  # deb
    policy: str = "immediate"  # immediate | on_demand | streamed

    @property
    def kind(self) -> str:
        return KINDS[self.type]

    def remote_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "url": self.url, "policy": self.policy}
        if self.type == "deb":
            body["distributions"] = " ".join(self.distributions)
            if self.components:
                body["components"] = " ".join(self.components)
            if self.architectures:
                body["architectures"] = " ".join(self.architectures)
        return body

    def publication_body(self, version: str) -> dict[str, Any]:
        if self.type == "deb":  # the upstream's own layout (dists/<suite>/<component>)
            return {"repository_version": version, "structured": True, "simple": False}
        return {"repository_version": version}


class Pulp:
    """One Pulp server, as the site's admin user."""

    def __init__(self, url: str, username: str, password: str) -> None:
        from pulp_glue.common.authentication import BasicAuthProvider
        from pulp_glue.common.context import PulpContext

        self.url = url.rstrip("/")
        self._ctx = PulpContext(
            api_root="/pulp/",
            api_kwargs={
                "base_url": self.url,
                "auth_provider": BasicAuthProvider(username, password),
            },
        )

    def call(self, operation: str, **kwargs: Any) -> Any:
        """pulp-glue's call (waiting for the task it starts), with Pulp's errors as one
        paragraph that names the server and what to do."""
        from pulp_glue.common.exceptions import PulpException
        from requests import RequestException

        try:
            return self._ctx.call(operation, **kwargs)
        except RequestException as e:
            raise SiteError(
                f"Pulp at {self.url} cannot be reached ({type(e).__name__}). Check pulp_url "
                "and that the Pulp API is up and reachable from here."
            ) from None
        except PulpException as e:
            text = str(e)
            if "Max retries exceeded" in text or "Connection refused" in text:
                raise SiteError(
                    f"Pulp at {self.url} cannot be reached (nothing answers there). Check "
                    "pulp_url and that the Pulp API is up and reachable from here."
                ) from None
            if "Authentication failed" in text or "401" in text:
                raise SiteError(
                    f"Pulp at {self.url} refused the credentials (pulp_username and "
                    "pulp_password): check the vault-encrypted password matches the server's."
                ) from None
            raise SiteError(f"Pulp at {self.url}: {operation} failed: {text}") from None

    def _find(self, family: str, kind: str, name: str) -> dict[str, Any] | None:
        found = self.call(f"{family}_{kind}_list", parameters={"name": name, "limit": 1})
        return found["results"][0] if found["results"] else None

    def _ensure(
        self, family: str, kind: str, body: Mapping[str, Any], same: Callable[[dict], bool]
    ) -> str:
        """The href of the named object, created or brought up to `body`."""
        found = self._find(family, kind, body["name"])
        if found is None:
            return self.call(f"{family}_{kind}_create", body=dict(body))["pulp_href"]
        if not same(found):
            self.call(
                f"{family}_{kind}_partial_update",
                parameters={f"{kind}_{family[:-1]}_href": found["pulp_href"]},
                body=dict(body),
            )
        return found["pulp_href"]

    def ensure_remote(self, upstream: Upstream) -> str:
        body = upstream.remote_body()
        return self._ensure(
            "remotes",
            upstream.kind,
            body,
            lambda found: all(found.get(k) == v for k, v in body.items()),
        )

    def ensure_repository(self, upstream: Upstream, remote: str) -> str:
        body = {"name": upstream.name, "remote": remote}
        return self._ensure(
            "repositories", upstream.kind, body, lambda found: found.get("remote") == remote
        )

    def sync(self, upstream: Upstream, repository: str, remote: str) -> str:
        """Sync the repository from its remote; its latest version's href afterwards (the
        same as before when the upstream did not change)."""
        self.call(
            f"repositories_{upstream.kind}_sync",
            parameters={f"{upstream.kind}_repository_href": repository},
            body={"remote": remote, "mirror": True},
        )
        found = self._find("repositories", upstream.kind, upstream.name)
        if found is None:
            raise SiteError(f"Pulp at {self.url} lost repository {upstream.name} during a sync")
        return found["latest_version_href"]

    def publication(self, upstream: Upstream, version: str) -> str:
        """The publication of a repository version: an existing one, or a new one."""
        found = self.call(
            f"publications_{upstream.kind}_list",
            parameters={"repository_version": version, "limit": 1},
        )
        if found["results"]:
            return found["results"][0]["pulp_href"]
        task = self.call(
            f"publications_{upstream.kind}_create", body=upstream.publication_body(version)
        )
        return task["created_resources"][0]

    def distribute(self, upstream: Upstream, name: str, publication: str) -> str:
        """Serve a publication at base path NAME (a snapshot's or production's); the
        distribution's href."""
        body = {"name": name, "base_path": name, "publication": publication}
        return self._ensure(
            "distributions",
            upstream.kind,
            body,
            lambda found: found.get("publication") == publication,
        )

    def find_repository(self, upstream: Upstream) -> dict[str, Any] | None:
        return self._find("repositories", upstream.kind, upstream.name)

    def distribution(self, upstream: Upstream, name: str) -> dict[str, Any] | None:
        return self._find("distributions", upstream.kind, name)
