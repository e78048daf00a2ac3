"""sitectl's state never enters the operator's repository or its object store, whatever
their .gitignore says (issue #35 item 6): the caches and default reports ignore themselves,
and the working-tree snapshot of `diff BASE` leaves them out even when that is removed."""

from __future__ import annotations

from pathlib import Path

from sitectl import outdir
from sitectl.diff import merge
from sitectl.repo import cache_dir
from tests.helpers import git

REPORT = outdir.kind("test report", {"report.md"})


def _repository(tmp_path: Path) -> Path:
    """A configuration repository with no .gitignore at all."""
    repo = tmp_path / "site"
    (repo / "etc" / "kayobe").mkdir(parents=True)
    (repo / "etc" / "kayobe" / "globals.yml").write_text("---\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "configuration")
    return repo


def test_the_cache_and_reports_do_not_show_in_git_status(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    secret_pool = cache_dir(repo, "sitectl", "render", ".generated-secrets")
    secret_pool.mkdir(parents=True)
    (secret_pool / "pool.yml").write_text("database_password: generated\n")
    with outdir.replacing(repo / "reports" / "config-diff" / "ci-aio", REPORT, repo) as staging:
        (staging / "report.md").write_text("# report\n")
    with outdir.replacing(repo / "my-reports", REPORT, repo) as staging:
        (staging / "report.md").write_text("# report\n")
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_the_working_tree_snapshot_leaves_sitectls_state_out(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    for name in (".cache/sitectl/render/pool.yml", ".venv/bin/python", "reports/x/report.md"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("state\n")
    for ignore in repo.glob("*/.gitignore"):
        ignore.unlink()  # even without sitectl's own .gitignore files
    (repo / "etc" / "kayobe" / "new.yml").write_text("---\nx: 1\n")
    commit = merge.snapshot_working_tree(repo)
    files = git(repo, "ls-tree", "-r", "--name-only", commit).split()
    assert files == ["etc/kayobe/globals.yml", "etc/kayobe/new.yml"]
    stored = git(repo, "cat-file", "--batch-all-objects", "--batch-check")
    assert "state" not in [
        git(repo, "cat-file", "-p", line.split()[0]).strip()
        for line in stored.splitlines()
        if line.split()[1] == "blob"
    ]
