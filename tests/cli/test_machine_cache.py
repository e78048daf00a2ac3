"""sitectl's machine cache (sitectl/machine_cache.py) and `sitectl cache`: entries made once,
by one process, never half-made; a cache others could write to is refused."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sitectl import machine_cache
from sitectl.errors import SiteError
from tests.conftest import RunSitectl


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "machine"
    monkeypatch.setenv(machine_cache.ROOT_VARIABLE, str(root))
    return root


def test_an_entry_is_made_once_and_then_served(cache: Path) -> None:
    made: list[Path] = []

    def make(root: Path) -> None:
        made.append(root)
        (root / "tool").write_text("v1")

    first = machine_cache.entry("kind", "abc", make)
    second = machine_cache.entry("kind", "abc", make)
    assert first == second == cache / "kind" / "abc"
    assert made == [first]
    assert (first / "tool").read_text() == "v1"
    assert cache.stat().st_mode & 0o777 == 0o700


def test_a_make_that_fails_leaves_nothing_and_the_next_call_makes_it_again(cache: Path) -> None:
    def broken(root: Path) -> None:
        (root / "half").write_text("half-installed")
        raise SiteError("pip could not install it")

    with pytest.raises(SiteError, match="pip could not install it"):
        machine_cache.entry("kind", "abc", broken)
    assert not (cache / "kind" / "abc").exists()
    entry = machine_cache.entry("kind", "abc", lambda root: (root / "ok").write_text("ok"))
    assert (entry / "ok").exists() and not (entry / "half").exists()


def test_two_processes_asking_at_once_make_the_entry_once(cache: Path, tmp_path: Path) -> None:
    """Each process appends a line to a log when it makes the entry; only one line."""
    log = tmp_path / "makers.log"
    program = textwrap.dedent(
        f"""
        import os, time
        from pathlib import Path
        from sitectl import machine_cache

        def make(root):
            with open({str(log)!r}, "a") as f:
                f.write(f"{{os.getpid()}}\\n")
            time.sleep(1.5)
            (root / "made").write_text("yes")

        entry = machine_cache.entry("kind", "shared", make)
        assert (entry / "made").read_text() == "yes"
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", program], stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(proc.wait(timeout=60), proc.stderr.read()) for proc in procs if proc.stderr]
    assert [code for code, _ in results] == [0, 0], results
    assert len(log.read_text().splitlines()) == 1
    assert any("waiting for another process making" in err for _, err in results)


def test_the_key_names_the_inputs_the_interpreter_and_the_place(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = machine_cache.key("pins v1")
    assert machine_cache.key("pins v1") == here
    assert machine_cache.key("pins v2") != here
    monkeypatch.setenv(machine_cache.ROOT_VARIABLE, str(tmp_path / "elsewhere"))
    assert machine_cache.key("pins v1") != here  # a virtualenv cannot move


def test_a_cache_others_may_write_to_is_refused(cache: Path) -> None:
    cache.mkdir(mode=0o700)
    cache.chmod(0o777)
    with pytest.raises(SiteError, match="others may write to it") as refused:
        machine_cache.entry("kind", "abc", lambda root: None)
    assert machine_cache.ROOT_VARIABLE in str(refused.value)
    assert not (cache / "kind").exists()


def test_the_verb_lists_and_clears(cache: Path, sitectl: RunSitectl) -> None:
    machine_cache.entry("schema", "k1", lambda root: (root / "f").write_bytes(b"x" * 2**20))
    machine_cache.entry("tempest", "k2", lambda root: (root / "f").write_text("t"))
    env = {machine_cache.ROOT_VARIABLE: str(cache)}

    listed = sitectl("cache", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "schema/k1  1.0 MiB" in listed.stdout and "tempest/k2" in listed.stdout

    unknown = sitectl("cache", "clear", "nonsense", env=env)
    assert unknown.returncode == 2
    assert "holds no nonsense entries; it holds: schema, tempest" in unknown.stderr

    cleared = sitectl("cache", "clear", "schema", env=env)
    assert cleared.returncode == 0, cleared.stderr
    assert cleared.stdout.startswith("removed 1 entries (1.0 MiB)")
    assert not (cache / "schema" / "k1").exists() and (cache / "tempest" / "k2").exists()


def test_clear_keeps_an_entry_being_made(cache: Path) -> None:
    def make(root: Path) -> None:
        removed, busy = machine_cache.clear(("kind",))
        assert removed == [] and [found.key for found in busy] == ["abc"]

    machine_cache.entry("kind", "abc", make)
    assert (cache / "kind" / "abc" / machine_cache.COMPLETE).exists()
