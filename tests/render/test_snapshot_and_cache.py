"""What a render reads (the snapshot), what its cache key covers, and where renders go."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitectl import config_tree, outdir
from sitectl import render_layout as layout
from sitectl.errors import SiteError
from sitectl.render import cache, pipeline, services, snapshot
from tests.helpers import git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A tiny git repository laid out like this one."""
    repo = tmp_path / "repo"
    (repo / "etc" / "kayobe" / "inventory").mkdir(parents=True)
    (repo / "environments" / "site").mkdir(parents=True)
    (repo / "ansible").mkdir()
    (repo / "tools").mkdir()
    (repo / "etc" / "kayobe" / "environments").symlink_to(Path("..", "..", "environments"))
    (repo / "etc" / "kayobe" / "ansible").symlink_to(Path("..", "..", "ansible"))
    (repo / "etc" / "kayobe" / "globals.yml").write_text("---\nos_release: '10'\n")
    (repo / "environments" / "site" / "README.md").write_text("# site\n")
    (repo / "environments" / "site" / "networks.yml").write_text("---\na: 1\n")
    (repo / "ansible" / "site.yml").write_text("---\n")
    (repo / "tools" / "code.py").write_text("print()\n")
    (repo / "requirements.txt").write_text("kayobe\n")
    (repo / ".gitignore").write_text("/ignored/\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one")
    return repo


def names(root: Path) -> list[str]:
    return [relative for relative, _ in snapshot.files(root)]


def test_a_snapshot_holds_the_repository_and_its_files_the_configuration(
    repo: Path, tmp_path: Path
) -> None:
    """Everything git would commit is copied (a script may read any of it); what decides the
    render (files()) is the configuration alone when it names nothing else."""
    (repo / "ignored").mkdir()
    (repo / "ignored" / "x.yml").write_text("x\n")
    (repo / "environments" / "site" / "new.yml").write_text("---\nb: 2\n")  # untracked
    worktree = snapshot.materialise(repo, snapshot.resolve(repo, None), tmp_path / "wt")
    assert names(worktree) == [
        "ansible/site.yml",
        "environments/site/networks.yml",
        "environments/site/new.yml",
        "etc/kayobe/ansible",
        "etc/kayobe/environments",
        "etc/kayobe/globals.yml",
    ]
    assert (worktree / "etc" / "kayobe" / "environments").is_symlink()
    assert (worktree / "tools" / "code.py").is_file() and (worktree / "requirements.txt").is_file()
    assert not (worktree / "ignored").exists() and not (worktree / ".git").exists()
    committed = snapshot.materialise(repo, snapshot.resolve(repo, "main"), tmp_path / "ref")
    assert "environments/site/new.yml" not in names(committed)
    assert (committed / "tools" / "code.py").is_file()


def test_sitectls_state_is_never_copied_whatever_gitignore_says(repo: Path, tmp_path: Path) -> None:
    (repo / ".gitignore").write_text("")
    state = [".cache/sitectl/x", ".venv/bin/x", "reports/config-diff/x", "generated/x.yml"]
    for relative in [*state, ".gitlab-ci-local/x", "tools/__pycache__/code.pyc"]:
        (repo / relative).parent.mkdir(parents=True, exist_ok=True)
        (repo / relative).write_text("x\n")
    copy = snapshot.materialise(repo, snapshot.resolve(repo, None), tmp_path / "copy")
    copied = {path.relative_to(copy).parts[0] for path in copy.iterdir()}
    assert copied == {".gitignore", "ansible", "environments", "etc", "requirements.txt", "tools"}
    assert not (copy / "tools" / "__pycache__").exists()


