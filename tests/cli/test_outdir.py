"""The output-directory policy (sitectl.outdir) every verb that writes a directory follows:
nothing sitectl did not make is ever deleted, and an output appears whole or not at all."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from sitectl import outdir
from sitectl.errors import SiteError
from tests.conftest import run_sitectl
from tests.helpers import REPO, copy_tree, git

REPORT = outdir.kind("test report", {"a.txt", "b.txt"})


def _write(target: Path, repo: Path | None = None, **files: str) -> None:
    with outdir.replacing(target, REPORT, repo) as staging:
        for name, text in files.items():
            (staging / f"{name}.txt").write_text(text)


def test_an_absent_or_empty_directory_is_written_and_marked(tmp_path: Path) -> None:
    _write(tmp_path / "new" / "out", a="1")
    assert (tmp_path / "new" / "out" / "a.txt").read_text() == "1"
    assert (tmp_path / "new" / "out" / outdir.MARKER).read_text().strip() == "test report"
    (tmp_path / "empty").mkdir()
    _write(tmp_path / "empty", b="2")
    assert sorted(p.name for p in (tmp_path / "empty").iterdir()) == [
        outdir.MARKER,
        "b.txt",
    ]


def test_an_earlier_output_is_replaced_whole(tmp_path: Path) -> None:
    _write(tmp_path / "out", a="1", b="1")
    _write(tmp_path / "out", a="2")
    assert not (tmp_path / "out" / "b.txt").exists()
    assert (tmp_path / "out" / "a.txt").read_text() == "2"
    # An output written before the marker existed: only the kind's own names.
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "a.txt").write_text("old")
    _write(legacy, b="new")
    assert not (legacy / "a.txt").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("extra", ["notes.txt", ".git"])
def test_a_directory_of_someone_elses_is_refused_and_kept(tmp_path: Path, extra: str) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "a.txt").write_text("mine")
    (target / extra).mkdir()
    with pytest.raises(SiteError, match="not an earlier test report"):
        _write(target, a="theirs")
    assert (target / "a.txt").read_text() == "mine"
    assert (target / extra).is_dir()


def test_another_kinds_output_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "out", a="1")
    other = outdir.kind("render")
    with pytest.raises(SiteError, match="not an earlier render"):
        outdir.check(tmp_path / "out", other)


def test_the_repository_its_git_home_and_cwd_are_never_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / ".git" / "objects").mkdir(parents=True)
    (repo / outdir.MARKER).write_text("test report\n")  # even when marked
    for target in (repo, tmp_path, repo / ".git", repo / ".git" / "objects"):
        with pytest.raises(SiteError, match="refusing"):
            outdir.check(target, REPORT, repo)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    with pytest.raises(SiteError, match="home directory"):
        outdir.check(tmp_path / "home", REPORT)
    monkeypatch.chdir(repo / ".git")
    with pytest.raises(SiteError, match="working directory"):
        outdir.check(Path("."), REPORT)


def test_symlinks_and_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(SiteError, match="symlink"):
        _write(tmp_path / "link", a="1")
    (tmp_path / "file").write_text("x")
    with pytest.raises(SiteError, match="not a directory"):
        _write(tmp_path / "file", a="1")
    (tmp_path / "blocker").write_text("x")
    with pytest.raises(SiteError, match=r"cannot create .*blocker"):
        _write(tmp_path / "blocker" / "out", a="1")


def test_an_unwritable_parent_is_an_error(tmp_path: Path) -> None:
    """/proc refuses new directories even to root (the suite runs as root in CI)."""
    with pytest.raises(SiteError, match=r"cannot create /proc/1 for the test report|not writable"):
        _write(Path("/proc/1/out"), a="1")
    with pytest.raises(SiteError, match="cannot create /proc/sitectl"):
        _write(Path("/proc/sitectl/out"), a="1")


def test_a_failure_while_writing_leaves_the_old_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "out", a="old")

    def full(self: Path, *args: object, **kwargs: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(SiteError, match="No space left on device; nothing was replaced"):
        _write(tmp_path / "out", a="new")
    monkeypatch.undo()
    assert (tmp_path / "out" / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging left


def test_diff_out_dot_in_the_repository_deletes_nothing(tmp_path: Path) -> None:
    """The reported case: `sitectl diff HEAD --env ci-aio --out .` from the repository's root
    deleted the checkout. It is refused before anything runs, and nothing is touched."""
    repo = tmp_path / "repo"
    copy_tree(REPO / "etc", repo / "etc")
    copy_tree(REPO / "environments", repo / "environments")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "configuration")
    (repo / "uncommitted.txt").write_text("work in progress\n")
    before = sorted(p.relative_to(repo) for p in repo.rglob("*"))
    for out in (".", "environments", "etc/kayobe"):
        result = run_sitectl(
            "--repo", repo, "diff", "HEAD", "--env", "ci-aio", "--out", out, cwd=repo
        )
        assert result.returncode == 2, result.stderr
        assert "sitectl: error: refusing" in result.stderr or "not an earlier" in result.stderr
        assert "Traceback" not in result.stderr
    assert sorted(p.relative_to(repo) for p in repo.rglob("*")) == before
