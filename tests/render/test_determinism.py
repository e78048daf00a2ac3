"""Two renders of the same inputs are byte-identical, and secrets keep their tokens exactly
as long as they keep their values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from sitectl import render_layout as layout
from sitectl.render import partitions, render, snapshot
from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO

from .conftest import CACHE

pytestmark = pytest.mark.slow

KEYSTONE_DIRS = ("keystone-api", "keystone-fernet", "keystone-ssh")
SERVICES = ["keystone", "glance", "placement"]  # kolla-ansible would run them in parts
TOKEN = r"<redacted:[0-9a-f]{8}>"


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def fresh_keystone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ci-aio's keystone, glance and placement rendered afresh (the cache neither read nor
    written) in one kolla-ansible run, as kayobe runs it (no parts)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(partitions.PARTS_VARIABLE, "1")
        return render(
            REPO,
            "ci-aio",
            services=SERVICES,
            vault_password_file=EXAMPLE_PASSWORD_FILE,
            use_cache=False,
            out=tmp_path_factory.mktemp("fresh") / "keystone",
        )


def test_a_fresh_render_is_byte_identical_to_the_cached_one(
    fresh_keystone: Path, ci_aio: Path
) -> None:
    """Every file of a fresh render of three services is, byte for byte, the same file of
    the (cached, earlier) full render: the same inputs give the same output, rendering some
    services gives exactly their part of the whole (kayobe's custom config narrowed to what
    they read, render/custom_config.py), and the full render's genconfig run in parts
    (render/partitions.py) writes what one run writes."""
    meta = layout.read_meta(fresh_keystone)
    assert "parts at once" not in meta.get("genconfig", "")
    # kolla-openstack.yml copied only what keystone, glance and placement read
    assert re.search(r"; \d+ others left out$", meta["custom_config"])
    fresh, whole = files(fresh_keystone), files(ci_aio)
    assert {name.split("/")[0] for name in fresh} == {"config", "kayobe", "kolla", "render.json"}
    assert set(fresh) - {"render.json"} <= set(whole)
    differing = [name for name in fresh if name != "render.json" and fresh[name] != whole[name]]
    assert differing == []
    for name in KEYSTONE_DIRS:
        assert files(ci_aio / "config" / "aio" / name) == files(
            fresh_keystone / "config" / "aio" / name
        )


def test_example_site_renders_byte_identical_afresh(
    example_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The same property on the multi-node site (15 hosts, every mixin): a fresh nova render
    equals the cached one file for file, so its self-diff is empty."""
    fresh = render(
        REPO,
        "example-site",
        services=["nova"],
        vault_password_file=EXAMPLE_PASSWORD_FILE,
        use_cache=False,
        out=tmp_path_factory.mktemp("fresh") / "example-site",
    )
    fresh_files, cached_files = files(fresh), files(example_site)
    assert set(fresh_files) == set(cached_files)
    assert [
        n for n in fresh_files if n != "render.json" and fresh_files[n] != cached_files[n]
    ] == []


# --- a changed secret -------------------------------------------------------------------


def _tokens(keystone_conf: str) -> tuple[str, str]:
    """(the database password's token, the RabbitMQ password's token)."""
    database = re.search(
        rf"^connection = mysql\+pymysql://keystone:({TOKEN})@", keystone_conf, re.M
    )
    rabbit = re.search(rf"^transport_url = rabbit://openstack:({TOKEN})@", keystone_conf, re.M)
    assert database and rabbit
    return database.group(1), rabbit.group(1)


@pytest.fixture(scope="module")
def changed_secret(tmp_path_factory: pytest.TempPathFactory, password: str) -> Path:
    """ci-aio rendered from a copy of the configuration whose keystone database password
    differs. The copy is encrypted with a fixed salt, so its render is cached like any other
    (in the repository's cache: entries depend only on their inputs)."""
    copy = tmp_path_factory.mktemp("changed-secret") / "repo"
    snapshot.materialise(REPO, snapshot.resolve(REPO, None), copy)
    passwords = copy / "environments" / "ci-aio" / "kolla" / "passwords.yml"
    vault = VaultLib([("default", VaultSecret(password.encode()))])
    values = yaml.safe_load(vault.decrypt(passwords.read_text()))
    values["keystone_database_password"] += "-changed"
    plaintext = yaml.safe_dump(values, default_flow_style=False)
    passwords.write_bytes(vault.encrypt(plaintext, salt="sitectl-render-test-salt"))
    return render(
        copy,
        "ci-aio",
        services=SERVICES,
        vault_password_file=EXAMPLE_PASSWORD_FILE,
        cache_dir=CACHE,
    )


def test_a_changed_secret_changes_its_token_only(
    fresh_keystone: Path, changed_secret: Path
) -> None:
    path = Path("config", "aio", "keystone-api", "keystone.conf")
    database, rabbit = _tokens((fresh_keystone / path).read_text())
    changed_database, same_rabbit = _tokens((changed_secret / path).read_text())
    assert changed_database != database
    assert same_rabbit == rabbit
    # Nothing else differs but where that password is used.
    before, after = files(fresh_keystone), files(changed_secret)
    assert set(before) == set(after)
    differing = sorted(name for name in before if before[name] != after[name])
    assert differing
    for name in differing:
        assert name == "render.json" or database in before[name].decode(), name
