"""Bad input: one clear SiteError, and no output directory (nor half-written cache entry)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sitectl.errors import SiteError
from sitectl.render import passwords, render, snapshot
from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO

Attempt = Callable[..., SiteError]


@pytest.fixture
def attempt(tmp_path: Path) -> Attempt:
    """Render into tmp_path/out with a private cache; return the error raised."""
    cache = tmp_path / "cache"

    def run(repo: Path = REPO, env: str = "ci-aio", **kwargs: object) -> SiteError:
        kwargs.setdefault("vault_password_file", EXAMPLE_PASSWORD_FILE)
        with pytest.raises(SiteError) as raised:
            render(repo, env, out=tmp_path / "out", cache_dir=cache, **kwargs)  # type: ignore[arg-type]
        assert not (tmp_path / "out").exists()
        assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())
        # No render entry, complete or not (the generated-passwords pool is not one).
        entries = cache.iterdir() if cache.exists() else iter(())
        assert [p for p in entries if p.name != passwords.POOL_DIRECTORY] == []
        return raised.value

    return run


def test_unknown_ref(attempt: Attempt) -> None:
    error = attempt(ref="no-such-branch-anywhere")
    assert "unknown git ref 'no-such-branch-anywhere'" in error.message


def test_unknown_environment(attempt: Attempt) -> None:
    error = attempt(env="atlantis")
    assert "unknown environment 'atlantis'" in error.message
    assert "ci-aio" in error.message


def test_wrong_vault_password(attempt: Attempt, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong-password"
    wrong.write_text("not-the-password\n")
    error = attempt(vault_password_file=wrong)
    assert "does not decrypt environments/ci-aio/kolla/passwords.yml" in error.message
    assert "not-the-password" not in error.render()


def test_missing_vault_password(attempt: Attempt, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAYOBE_VAULT_PASSWORD", "KAYOBE_VAULT_PASSWORD_FILE"):
        monkeypatch.delenv(name, raising=False)
    if (REPO / ".vault-password").exists():
        pytest.skip("an operator's REPO/.vault-password is present")
    error = attempt(vault_password_file=None)
    assert "no vault password was given" in error.message


def test_unknown_service(attempt: Attempt) -> None:
    error = attempt(services=["nova", "novaa"])
    assert "unknown service novaa" in error.message


def test_an_existing_directory_that_is_not_a_render_is_kept(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("mine\n")
    with pytest.raises(SiteError, match="not an earlier render"):
        render(REPO, "ci-aio", out=precious, vault_password_file=EXAMPLE_PASSWORD_FILE)
    assert [p.name for p in precious.iterdir()] == ["notes.txt"]


@pytest.mark.slow
def test_configuration_kayobe_rejects(attempt: Attempt, tmp_path: Path) -> None:
    repo = snapshot.materialise(REPO, snapshot.resolve(REPO, None), tmp_path / "repo")
    networks = repo / "environments" / "ci-aio" / "networks.yml"
    networks.write_text(networks.read_text() + "aio_net_mtu: [unclosed\n")
    error = attempt(repo=repo)
    assert "kayobe configuration dump of ci-aio failed" in error.message
    assert any("networks.yml" in line for line in error.details)
