"""redact(): key-name rules, known-secret substrings, structure kept."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitectl.redact import (
    LONG_SECRET,
    MARKER,
    is_secret_key,
    redact,
    redact_text,
    replace_url_passwords,
    url_passwords,
)

SECRET = "Sup3r-s3cret!"


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "ipmi_password",
        "kolla_ansible_custom_passwords",
        "database_passwd",
        "luks_passphrase",
        "client_secret",
        "kolla_ansible_vault_secret_id",
        "ssh_private_key",
        "privatekey",
        "token",
        "kolla_ansible_vault_token",
        "API_TOKENS",
    ],
)
def test_secret_key_names(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "ssh_private_key_path",
        "docker_registry_basic_auth_htpasswd_path",
        "openstack_auth_password_required_params",
        "keystone_password_length",
        "password_hash_algorithm",
        "password_hash_rounds",
        "password_policy_enabled",
        "token_expiration",
        "keystone_token_provider",
        "tokenizer",
        "admin_oc_net_name",
        "ssh_public_key",
        "",
    ],
)
def test_names_that_are_not_secrets(key: str) -> None:
    assert not is_secret_key(key)


def test_values_under_secret_keys_are_replaced() -> None:
    data = {"ipmi_password": "admin123", "ipmi_username": "admin", "port": 623}
    assert redact(data) == {"ipmi_password": MARKER, "ipmi_username": "admin", "port": 623}


def test_containers_under_secret_keys_are_replaced_leaf_by_leaf() -> None:
    data = {"custom_passwords": {"db": "x1y2", "list": ["a", 7, True, None, ""], "n": 1.5}}
    assert redact(data) == {
        "custom_passwords": {"db": MARKER, "list": [MARKER, MARKER, True, None, ""], "n": MARKER}
    }


def test_known_secret_is_replaced_wherever_it_appears() -> None:
    data = {
        "url": f"mysql://nova:{SECRET}@db:3306/nova",
        "hosts": [{"motd": f"{SECRET} {SECRET}"}, {"plain": "hello"}],
        SECRET: "as a key",
    }
    assert redact(data, {SECRET}) == {
        "url": f"mysql://nova:{MARKER}@db:3306/nova",
        "hosts": [{"motd": f"{MARKER} {MARKER}"}, {"plain": "hello"}],
        MARKER: "as a key",
    }


def test_longest_secret_wins_when_secrets_overlap() -> None:
    assert redact("x-abcdefgh-x", {"abcd", "abcdefgh"}) == f"x-{MARKER}-x"


def test_short_secrets_are_not_searched_for() -> None:
    assert redact({"a": "yes or no"}, {"yes", "no"}) == {"a": "yes or no"}


def test_non_string_values_are_kept() -> None:
    data = {"enabled": True, "count": 3, "ratio": 0.5, "none": None, "empty": [], "nested": {}}
    assert redact(data, {"3333"}) == data


def test_pem_content_is_replaced_under_any_key() -> None:
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    assert redact({"haproxy_cert_content": pem, "other": [pem]}) == {
        "haproxy_cert_content": MARKER,
        "other": [MARKER],
    }


def test_key_material_under_key_names() -> None:
    fernet = "Gx6OQ8x7zJ3kLwqN2vR0bT5yU1iA9sD4fH7jK0lZ3cE="
    data = {
        "fernet_key": fernet,
        "api_keys": [fernet],
        "ssh_key": "/srv/deploy/.ssh/id_rsa",
        "sort_key": "name",
        "monkey": fernet,
    }
    assert redact(data) == {
        "fernet_key": MARKER,
        "api_keys": [MARKER],
        "ssh_key": "/srv/deploy/.ssh/id_rsa",
        "sort_key": "name",
        "monkey": fernet,
    }


def test_input_is_not_modified() -> None:
    data = {"password": "p4ss", "list": [SECRET]}
    copy = json.loads(json.dumps(data))
    redact(data, {SECRET})
    assert data == copy


def test_scalars_and_tuples() -> None:
    assert redact(SECRET, {SECRET}) == MARKER
    assert redact((SECRET, 1), {SECRET}) == [MARKER, 1]
    assert redact(42, {SECRET}) == 42


def test_redact_text_accepts_secrets_or_nothing() -> None:
    assert redact_text(f"a {SECRET} b", [SECRET]) == f"a {MARKER} b"
    assert redact_text("a b", None) == "a b"
    assert redact_text("a b", []) == "a b"


def test_regex_characters_in_secrets_are_literal() -> None:
    assert redact("x.*+?[]()y", {".*+?[]()"}) == f"x{MARKER}y"


@pytest.mark.parametrize(
    ("text", "passwords"),
    [
        ("transport_url = rabbit://nova:Pw-1@ctl1:5672,nova:Pw-2@ctl2:5672//", ["Pw-1", "Pw-2"]),
        ("connection = mysql+pymysql://nova:a:b@c@db/nova?ssl=1", ["a:b@c"]),
        ('"url": "redis://:Rd-pw@cache:6379/0"', ["Rd-pw"]),  # no user name
        ("url: https://u:p%2Fw@h and ftp://x:y@z", ["p%2Fw", "p/w", "y"]),  # decoded too
        ("ssh://git@host/repo http://host:8080/x?u=a:b@c mailto:a:b@c", []),
        ("mysql://nova:<redacted:0123abcd>@db mysql://nova:<redacted>@db", []),  # hidden
    ],
)
def test_url_passwords(text: str, passwords: list[str]) -> None:
    assert list(url_passwords(text)) == passwords


def test_replace_url_passwords_keeps_the_rest_of_the_url() -> None:
    text = "rabbit://nova:Pw-1@ctl1:5672,nova:Pw-2@ctl2:5672// and redis://:Rd@c:6379"
    replaced = replace_url_passwords(text, lambda password: password.upper()[::-1])
    assert replaced == "rabbit://nova:1-WP@ctl1:5672,nova:2-WP@ctl2:5672// and redis://:DR@c:6379"


def test_a_long_secret_is_found_whole_without_compiling_it() -> None:
    """A large file decrypted whole is a secret too: looked for by its start."""
    secret = "".join(f"line {n}: value {n * 7}\n" for n in range(2000))
    assert len(secret) > LONG_SECRET
    assert redact_text(f"before\n{secret}after", [secret, "other-secret"]) == (
        f"before\n{MARKER}after"
    )
    assert redact_text(secret[LONG_SECRET:], [secret]) == secret[LONG_SECRET:]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


# Upper case and digits: a secret that cannot appear inside MARKER.
secrets = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=4, max_size=12)


@given(data=json_values, secret=secrets)
def test_a_known_secret_never_survives(data: object, secret: str) -> None:
    planted = {"value": data, "carrier": f"<<{secret}>>", "list": [secret]}
    assert not any(secret in text for text in strings(redact(planted, {secret})))


def strings(obj: object) -> list[str]:
    """Every string in obj, keys included."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in [*strings(k), *strings(v)]]
    if isinstance(obj, list):
        return [s for item in obj for s in strings(item)]
    return []
