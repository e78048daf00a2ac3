"""Secrets never leak into any artifact; changed ones read "changed (redacted)"."""

from __future__ import annotations

import re
from pathlib import Path

from sitectl.diff import output, secrets, services
from sitectl.diff.compare import compare
from sitectl.diff.model import Plan, Report, Side

from .builders import TOKEN_DB, TOKEN_DB_NEW, TOKEN_RABBIT, Site

PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
# Secrets a buggy render might have left in clear: the diff must not show them either.
CLEAR_OLD = "Cl3ar-Old-Passw0rd"
CLEAR_NEW = "Cl3ar-New-Passw0rd"
URL_OLD = "Url-0ld-S3cret"
URL_NEW = "Url-N3w-S3cret"
FERNET = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo="
VAULT = "$ANSIBLE_VAULT;1.1;AES256\n3132333435363738393031323334353637383930\n"


def test_guard_text_tokenises_secret_keys_urls_and_key_material() -> None:
    text = (
        "[DEFAULT]\n"
        f"admin_password = {CLEAR_OLD}\n"
        f"transport_url = rabbit://openstack:{URL_OLD}@10.0.0.1:5672//\n"
        f"fernet_key = {FERNET}\n"
        "password_file = /etc/kolla/passwords\n"
        f"token = {TOKEN_DB}\n"
        "debug = True\n"
    )
    guarded = secrets.guard_text("x.conf", text)
    for secret in (CLEAR_OLD, URL_OLD, FERNET):
        assert secret not in guarded
    assert "password_file = /etc/kolla/passwords" in guarded
    assert f"token = {TOKEN_DB}" in guarded  # render's own token: kept for comparing
    assert "debug = True" in guarded
    assert secrets.guard_text("x.conf", text) == guarded  # stable: same secret, same token


def test_every_url_password_is_tokenised_as_the_render_does() -> None:
    """Every host of a transport URL, and a URL without a user name (redis)."""
    line = f"transport_url = rabbit://openstack:{URL_OLD}@a:5672,openstack:{URL_NEW}@b:5672//"
    guarded = secrets.guard_text_line(line)
    assert URL_OLD not in guarded and URL_NEW not in guarded
    assert guarded.startswith("transport_url = rabbit://openstack:<redacted:")
    assert URL_OLD not in secrets.guard_text_line(f"url:redis://:{URL_OLD}@10.0.0.1:6379")


def test_secret_files_are_one_token() -> None:
    assert secrets.guard_text("haproxy.pem", PEM).count("\n") == 1
    assert "MIIE" not in secrets.guard_text("ca.crt", PEM)
    assert secrets.guard_text("x.yml", VAULT) == "<redacted>\n"


def test_guard_data_follows_redact_rules() -> None:
    data = {
        "db_password": CLEAR_OLD,
        "tokens": TOKEN_DB,
        "nested": {"secret": {"deep": 42}},
        "ssh_private_key_path": "/srv/deploy/.ssh/id_rsa",
        "certificate": PEM,
        "plain": "visible",
    }
    guarded = secrets.guard_data(data)
    assert guarded["db_password"].startswith("<redacted:") and CLEAR_OLD not in str(guarded)
    assert guarded["tokens"] == TOKEN_DB
    assert guarded["nested"]["secret"]["deep"].startswith("<redacted:")
    assert guarded["ssh_private_key_path"] == "/srv/deploy/.ssh/id_rsa"
    assert "MIIE" not in guarded["certificate"]
    assert guarded["plain"] == "visible"


def test_show_pair() -> None:
    old = f"mysql://nova:{TOKEN_DB}@db/nova"
    assert secrets.show_pair(old, f"mysql://nova:{TOKEN_DB_NEW}@db/nova") == (
        "mysql://nova:<redacted>@db/nova",
        "mysql://nova:<redacted, changed>@db/nova",
        True,
    )
    shown = secrets.show_pair(old, f"mysql://nova:{TOKEN_DB}@db2/nova")
    assert shown == ("mysql://nova:<redacted>@db/nova", "mysql://nova:<redacted>@db2/nova", False)


