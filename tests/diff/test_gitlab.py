"""Posting the MR note: created once, then updated in place (against a fake GitLab)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sitectl.diff import gitlab
from sitectl.diff.markdown import marker
from sitectl.errors import SiteError

from .fake_gitlab import TOKEN, FakeGitLab, serve


@pytest.fixture
def server() -> Iterator[FakeGitLab]:
    with serve() as state:
        yield state


def ci_environment(server: FakeGitLab, token: str = TOKEN) -> dict[str, str]:
    return {
        "CI_API_V4_URL": server.url,
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "7",
        "SITECTL_GITLAB_TOKEN": token,
    }


def test_no_target_without_token_or_merge_request(server: FakeGitLab) -> None:
    env = ci_environment(server)
    assert gitlab.target(env) is not None
    for missing in ("SITECTL_GITLAB_TOKEN", "CI_MERGE_REQUEST_IID", "CI_API_V4_URL"):
        assert gitlab.target({k: v for k, v in env.items() if k != missing}) is None
    fallback = {k: v for k, v in env.items() if k != "SITECTL_GITLAB_TOKEN"}
    fallback["GITLAB_TOKEN"] = TOKEN
    assert gitlab.target(fallback) is not None


def test_create_then_update_one_note(server: FakeGitLab) -> None:
    where = gitlab.target(ci_environment(server))
    assert where is not None
    server.add_note("42", "7", "LGTM")  # someone else's note
    first = f"{marker('ci-aio')}\nfirst push"
    assert gitlab.post(first, marker("ci-aio"), where)[0] == "created"
    action, note_id = gitlab.post(f"{marker('ci-aio')}\nsecond push", marker("ci-aio"), where)
    assert action == "updated"
    bodies = [n["body"] for n in server.notes[("42", "7")]]
    assert bodies == ["LGTM", f"{marker('ci-aio')}\nsecond push"]
    assert server.notes[("42", "7")][1]["id"] == note_id
    # Another environment has its own note.
    gitlab.post(f"{marker('example-site')}\nx", marker("example-site"), where)
    assert len(server.notes[("42", "7")]) == 3


def test_finds_the_note_on_a_later_page(server: FakeGitLab) -> None:
    for index in range(230):
        server.add_note("42", "7", f"comment {index}")
    old = server.add_note("42", "7", f"{marker('ci-aio')}\nold")
    where = gitlab.target(ci_environment(server))
    assert where is not None
    assert gitlab.post(f"{marker('ci-aio')}\nnew", marker("ci-aio"), where) == ("updated", old)
    pages = [path for method, path in server.requests if method == "GET"]
    assert len(pages) == 3


def test_errors_are_clear_and_never_show_the_token(server: FakeGitLab) -> None:
    where = gitlab.target(ci_environment(server, token="wrong-token-value"))
    assert where is not None
    with pytest.raises(SiteError, match="401") as caught:
        gitlab.post("x", marker("ci-aio"), where)
    assert "wrong-token-value" not in caught.value.render()
    unreachable = gitlab.Target("http://127.0.0.1:9/api/v4", "42", "7", TOKEN)
    with pytest.raises(SiteError, match="cannot reach GitLab"):
        gitlab.post("x", marker("ci-aio"), unreachable)
