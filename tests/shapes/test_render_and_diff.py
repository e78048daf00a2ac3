"""render and diff on configurations shaped unlike this repository's (builder.py), with real
kayobe and kolla-ansible: no environments, plain environment directories, no or an incomplete
kolla passwords.yml, and no vault password at all."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sitectl.diff import output, services
from sitectl.diff.compare import compare
from sitectl.diff.model import Report
from sitectl.diff.run import Outcome, Request, run
from sitectl.errors import SiteError
from tests.render.plaintexts import leaks

from .builder import NESTED_SECRETS, encrypt, vaulted
from .conftest import SERVICES, Built

pytestmark = pytest.mark.slow

# (shape, environment): every environment of the shapes that has hosts.
RENDERED = [("flat", None), ("nested", "production")]


@pytest.fixture(autouse=True)
def _no_operator_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gives the password explicitly, or none at all."""
    for name in ("KAYOBE_VAULT_PASSWORD", "KAYOBE_VAULT_PASSWORD_FILE"):
        monkeypatch.delenv(name, raising=False)


def meta(render_dir: Path) -> dict[str, object]:
    return json.loads((render_dir / "render.json").read_text())


def diff(built: Built, env: str | None, head: str, **options: object) -> Outcome:
    options.setdefault("vault_password_file", built.password_file)
    return run(
        Request(built.repo, env, "main", head, cache_dir=built.cache, **options)  # type: ignore[arg-type]
    )


def changed_variables(report: Report) -> set[str]:
    return {change.name.split(".")[0] for group in report.kayobe for change in group.changes}


def assert_only_ipa_variables(report: Report) -> None:
    """The two URLs changed, and what kayobe derives from them (checksum URLs, the
    inspector's and bifrost's copies): nothing else."""
    changed = changed_variables(report)
    assert {"ipa_kernel_upstream_url", "ipa_ramdisk_upstream_url"} <= changed
    assert [name for name in changed if "ipa_" not in name] == []


def assert_no_secret(built: Built, outcome: Outcome, *renders: Path) -> None:
    secrets = built.secrets()
    for directory in renders:
        assert leaks(directory, secrets) == []
    files = output.artifacts(outcome.report, outcome.unified, secrets=None)
    for name, text in files.items():
        assert not [s for s in secrets if s in text], f"a secret in {name}"


# --- rendering -----------------------------------------------------------------------------


@pytest.mark.parametrize(("shape", "env"), RENDERED, indirect=["shape"])
def test_each_shape_renders_with_the_sites_values_and_generated_stand_ins(
    shape: Built, env: str | None
) -> None:
    rendered = shape.render(env)
    info = meta(rendered)
    assert info["environment"] == env
    assert info["vault"] == "decrypted"
    generated = set(info["generated_secrets"])  # type: ignore[arg-type]
    assert "rabbitmq_password" in generated  # neither shape sets it: kayobe would generate it
    [host] = info["hosts"]  # type: ignore[misc]
    keystone = (rendered / "config" / host / "keystone-api" / "keystone.conf").read_text()
    if shape.shape.name == "flat":
        # The site sets this one (from its inline-vaulted secret); kayobe generates the rest.
        assert "keystone_database_password" not in generated
        assert "expiration = 7200" in keystone  # kolla/config/keystone/keystone.conf
        # lookup('password') of a file the repository lacks: a stand-in, redacted, and
        # nothing written into the configuration (the self-diff below: the same each time).
        assert re.search(r"^topics = <redacted:[0-9a-f]{8}>$", keystone, re.M), keystone
        assert not (shape.repo / "etc" / "kayobe" / "notification-topic").exists()
    else:
        # Its passwords.yml sets two keys; the rest are completed, never those two.
        assert not {"database_password", "keystone_admin_password"} & generated
        assert len(generated) > 50
        assert "max_password_length = 128" in keystone  # the environment's override
    assert "connection = mysql+pymysql://keystone:<redacted:" in keystone
    assert leaks(rendered, shape.secrets()) == []


@pytest.mark.parametrize(("shape", "env"), RENDERED, indirect=["shape"])
def test_a_fresh_render_equals_the_cached_one(
    shape: Built, env: str | None, tmp_path: Path
) -> None:
    """The self-diff property: two independent renders of the same configuration compare
    as unchanged, although kayobe would generate random passwords for each."""
    cached = shape.render(env)
    fresh = shape.render(env, use_cache=False, out=tmp_path / "fresh")
    comparison = compare(cached, fresh, services.load())
    assert (comparison.inventory, comparison.kayobe, comparison.globals) == ([], [], [])
    assert comparison.services == [] and comparison.unified == ""


# --- the config diff without passwords.yml (flat) ---------------------------------------------