def test_scrub_is_the_last_line_of_defence() -> None:
    pattern = re.compile(re.escape(CLEAR_OLD))
    text = f"a {TOKEN_DB} b\n{PEM}{VAULT}c {CLEAR_OLD} d\n"
    scrubbed = secrets.scrub(text, pattern)
    for leak in (TOKEN_DB, "MIIE", "$ANSIBLE_VAULT", "3132333435", CLEAR_OLD):
        assert leak not in scrubbed


def seeded_sites() -> tuple[Site, Site]:
    """Two sides full of secrets: tokens (changed and unchanged) and, as if the render had
    missed them, clear values, URL passwords, key material, PEM and vault text."""
    base = Site()
    base.configs["ctl01"]["keystone"]["keystone.conf"] = (
        f"[DEFAULT]\nadmin_password = {CLEAR_OLD}\n"
        f"[cache]\nbackend_argument = url:redis://default:{URL_OLD}@10.0.0.1:6379\n"
    )
    base.configs["ctl01"]["haproxy"] = {"haproxy.pem": PEM, "vaulted.yml": VAULT}
    base.kayobe["ctl01"]["some_private_key"] = PEM
    base.kayobe["ctl01"]["rabbitmq_password"] = CLEAR_OLD
    base.globals["octavia_ca_password"] = CLEAR_OLD
    head = base.copy()
    head.set_all("", "nova-", "nova.conf", TOKEN_DB, TOKEN_DB_NEW)
    head.configs["ctl01"]["keystone"]["keystone.conf"] = (
        f"[DEFAULT]\nadmin_password = {CLEAR_NEW}\n"
        f"[cache]\nbackend_argument = url:redis://default:{URL_NEW}@10.0.0.1:6379\n"
    )
    head.configs["ctl01"]["keystone"]["fernet-keys/0"] = FERNET.replace("Zm9v", "YmFy") + "\n"
    head.configs["ctl01"]["haproxy"]["haproxy.pem"] = PEM.replace("MIIE", "MIIF")
    head.configs["ctl01"]["haproxy"]["vaulted.yml"] = VAULT.replace("3132", "3334")
    head.kayobe["ctl01"]["some_private_key"] = PEM.replace("MIIE", "MIIF")
    head.kayobe["ctl01"]["rabbitmq_password"] = CLEAR_NEW
    head.globals["octavia_ca_password"] = CLEAR_NEW
    return base, head


def test_no_secret_in_any_artifact(tmp_path: Path) -> None:
    base, head = seeded_sites()
    result = compare(base.write(tmp_path / "b"), head.write(tmp_path / "h"), services.load())
    report = Report(
        environment="example-site",
        base=Side("main", "a" * 40),
        head=Side("feature merged onto main", "b" * 40),
        plan=Plan("full", "test"),
        inventory=result.inventory,
        kayobe=result.kayobe,
        globals=result.globals,
        services=result.services,
    )
    files = output.artifacts(report, result.unified)
    assert set(files) == set(output.FILES)
    leaks = (
        *(TOKEN_DB, TOKEN_DB_NEW, TOKEN_RABBIT, "<redacted:"),
        *(CLEAR_OLD, CLEAR_NEW, URL_OLD, URL_NEW, FERNET, "YmFy"),
        *("MIIE", "MIIF", "BEGIN PRIVATE", "$ANSIBLE_VAULT", "3132333435", "3334333435"),
    )
    for name, text in files.items():
        for leak in leaks:
            assert leak not in text, f"{leak!r} leaked into {name}"
    # ...and every change is still reported, as a redacted one.
    md = files["report.md"]
    assert "changed (redacted)" in md
    assert "rabbitmq_password" in md and "octavia_ca_password" in md
    assert "haproxy.pem" in md and "fernet-keys/0" in md and "admin_password" in md
    assert "vaulted.yml" not in md  # a new vault salt is not a change
