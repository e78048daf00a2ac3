"""dump(): real `kayobe configuration dump` on a tiny synthetic configuration."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sitectl import dump as dump_module
from sitectl import kayobe
from sitectl.dump import cache_key, config_files, dump
from sitectl.errors import SiteError
from sitectl.redact import MARKER
from tests.synthetic import add_env, encrypt, make_repo, vault_variable

PASSWORD = "unit-test-vault-password"
DB_PASSWORD = "Db-Pa55-w0rd-xyz"
WHOLE_FILE_SECRET = "Wh0le-File-Secret-42"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Two local hosts; environment `site` (depends on `mixin`) holds an inline vault value, a
    value templated from it, and a whole vault-encrypted vars file."""
    repo = make_repo(tmp_path / "repo")
    config = repo / "etc" / "kayobe"
    (config / "inventory").mkdir()
    (config / "inventory" / "hosts").write_text(
        "[controllers]\n"
        "ctl0 ansible_connection=local\n"
        "ctl1 ansible_connection=local ansible_python_interpreter=/nonexistent/python\n"
    )
    (config / "networks.yml").write_text("---\nadmin_oc_net_name: mgmt_net\n")
    add_env(repo, "mixin", files={"mixin.yml": "---\nlayer: mixin\nmixin_only: true\n"})
    add_env(
        repo,
        "site",
        ["mixin"],
        files={
            "site.yml": "---\nlayer: site\nplain_marker: visible\n"
            + vault_variable("site_db_credential", DB_PASSWORD, PASSWORD)
            + 'site_db_url: "mysql://nova:{{ site_db_credential }}@db/nova"\n',
            "secrets.yml": encrypt(f"site_whole_file_value: {WHOLE_FILE_SECRET}\n", PASSWORD),
        },
    )
    return repo