def test_ipa_only_change_reports_only_the_kayobe_variables(flat: Built) -> None:
    head = flat.branch(
        "ipa-mirror",
        {
            "etc/kayobe/ipa.yml": (
                "---\n# IPA images from the site's mirror.\n"
                'ipa_kernel_upstream_url: "https://mirror.example.invalid/ipa.kernel"\n'
                'ipa_ramdisk_upstream_url: "https://mirror.example.invalid/ipa.initramfs"\n'
            )
        },
    )
    outcome = diff(flat, None, head, services=SERVICES)
    report = outcome.report
    assert report.error is None
    assert report.environment == "the base configuration"
    assert_only_ipa_variables(report)
    assert (report.services, report.globals, report.inventory) == ([], [], [])
    assert any("generated stand-ins" in note for note in report.notes)
    assert any("base configuration alone" in note for note in report.notes)
    assert_no_secret(flat, outcome)


def test_nova_override_change_reports_only_nova_conf(flat: Built) -> None:
    head = flat.branch(
        "nova-ratio",
        {"etc/kayobe/kolla/config/nova.conf": "[DEFAULT]\ncpu_allocation_ratio = 8.0\n"},
    )
    outcome = diff(flat, None, head, services=["nova"])
    report = outcome.report
    assert report.error is None
    assert (report.kayobe, report.globals, report.inventory) == ([], [], [])
    assert [s.service for s in report.services] == ["nova"]
    files = {entry.path for entry in report.services[0].files}
    assert files == {"nova.conf"}
    changes = {
        (c.section, c.name, c.old, c.new) for e in report.services[0].files for c in e.changes
    }
    assert changes == {("DEFAULT", "cpu_allocation_ratio", "4.0", "8.0")}
    assert_no_secret(flat, outcome)


def test_a_rotated_secret_shows_as_changed_never_its_value(flat: Built) -> None:
    rotated = "flat-keystone-db-ROTATED-44"
    head = flat.branch(
        "rotate",
        {"etc/kayobe/secrets.yml": "---\n" + vaulted("flat_keystone_db_password", rotated)},
    )
    outcome = diff(flat, None, head, services=SERVICES)
    report = outcome.report
    [keystone] = [s for s in report.services if s.service == "keystone"]
    secret_changes = [c for e in keystone.files for c in e.changes if c.secret]
    assert secret_changes and all(c.name == "connection" for c in secret_changes)
    assert not [c for e in keystone.files for c in e.changes if not c.secret]
    files = output.artifacts(report, outcome.unified, secrets=None)
    for name, text in files.items():
        assert rotated not in text and flat.shape.secrets[0] not in text, name


# --- without the vault password (nested: sealed) ----------------------------------------------


def test_without_the_password_a_change_is_still_diffed_and_the_report_says_so(
    nested: Built,
) -> None:
    head = nested.branch(
        "sealed-ipa",
        {
            "etc/kayobe/environments/cloud/ipa.yml": (
                "---\n"
                'ipa_kernel_upstream_url: "https://mirror.example.invalid/ipa.kernel"\n'
                'ipa_ramdisk_upstream_url: "https://mirror.example.invalid/ipa.initramfs"\n'
            )
        },
    )
    outcome = diff(nested, "production", head, services=SERVICES, vault_password_file=None)
    report = outcome.report
    assert report.error is None
    assert any("ran without the vault password" in note for note in report.notes)
    assert_only_ipa_variables(report)
    assert report.services == []
    markdown = output.artifacts(report, outcome.unified)["report.md"]
    assert "ran without the vault password" in markdown
    assert_no_secret(nested, outcome)


def test_sealed_secrets_compare_by_ciphertext(nested: Built) -> None:
    """The same passwords, encrypted anew: with the password nothing changed; sealed, every
    secret from that file shows as changed (its ciphertext did), and none is shown."""
    plaintext = (
        "---\n"
        f"database_password: {NESTED_SECRETS[0]}\n"
        f"keystone_admin_password: {NESTED_SECRETS[1]}\n"
    )
    head = nested.branch(
        "re-encrypted",
        {"etc/kayobe/environments/production/kolla/passwords.yml": encrypt(plaintext)},
    )
    unsealed = diff(nested, "production", head, services=SERVICES).report
    assert not unsealed.changed
    sealed = diff(nested, "production", head, services=SERVICES, vault_password_file=None)
    keystone = [s for s in sealed.report.services if s.service == "keystone"]
    assert keystone, "sealed: a new ciphertext is a changed secret"
    changes = [c for e in keystone[0].files for c in e.changes]
    assert changes and all(c.secret for c in changes)
    assert_no_secret(nested, sealed)


def test_sealed_render_refuses_a_whole_file_vaulted_variables_file(
    nested: Built, tmp_path: Path
) -> None:
    head = nested.branch(
        "whole-file-secrets",
        {"etc/kayobe/environments/cloud/secrets.yml": encrypt("---\nsome_password: x\n")},
    )
    with pytest.raises(SiteError) as error:
        nested.render("production", ref=head, sealed=True, out=tmp_path / "out")
    assert "etc/kayobe/environments/cloud/secrets.yml is vault-encrypted as a whole" in (
        error.value.message
    )
    assert "once, with the password: tools/sitectl vault split " in error.value.message
    assert not (tmp_path / "out").exists()
