"""Posting the report as one merge-request note, updated in place on later pushes.

In a GitLab merge-request pipeline (CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID) with a
token that may write notes ($SITECTL_GITLAB_TOKEN, else $GITLAB_TOKEN; CI_JOB_TOKEN cannot), the
note whose body holds the environment's marker (<!-- sitectl-config-diff:ENV -->) is updated;
without one, a note is created. Outside such a pipeline, or without a token, nothing is posted.
GitLab REST API v4, standard library only. The token is never printed.
"""

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sitectl.errors import SiteError

TOKEN_VARIABLES = ("SITECTL_GITLAB_TOKEN", "GITLAB_TOKEN")
PER_PAGE = 100
MAX_PAGES = 100
TIMEOUT = 30


@dataclass(frozen=True)
class Target:
    api: str  # https://gitlab.example.com/api/v4
    project: str
    merge_request: str
    token: str

    @property
    def notes_url(self) -> str:
        project = urllib.parse.quote(self.project, safe="")
        return f"{self.api}/projects/{project}/merge_requests/{self.merge_request}/notes"


def target(environ: Mapping[str, str] = os.environ) -> Target | None:
    """Where to post, or None when this is not a merge-request pipeline with a token."""
    token = next((environ[v] for v in TOKEN_VARIABLES if environ.get(v)), None)
    api = environ.get("CI_API_V4_URL")
    project = environ.get("CI_PROJECT_ID")
    merge_request = environ.get("CI_MERGE_REQUEST_IID")
    if not (token and api and project and merge_request):
        return None
    return Target(api.rstrip("/"), project, merge_request, token)


def post(body: str, marker: str, where: Target) -> tuple[str, int]:
    """Create or update the note holding `marker`: ("created"|"updated", note id)."""
    existing = find_note(marker, where)
    if existing is not None:
        _request("PUT", f"{where.notes_url}/{existing}", where, {"body": body})
        return "updated", existing
    created = _request("POST", where.notes_url, where, {"body": body})
    return "created", int(created["id"])


def find_note(marker: str, where: Target) -> int | None:
    """The oldest note of the merge request holding `marker`, through every page."""
    page: str | None = "1"
    for _ in range(MAX_PAGES):
        if not page:
            break
        query = urllib.parse.urlencode(
            {"per_page": PER_PAGE, "page": page, "sort": "asc", "order_by": "created_at"}
        )
        notes, headers = _request_with_headers("GET", f"{where.notes_url}?{query}", where)
        for item in notes if isinstance(notes, list) else []:
            if isinstance(item, dict) and marker in str(item.get("body", "")):
                return int(item["id"])
        page = headers.get("X-Next-Page") or None
    return None


def _request(method: str, url: str, where: Target, data: dict[str, Any] | None = None) -> Any:
    return _request_with_headers(method, url, where, data)[0]


def _request_with_headers(
    method: str, url: str, where: Target, data: dict[str, Any] | None = None
) -> tuple[Any, Mapping[str, str]]:
    payload = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=payload, method=method)
    request.add_header("PRIVATE-TOKEN", where.token)
    request.add_header("Accept", "application/json")
    if payload is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            body = response.read()
            headers = {k: v for k, v in response.headers.items()}
    except urllib.error.HTTPError as e:
        hint = {
            401: "the token is not valid",
            403: "the token may not write notes (CI_JOB_TOKEN cannot; use a project access "
            "token with the api scope in $SITECTL_GITLAB_TOKEN)",
            404: "no such project or merge request, or the token cannot see it",
        }.get(e.code, e.reason)
        raise SiteError(f"GitLab answered {e.code} to {method} {_safe(url)}: {hint}.") from None
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise SiteError(f"cannot reach GitLab at {_safe(url)}: {reason}.") from None
    try:
        return (json.loads(body) if body else None), headers
    except ValueError:
        raise SiteError(f"GitLab's answer to {method} {_safe(url)} is not JSON.") from None


def _safe(url: str) -> str:
    """The URL without its query (nothing secret is in it, but it is long)."""
    return url.split("?", 1)[0]
