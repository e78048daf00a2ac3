"""`sitectl diff` on the command line: exit status, the report directory, stdout, posting."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sitectl import cli, outdir
from sitectl.diff import output
from sitectl.diff import run as run_module

from .conftest import NOVA_CONF, commit, git
from .fake_gitlab import TOKEN, serve
from .fake_render import FakeRenderer

PCI = NOVA_CONF.replace("ImagePropertiesFilter", "ImagePropertiesFilter,PciPassthroughFilter")


@pytest.fixture(autouse=True)
def fake_renders(monkeypatch: pytest.MonkeyPatch, renderer: FakeRenderer) -> FakeRenderer:
    monkeypatch.setattr(run_module, "default_renderer", lambda: renderer)
    return renderer


def feature(repo: Path, files: dict[str, str]) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, files, "feature")
    git(repo, "checkout", "-q", "main")


def sitectl(repo: Path, *args: str) -> int:
    return cli.main(["--repo", str(repo), "diff", *args])


def test_changes_exit_1_and_write_every_report(
    site_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feature(site_repo, {"etc/kayobe/kolla/config/nova.conf": PCI})
    out = tmp_path / "report"
    assert sitectl(site_repo, "main", "feature", "--env", "ci-aio", "--out", str(out)) == 1
    assert sorted(p.name for p in out.iterdir()) == sorted([*output.FILES, outdir.MARKER])
    stdout = capsys.readouterr().out
    assert "nova.conf: [filter_scheduler] enabled_filters" in stdout
    assert f"report: {out}/report.html" in stdout
    assert json.loads((out / "report.json").read_text())["plan"]["services"] == [
        "nova",
        "nova-cell",
    ]


def test_default_out_is_under_reports(site_repo: Path) -> None:
    feature(site_repo, {"README.md": "# docs only\n"})
    assert sitectl(site_repo, "main", "feature", "--env", "ci-aio") == 0
    assert (site_repo / "reports" / "config-diff" / "ci-aio" / "report.md").is_file()


def test_format_prints_that_format(
    site_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feature(site_repo, {"etc/kayobe/kolla/config/nova.conf": PCI})
    args = ("main", "feature", "--env", "ci-aio", "--out", str(tmp_path / "o"))
    assert sitectl(site_repo, *args, "--format", "json") == 1
    assert json.loads(capsys.readouterr().out)["changed"] is True
    assert sitectl(site_repo, *args, "--format", "diff") == 1
    assert capsys.readouterr().out.startswith("--- a/config/")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("no-such-ref", "--env", "ci-aio"), "unknown git revision 'no-such-ref'"),
        (("main", "--env", "nope"), "unknown environment 'nope'"),
        (("main", "--full", "--services", "nova"), "give one"),
        (("--env", "ci-aio"), "give BASE"),
        (("main", "--env", "ci-aio", "--md-cap", "10"), "too small"),
    ],
)
def test_bad_input_is_one_paragraph_and_writes_nothing(
    site_repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    message: str,
) -> None:
    out = tmp_path / "report"
    assert sitectl(site_repo, *args, "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert err.startswith("sitectl: error: ") and message in err
    assert "Traceback" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report")]


def test_no_env_diffs_the_base_configuration(
    site_repo: Path, tmp_path: Path, fake_renders: FakeRenderer, capsys: pytest.CaptureFixture[str]
) -> None:
    """No --env: the base configuration alone, as kayobe without --environment; the report
    says so and the renders get no environment."""
    feature(site_repo, {"etc/kayobe/kolla/config/nova.conf": PCI})
    assert sitectl(site_repo, "main", "feature", "--out", str(tmp_path / "o")) == 1
    assert "Config diff for the base configuration" in capsys.readouterr().out
    assert fake_renders.calls and all(call["env"] is None for call in fake_renders.calls)
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert report["environment"] == "the base configuration"
    assert any("base configuration alone" in note for note in report["notes"])


def test_render_failure_exits_2_with_a_whole_failure_report(
    site_repo: Path, tmp_path: Path, fake_renders: FakeRenderer, capsys: pytest.CaptureFixture[str]
) -> None:
    feature(site_repo, {"etc/kayobe/networks.yml": "internal_net_cidr: bad\n"})
    fake_renders.fail_on.add(git(site_repo, "rev-parse", "feature"))
    out = tmp_path / "report"
    assert sitectl(site_repo, "main", "feature", "--env", "ci-aio", "--out", str(out)) == 2
    assert "does not render at the head side" in capsys.readouterr().err
    junit = ET.fromstring((out / "junit.xml").read_text())
    assert [c.get("name") for c in junit.iter("testcase") if c.find("failure") is not None] == [
        "ci-aio head renders"
    ]
    assert "cannot render" in (out / "report.md").read_text()


def test_demo_touches_nothing(
    site_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site_repo / "etc" / "kayobe" / "kolla" / "config" / "nova.conf").write_text(
        NOVA_CONF + "# an uncommitted edit\n"
    )
    status, refs = git(site_repo, "status", "--porcelain"), git(site_repo, "show-ref")
    out = tmp_path / "demo"
    assert sitectl(site_repo, "--demo", "--out", str(out)) == 0  # it showed its change
    report = json.loads((out / "report.json").read_text())
    keys = {
        (c["section"], c["name"])
        for s in report["services"]
        for f in s["files"]
        for c in f["changes"]
    }
    assert keys == {("DEFAULT", "cpu_allocation_ratio"), ("DEFAULT", "ram_allocation_ratio")}
    assert report["environment"] == "ci-aio"
    assert "demo change" in report["head"]["label"]
    assert (git(site_repo, "status", "--porcelain"), git(site_repo, "show-ref")) == (status, refs)
    assert "cpu_allocation_ratio" in capsys.readouterr().out


def test_posts_then_updates_the_mr_note(
    site_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feature(site_repo, {"etc/kayobe/kolla/config/nova.conf": PCI})
    with serve() as server:
        monkeypatch.setenv("CI_API_V4_URL", server.url)
        monkeypatch.setenv("CI_PROJECT_ID", "42")
        monkeypatch.setenv("CI_MERGE_REQUEST_IID", "7")
        monkeypatch.setenv("CI_JOB_URL", "https://gitlab.example/site/-/jobs/99")
        monkeypatch.setenv("CI_PROJECT_DIR", str(site_repo))
        args = ("main", "feature", "--env", "ci-aio")
        assert sitectl(site_repo, *args) == 1
        assert server.notes == {}  # no token: files only
        monkeypatch.setenv("SITECTL_GITLAB_TOKEN", TOKEN)
        assert sitectl(site_repo, *args) == 1
        assert sitectl(site_repo, *args) == 1
        [note] = server.notes[("42", "7")]
        assert note["body"].startswith("<!-- sitectl-config-diff:ci-aio -->")
        url = "https://gitlab.example/site/-/jobs/99/artifacts/file/reports/config-diff/ci-aio/"
        assert url + "report.html" in note["body"]
        assert [m for m, _ in server.requests].count("POST") == 1
        assert [m for m, _ in server.requests].count("PUT") == 1
        assert sitectl(site_repo, *args, "--no-post") == 1
        assert [m for m, _ in server.requests].count("PUT") == 1


def test_the_upgrade_rehearsal_needs_an_environment(
    site_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["--repo", str(site_repo), "upgrade", "main"])
    assert code == 2
    assert "sitectl upgrade needs an environment: --env ENV." in capsys.readouterr().err