def test_what_the_configuration_names_is_hashed(repo: Path, tmp_path: Path) -> None:
    """A path in a value (however Jinja builds it) names a file; a comment, prose and a bare
    top-level word do not; a path to a directory names its files; a named script's own
    names count too."""
    files = {
        "tools/render-me.sh": '#!/bin/sh\ncat "$(dirname "$0")/data/site.txt"\n',
        "tools/data/site.txt": "cloud\n",
        "tools/unused.sh": "#!/bin/sh\n",
        "tools/motd/a.txt": "hello\n",
        "ci/guide.txt": "how to\n",
        ".gitreview": "[gerrit]\n",
        "tests/test_x.py": "\n",
    }
    for relative, text in files.items():
        (repo / relative).parent.mkdir(parents=True, exist_ok=True)
        (repo / relative).write_text(text)
    (repo / "etc" / "kayobe" / "site.yml").write_text(
        "---\n# tools/unused.sh and tests/test_x.py are only mentioned here\n"
        "site: \"{{ lookup('pipe', kayobe_config_path ~ '/../../tools/render-me.sh') }}\"\n"
        'motd: "{{ kayobe_config_path }}/../../tools/motd/"\n'
        "review: .gitreview\n"
        "note: The guide in ci/guide.txt explains how the tests and tools are run here.\n"
        "words: tests tools ci\n"
    )
    copy = snapshot.materialise(repo, snapshot.resolve(repo, None), tmp_path / "copy")
    named = {name for name in names(copy) if not config_tree.is_configuration(name)}
    assert named == {
        ".gitreview",
        "tools/motd/a.txt",
        "tools/data/site.txt",
        "tools/render-me.sh",
    }


def test_refs_resolve_to_commits(repo: Path) -> None:
    source = snapshot.resolve(repo, "main")
    assert source.commit == git(repo, "rev-parse", "HEAD")
    assert snapshot.resolve(repo, None).commit == snapshot.WORKING_TREE
    with pytest.raises(SiteError, match="unknown git ref 'nope'"):
        snapshot.resolve(repo, "nope")
    with pytest.raises(SiteError, match="not a git ref"):
        snapshot.resolve(repo, "--output=x")


def test_input_hash(repo: Path, tmp_path: Path) -> None:
    def hash_of(name: str, env: str = "site", svc: list[str] | None = None, pw: str = "p") -> str:
        root = snapshot.materialise(repo, snapshot.resolve(repo, None), tmp_path / name)
        return cache.input_hash(root, env, svc, pw)

    base = hash_of("a")
    assert hash_of("b") == base  # the same inputs
    assert hash_of("c", env="other") != base
    assert hash_of("d", svc=["nova"]) != base
    assert hash_of("e", pw="q") != base
    (repo / "tools" / "code.py").write_text("print(1)\n")
    (repo / "environments" / "site" / "README.md").write_text("# changed\n")
    assert hash_of("f") == base  # tooling and documentation are not inputs
    (repo / "environments" / "site" / "networks.yml").write_text("---\na: 2\n")
    assert hash_of("g") != base


