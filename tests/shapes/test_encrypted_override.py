"""A whole-file vault-encrypted kolla/config override whose credentials sit under option names
that do not say secret (`transport_url`, `connection`): nothing that render writes, in its
output or its cache, holds them in clear."""

from __future__ import annotations

import json

import pytest

from tests.render.plaintexts import leaks

from .builder import encrypt
from .conftest import Built

pytestmark = pytest.mark.slow

RABBIT = "Rabbit-Override-Pw-58"
DATABASE = "Db-Override-Pw-93"
NOVA_CONF = f"""\
[DEFAULT]
cpu_allocation_ratio = 4.0
transport_url = rabbit://nova:{RABBIT}@mq.override.invalid:5672//

[database]
connection = mysql+pymysql://nova:{DATABASE}@db.override.invalid/nova
"""


def test_url_passwords_of_an_encrypted_override_are_nowhere_in_clear(flat: Built) -> None:
    head = flat.branch(
        "encrypted-nova-override", {"etc/kayobe/kolla/config/nova.conf": encrypt(NOVA_CONF)}
    )
    rendered = flat.render(None, ref=head, services=["nova"])
    # File names only, never the text: a failure must not print the secrets.
    assert leaks(rendered, {RABBIT, DATABASE}) == []
    assert leaks(flat.cache, {RABBIT, DATABASE}) == []  # every render, kayobe's layers
    [host] = json.loads((rendered / "render.json").read_text())["hosts"]
    nova_conf = (rendered / "config" / host / "nova-api" / "nova.conf").read_text()
    overridden = all(
        part in nova_conf
        for part in ("transport_url = rabbit://nova:<redacted:", "@db.override.invalid/nova")
    )
    assert overridden, "the override's transport_url and connection are not in nova.conf"
