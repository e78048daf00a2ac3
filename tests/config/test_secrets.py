"""Secrets stay encrypted in git, and nothing sitectl prints or stores reveals one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import VAULT_HEADER, vault_plaintexts

from .conftest import EXAMPLE_VAULT_PASSWORD, REPO, Resolved
from .sites import SITE_ENVIRONMENTS


@pytest.fixture(scope="module")
def secrets() -> set[str]:
    found = vault_plaintexts(REPO, EXAMPLE_VAULT_PASSWORD.read_text().strip())
    assert len(found) > 50, "expected the kolla passwords and the site's vaulted values"
    return found


def leaked(text: str, secrets: set[str]) -> int:
    """How many secrets appear in text (the count only: never the secrets)."""
    return sum(1 for secret in secrets if secret in text)


@pytest.mark.parametrize("env", SITE_ENVIRONMENTS)
def test_kolla_passwords_are_vault_encrypted(env: str) -> None:
    assert (
        (REPO / "environments" / env / "kolla" / "passwords.yml")
        .read_text()
        .startswith(VAULT_HEADER)
    )


def test_site_secrets_are_vault_encrypted() -> None:
    text = (REPO / "environments" / "example-site" / "secrets.yml").read_text()
    for key in ("ipmi_password", "secret_leaf_switch_password"):
        assert f"{key}: !vault |" in text


@pytest.mark.parametrize("env", SITE_ENVIRONMENTS)
def test_resolved_configuration_holds_no_secret(
    resolved: Resolved, secrets: set[str], env: str
) -> None:
    assert leaked(json.dumps(resolved(env)), secrets) == 0


def test_vaulted_values_are_marked_redacted(resolved: Resolved) -> None:
    bm = resolved("example-site")["bm01"]
    assert bm["ipmi_password"] == "<redacted>"
    assert bm["ironic_driver_info"]["redfish_password"] == "<redacted>"


def test_dump_cache_holds_no_secret(resolved: Resolved, secrets: set[str]) -> None:
    for env in SITE_ENVIRONMENTS:
        resolved(env)
    cached = list((REPO / ".cache" / "sitectl" / "dump").glob("*.json"))
    assert cached
    assert sum(leaked(path.read_text(), secrets) for path in cached) == 0


def test_show_prints_no_secret(secrets: set[str]) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sitectl",
            "--vault-password-file",
            str(EXAMPLE_VAULT_PASSWORD),
            "show",
            "example-site",
            "--host",
            "bm01",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["ipmi_username"] == "admin"
    assert leaked(result.stdout + result.stderr, secrets) == 0


def test_plaintexts_are_really_found(secrets: set[str]) -> None:
    """The leak checks above would be empty if decryption silently failed."""
    text = Path(REPO / "environments" / "example-site" / "secrets.yml").read_text()
    assert all(secret not in text for secret in secrets)
    assert any(len(secret) >= 20 for secret in secrets)