def test_cache_entries_and_siblings(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    hash_ = "ab" * 32
    entry = root / cache.entry_name(hash_, None, snapshot.WORKING_TREE)
    entry.mkdir(parents=True)
    assert cache.lookup(root, hash_, None, snapshot.WORKING_TREE) is None  # incomplete
    layout.write_meta(entry, {"format": layout.FORMAT, "input_hash": hash_})
    assert cache.lookup(root, hash_, None, snapshot.WORKING_TREE) == entry
    assert cache.lookup(root, hash_, "main", "c" * 40) is None  # another ref: another entry
    assert cache.sibling(root, hash_) == entry


def test_out_must_be_absent_empty_or_a_render(tmp_path: Path) -> None:
    outdir.check(tmp_path / "absent", pipeline.RENDER)
    (tmp_path / "empty").mkdir()
    outdir.check(tmp_path / "empty", pipeline.RENDER)
    (tmp_path / "render").mkdir()
    (tmp_path / "render" / "render.json").write_text("{}\n")
    outdir.check(tmp_path / "render", pipeline.RENDER)
    (tmp_path / "file").write_text("x\n")
    with pytest.raises(SiteError, match="not a directory"):
        outdir.check(tmp_path / "file", pipeline.RENDER)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("x\n")
    with pytest.raises(SiteError, match="not an earlier render"):
        outdir.check(tmp_path / "notes", pipeline.RENDER)


def test_services_are_kolla_tags() -> None:
    assert services.selection(None) is None
    assert services.selection(["nova", " neutron", "nova"]) == ["neutron", "nova"]
    assert {"nova", "neutron", "keystone", "haproxy"} <= services.known_services()
    assert "always" not in services.known_services()
    with pytest.raises(SiteError, match="unknown service nvoa"):
        services.selection(["nvoa"])
    with pytest.raises(SiteError, match="empty"):
        services.selection([""])


def test_same_inputs_at_another_ref_reuse_a_cached_render(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cached render of the same inputs is copied (with its own render.json): no kayobe."""
    for name in ("KAYOBE_VAULT_PASSWORD", "KAYOBE_VAULT_PASSWORD_FILE"):
        monkeypatch.delenv(name, raising=False)

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("ran kayobe")

    monkeypatch.setattr(pipeline.harness, "run", refuse)
    root = tmp_path / "cache"
    hash_ = pipeline.input_hash(repo, "site", cache_dir=root)
    earlier = root / cache.entry_name(hash_, None, snapshot.WORKING_TREE)
    (earlier / "config" / "h1").mkdir(parents=True)
    (earlier / "config" / "h1" / "x.conf").write_text("x = 1\n")
    layout.write_meta(
        earlier, {"format": layout.FORMAT, "input_hash": hash_, "hosts": ["h1"], "ref": None}
    )

    assert pipeline.render(repo, "site", cache_dir=root) == earlier
    at_main = pipeline.render(repo, "site", ref="main", cache_dir=root)
    assert at_main != earlier
    assert (at_main / "config" / "h1" / "x.conf").read_text() == "x = 1\n"
    recorded = layout.read_meta(at_main)
    assert recorded["ref"] == "main"
    assert recorded["commit"] == git(repo, "rev-parse", "HEAD")
    assert (recorded["input_hash"], recorded["hosts"]) == (hash_, ["h1"])
    assert pipeline.render(repo, "site", ref="main", cache_dir=root) == at_main


def test_a_second_process_with_the_same_inputs_waits_for_the_first(tmp_path: Path) -> None:
    """cache.claim: the first holder renders; one with the same inputs waits (told once), one
    with other inputs does not."""
    held: list[str] = []
    with cache.claim(tmp_path, "a" * 64, lambda: held.append("waited")):
        program = (
            "import sys\nfrom pathlib import Path\nfrom sitectl.render import cache\n"
            "with cache.claim(Path(sys.argv[1]), sys.argv[2], lambda: print('waiting')):\n"
            "    print('claimed')\n"
        )
        other = subprocess.run(
            [sys.executable, "-c", program, str(tmp_path), "b" * 64],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert other.stdout == "claimed\n"
        same = subprocess.Popen(
            [sys.executable, "-c", program, str(tmp_path), "a" * 64],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(2)
        assert same.poll() is None  # still waiting for this claim
    waited = same.communicate(timeout=60)[0]
    assert held == [] and waited == "waiting\nclaimed\n"


def test_eviction_spares_entries_in_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_ENTRIES the oldest go, unless used in the last KEEP_SECONDS (another process,
    a second test worker, may be reading one)."""
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    old = time.time() - 2 * cache.KEEP_SECONDS
    for index in range(4):
        entry = tmp_path / f"entry-{index}"
        entry.mkdir()
        if index < 2:
            os.utime(entry, (old - index, old - index))
    staged = tmp_path / ".tmp-x"
    staged.mkdir()
    cache.publish(staged, tmp_path / "entry-4")
    kept = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert kept == ["entry-2", "entry-3", "entry-4"]


def test_a_released_claim_leaves_nothing_and_a_waiter_still_waits(tmp_path: Path) -> None:
    with cache.claim(tmp_path, "c" * 64, lambda: None):
        assert [p.name for p in tmp_path.iterdir()] == [".claim-" + "c" * 24]
    assert list(tmp_path.iterdir()) == []
    # Three processes in a row on one claim: each runs alone (the log never interleaves).
    log = tmp_path / "log"
    program = (
        "import sys, time\nfrom pathlib import Path\nfrom sitectl.render import cache\n"
        "with cache.claim(Path(sys.argv[1]), 'd' * 64, lambda: None):\n"
        "    open(sys.argv[2], 'a').write('in\\n'); time.sleep(0.5)\n"
        "    open(sys.argv[2], 'a').write('out\\n')\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", program, str(tmp_path / "c"), str(log)])
        for _ in range(3)
    ]
    assert [proc.wait(timeout=60) for proc in procs] == [0, 0, 0]
    assert log.read_text() == "in\nout\n" * 3
    assert list((tmp_path / "c").iterdir()) == []