@pytest.fixture
def kayobe_runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The vault password in the environment, and every kayobe run recorded."""
    monkeypatch.delenv("KAYOBE_VAULT_PASSWORD_FILE", raising=False)
    monkeypatch.setenv("KAYOBE_VAULT_PASSWORD", PASSWORD)
    runs: list[list[str]] = []
    real_run: Callable[..., str] = kayobe.run

    def counting_run(repo: Path, args: list[str], **kwargs: Any) -> str:
        runs.append(list(args))
        return real_run(repo, args, **kwargs)

    monkeypatch.setattr(kayobe, "run", counting_run)
    return runs


def cached_bytes(repo: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted((repo / ".cache").rglob("*")) if p.is_file())


@pytest.mark.slow
def test_dump_runs_kayobe_redacts_and_caches(
    repo: Path, kayobe_runs: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    hosts = dump(repo, "site")

    assert kayobe_runs == [["configuration", "dump", "--environment", "site"]]
    assert sorted(hosts) == ["ctl0", "ctl1"]
    ctl0 = hosts["ctl0"]
    # Real kayobe: its defaults, our base config, the mixin, then the site on top.
    assert ctl0["kayobe_config_path"] == str(repo / "etc" / "kayobe")
    assert ctl0["admin_oc_net_name"] == "mgmt_net"
    assert ctl0["mixin_only"] is True
    assert ctl0["layer"] == "site"
    assert ctl0["plain_marker"] == "visible"
    # Secrets: the vaulted value, a value templated from it, a value from a vaulted file.
    assert ctl0["site_db_credential"] == MARKER
    assert ctl0["site_db_url"] == f"mysql://nova:{MARKER}@db/nova"
    assert ctl0["site_whole_file_value"] == MARKER
    # kayobe's own bookkeeping (a fresh temp dir each run) is dropped.
    assert "dump_path" not in ctl0
    # ANSIBLE_PYTHON_INTERPRETER is a setting, not a variable: the dump does not change, and a
    # host's own ansible_python_interpreter wins (delegated localhost tasks still ran).
    assert "ansible_python_interpreter" not in ctl0
    assert hosts["ctl1"]["ansible_python_interpreter"] == "/nonexistent/python"

    secrets = (DB_PASSWORD, WHOLE_FILE_SECRET, PASSWORD)
    text = json.dumps(hosts)
    on_disk = cached_bytes(repo)
    shown = capsys.readouterr()
    for secret in secrets:
        assert secret not in text
        assert secret.encode() not in on_disk
        assert secret not in shown.out + shown.err
    assert len(list((repo / ".cache" / "sitectl" / "dump").glob("*.json"))) == 1

    # The same inputs again: from the cache, no kayobe run.
    assert dump(repo, "site") == hosts
    assert len(kayobe_runs) == 1
    assert "cached" in capsys.readouterr().err

    # A wrong password fails even though the dump is cached: the vault is opened first.
    wrong = repo.parent / "wrong-password"
    wrong.write_text("not-the-password\n")
    with pytest.raises(SiteError, match="does not decrypt"):
        dump(repo, "site", vault_password_file=wrong)
    assert len(kayobe_runs) == 1

    # Without environments, the base configuration alone (kayobe without --environment).
    base = dump(repo, None)
    assert kayobe_runs[-1] == ["configuration", "dump"]
    assert base["ctl0"]["admin_oc_net_name"] == "mgmt_net" and "layer" not in base["ctl0"]

    # Any change to the configuration is a new key: kayobe runs again.
    with (repo / "environments" / "site" / "site.yml").open("a") as handle:
        handle.write("added_later: 42\n")
    assert dump(repo, "site", host="ctl0", var="added_later") == 42
    assert kayobe_runs[-1] == [
        "configuration",
        "dump",
        "--environment",
        "site",
        "--host",
        "ctl0",
        "--var-name",
        "added_later",
    ]
    assert len(kayobe_runs) == 3


@pytest.mark.slow
def test_kayobe_failure_is_reported_without_secrets(
    repo: Path, kayobe_runs: list[list[str]]
) -> None:
    (repo / "environments" / "site" / "broken.yml").write_text(
        f"---\nbad: [1, 2\nsecret_echo: {DB_PASSWORD}\n"
    )
    with pytest.raises(SiteError) as caught:
        dump(repo, "site")
    text = caught.value.render()
    assert "kayobe configuration dump failed" in text
    assert str(repo / "environments" / "site" / "broken.yml") in text
    assert DB_PASSWORD not in text
    assert PASSWORD not in text
    assert not (repo / ".cache" / "sitectl" / "dump").exists()


@pytest.mark.slow
def test_unknown_host_is_an_error(repo: Path, kayobe_runs: list[list[str]]) -> None:
    with pytest.raises(SiteError, match="no host of environment site matches 'nohost'"):
        dump(repo, "site", host="nohost")
    assert not (repo / ".cache" / "sitectl" / "dump").exists()


def test_unknown_environment_fails_before_kayobe(repo: Path, kayobe_runs: list[list[str]]) -> None:
    with pytest.raises(SiteError, match="unknown environment 'nope'"):
        dump(repo, "nope")
    assert kayobe_runs == []


def test_host_and_hosts_are_exclusive(repo: Path) -> None:
    with pytest.raises(SiteError, match="not both"):
        dump(repo, "site", host="ctl0", hosts="controllers")


def test_cache_key_follows_every_input(repo: Path) -> None:
    base = cache_key(repo, "site", None, None, None)
    assert cache_key(repo, "site", None, None, None) == base
    assert cache_key(repo, "mixin", None, None, None) != base
    assert cache_key(repo, "site", "ctl0", None, None) != base
    assert cache_key(repo, "site", None, "controllers", None) != base
    assert cache_key(repo, "site", None, None, "layer") != base
    (repo / "environments" / "mixin" / "new.yml").write_text("x: 1\n")
    assert cache_key(repo, "site", None, None, None) != base


def test_what_ansible_writes_beside_a_plugin_is_not_configuration(repo: Path) -> None:
    """The __pycache__ Ansible's first run writes beside a filter plugin under etc/kayobe
    does not change the key: the second run of a fresh clone is served from the cache."""
    plugins = repo / "etc" / "kayobe" / "filter_plugins"
    plugins.mkdir()
    (plugins / "site.py").write_text("class FilterModule:\n    pass\n")
    base = cache_key(repo, "site", None, None, None)
    (plugins / "__pycache__").mkdir()
    (plugins / "__pycache__" / "site.cpython-312.pyc").write_bytes(b"compiled")
    (plugins / "old.pyc").write_bytes(b"compiled")
    assert cache_key(repo, "site", None, None, None) == base
    (plugins / "site.py").write_text("class FilterModule:\n    filters = {}\n")
    assert cache_key(repo, "site", None, None, None) != base


def test_config_files_follow_the_environments_symlink_once(repo: Path) -> None:
    labels = [label for label, _ in config_files(repo)]
    assert "kayobe/environments/site/site.yml" in labels
    assert len(labels) == len(set(labels))
    assert not any(label.startswith("environments/") for label in labels)


def test_cache_keeps_the_newest_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dump_module, "CACHE_ENTRIES", 2)
    for n in range(4):
        dump_module._write_cache(tmp_path / f"{n}.json", {"n": n})
        os.utime(tmp_path / f"{n}.json", (n, n))
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["2.json", "3.json"]
    assert list(tmp_path.glob(".tmp-*")) == []


def test_a_huge_dump_is_not_cached_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(dump_module, "MAX_CACHED_BYTES", 2**20)
    dump_module._write_cache(tmp_path / "big.json", {"data": "x" * 2**21})
    assert not (tmp_path / "big.json").exists()
    assert "not cached: the resolved variables take 2 MiB" in capsys.readouterr().err


def test_corrupt_cache_file_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{not json")
    assert dump_module._read_cache(path) is None
    path.write_text(json.dumps({"format": "other", "data": 1}))
    assert dump_module._read_cache(path) is None
