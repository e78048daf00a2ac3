"""Secrets become stable HMAC tokens; nothing else changes."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from urllib.parse import quote

from sitectl.render.redaction import Redactor

KEY = "vault-password-for-tests"
SECRET = "Sup3r-Secret-Value-42"
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAx7+abc/def+ghi\n"
    "QWERTYuiop0987654321zxcvbnmASDF\n"
    "-----END RSA PRIVATE KEY-----"
)


def expected_token(secret: str, key: str = KEY) -> str:
    return f"<redacted:{hmac.new(key.encode(), secret.encode(), hashlib.sha256).hexdigest()[:8]}>"


def test_token_is_the_hmac_of_the_secret() -> None:
    redactor = Redactor(KEY, [SECRET])
    assert redactor.token(SECRET) == expected_token(SECRET)
    assert re.fullmatch(r"<redacted:[0-9a-f]{8}>", redactor.token(SECRET))


def test_same_secret_same_token_changed_secret_other_token() -> None:
    one = Redactor(KEY, [SECRET]).text(f"url = rabbit://u:{SECRET}@h\n")
    again = Redactor(KEY, [SECRET]).text(f"url = rabbit://u:{SECRET}@h\n")
    changed = Redactor(KEY, [SECRET + "x"]).text(f"url = rabbit://u:{SECRET}x@h\n")
    assert one == again == f"url = rabbit://u:{expected_token(SECRET)}@h\n"
    assert changed != one
    assert SECRET not in changed


def test_another_vault_password_gives_other_tokens() -> None:
    assert Redactor("other", []).token(SECRET) != Redactor(KEY, []).token(SECRET)


def test_longest_known_secret_wins() -> None:
    text = Redactor(KEY, ["abcd1234", "abcd1234efgh"]).text("a=abcd1234efgh b=abcd1234\n")
    assert text == f"a={expected_token('abcd1234efgh')} b={expected_token('abcd1234')}\n"


def test_pem_blocks_are_replaced_whole_with_one_token_whatever_the_encoding() -> None:
    redactor = Redactor(KEY, [])
    raw = redactor.text(PEM + "\n")
    indented = redactor.text("key: |\n  " + PEM.replace("\n", "\n  ") + "\n")
    escaped = redactor.text(json.dumps({"key": PEM}) + "\n")
    token = raw.strip()
    assert re.fullmatch(r"<redacted:[0-9a-f]{8}>", token)
    assert indented == f"key: |\n  {token}\n"
    assert escaped == json.dumps({"key": token}) + "\n"
    assert "MIIE" not in raw + indented + escaped


def test_an_unterminated_pem_block_hides_the_rest() -> None:
    text = Redactor(KEY, []).text("a = 1\n-----BEGIN PRIVATE KEY-----\nMIIE\nmore\n")
    assert text.startswith("a = 1\n<redacted:")
    assert "MIIE" not in text


def test_values_of_secret_named_keys() -> None:
    redactor = Redactor(KEY, [])
    text = redactor.text(
        "[DEFAULT]\n"
        "admin_password = hunter2hunter2\n"
        "memcache_secret_key = abcdefgh\n"
        '  "password": "quoted-value",\n'
        "- token: tok-value\n"
        "password =\n"
        "password_file = /etc/kolla/passwords\n"
        "auth_type = password\n"
        "secret: null\n"
    )
    assert text == (
        "[DEFAULT]\n"
        f"admin_password = {expected_token('hunter2hunter2')}\n"
        f"memcache_secret_key = {expected_token('abcdefgh')}\n"
        f'  "password": "{expected_token("quoted-value")}",\n'
        f"- token: {expected_token('tok-value')}\n"
        "password =\n"
        "password_file = /etc/kolla/passwords\n"
        "auth_type = password\n"
        "secret: null\n"
    )


def test_ordinary_text_is_untouched() -> None:
    text = "[filter_scheduler]\nenabled_filters = ComputeFilter,PciPassthroughFilter\n"
    assert Redactor(KEY, [SECRET]).text(text) == text


def test_structured_data() -> None:
    redactor = Redactor(KEY, [SECRET])
    data = {
        "ipmi_password": SECRET,
        "ironic_driver_info": {"redfish_password": "plain-in-config", "redfish_username": "admin"},
        "url": f"https://admin:{SECRET}@bmc",
        "ssh_private_key_path": "/srv/deploy/.ssh/id_rsa",
        "fernet_key": "aGVsbG8gd29ybGQgMTIzNDU2Nzg5MA==",
        "ports": [80, 443],
        "enabled": True,
        "db_password": 12345678,
    }
    assert redactor.data(data) == {
        "ipmi_password": expected_token(SECRET),
        "ironic_driver_info": {
            "redfish_password": expected_token("plain-in-config"),
            "redfish_username": "admin",
        },
        "url": f"https://admin:{expected_token(SECRET)}@bmc",
        "ssh_private_key_path": "/srv/deploy/.ssh/id_rsa",
        "fernet_key": expected_token("aGVsbG8gd29ybGQgMTIzNDU2Nzg5MA=="),
        "ports": [80, 443],
        "enabled": True,
        "db_password": expected_token("12345678"),
    }


def test_binary_content_is_one_token() -> None:
    assert re.fullmatch(r"<redacted:[0-9a-f]{8}>\n", Redactor(KEY, []).binary(b"\0\1\2"))


def test_url_passwords_are_tokens_known_or_not() -> None:
    """Credentials under option names that do not say secret (a whole-file encrypted override's
    transport_url and connection): hidden whether learnt or not, a percent-encoded known secret
    with the secret's own token, a known secret inside a longer password with all of it."""
    unknown = "Unkn0wn-Rabbit-Pw"
    encoded = "p@ss/w0rd:Db-42"
    redactor = Redactor(KEY, [SECRET, encoded])
    text = redactor.text(
        f"transport_url = rabbit://nova:{unknown}@ctl1:5672,nova:{unknown}@ctl2:5672//\n"
        f"connection = mysql+pymysql://nova:{quote(encoded, safe='')}@db/nova\n"
        f"backend_argument = url:redis://:{SECRET}-and-more@cache:6379\n"
    )
    assert unknown not in text and "Db-42" not in text and "-and-more" not in text
    assert text.splitlines()[0] == (
        f"transport_url = rabbit://nova:{expected_token(unknown)}@ctl1:5672,"
        f"nova:{expected_token(unknown)}@ctl2:5672//"
    )
    assert f"mysql+pymysql://nova:{expected_token(encoded)}@db/nova" in text
    assert redactor.text(text) == text  # tokens are left alone
    assert redactor.data({"url": f"https://admin:{unknown}@bmc"}) == {
        "url": f"https://admin:{expected_token(unknown)}@bmc"
    }


def test_render_json_values_are_redacted_whatever_the_keys() -> None:
    """render.json's keys name secrets (generated_secrets) but hold none: only known secrets,
    PEM blocks and URL passwords in its values become tokens."""
    meta = {
        "generated_secrets": ["rabbitmq_password", "keystone_admin_password"],
        "ref": f"https://ci:{SECRET}@git.example.invalid/site.git",
        "custom_config": [f"a note with {SECRET} in it"],
        "hosts": ("ctl1",),
    }
    assert Redactor(KEY, [SECRET]).values(meta) == {
        "generated_secrets": ["rabbitmq_password", "keystone_admin_password"],
        "ref": f"https://ci:{expected_token(SECRET)}@git.example.invalid/site.git",
        "custom_config": [f"a note with {expected_token(SECRET)} in it"],
        "hosts": ["ctl1"],
    }
