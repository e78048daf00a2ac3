"""Which release a configuration targets, against the one sitectl renders with
(sitectl.release), and lookups that read the machine: said in every error, render and diff
report (issue #35 item 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitectl import release
from sitectl.render import pipeline
from tests.conftest import run_sitectl
from tests.helpers import REPO
from tests.synthetic import make_repo

RENDERING = release.rendering()[1]


def test_the_installed_toolchain_and_kayobes_numbering() -> None:
    version, series = release.rendering()
    assert version.startswith("21.") and series == "2026.2"
    assert release.series_of_kayobe(14) == "2023.1"
    assert release.series_of_kayobe(18) == "2025.1"
    assert release.series_of_kayobe(21) == "2026.2"
    assert release.series_of_kayobe(13) is None  # zed and before had names, not numbers


@pytest.mark.parametrize(
    ("files", "series", "source"),
    [
        ({"etc/kayobe/globals.yml": 'openstack_release: "2025.1"\n'}, "2025.1", "globals.yml"),
        ({"requirements.txt": "kayobe==18.2.0\n"}, "2025.1", "kayobe==18.x"),
        (
            {"requirements.txt": "kayobe@git+https://opendev.org/openstack/kayobe@stable/2024.2\n"},
            "2024.2",
            "stable/2024.2",
        ),
        ({"requirements.txt": "kayobe>=18\n"}, None, None),
    ],
)
def test_what_a_configuration_targets(
    tmp_path: Path, files: dict[str, str], series: str | None, source: str | None
) -> None:
    repo = make_repo(tmp_path / "repo")
    for relative, text in files.items():
        (repo / relative).write_text(text)
    found = release.target(repo)
    assert (found.series if found else None) == series
    if source:
        assert found is not None and source in found.source
        assert f"targets OpenStack {series}" in (release.mismatch(repo) or "")


def test_this_repository_targets_what_it_renders_with() -> None:
    assert release.target(REPO) == release.Target(
        RENDERING, "openstack_release in etc/kayobe/globals.yml"
    )
    assert release.mismatch(REPO) is None
    assert release.machine_reads(REPO) == []


def test_machine_reads_are_found_with_file_and_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "etc" / "kayobe" / "host.yml").write_text(
        "---\n"
        "distro: \"{{ lookup('pipe', '. /etc/os-release && echo $ID') }}\"\n"
        "proxy: \"{{ lookup('env', 'http_proxy') }}\"\n"
        "ca: \"{{ lookup('file', '/etc/pki/ca.pem') }}\"\n"
        "banner: \"{{ lookup('file', kayobe_config_path ~ '/banner.txt') }}\"\n"
    )
    reads = release.machine_reads(repo)
    assert [r.split(": ", 1)[0] for r in reads] == [
        "etc/kayobe/host.yml:2",
        "etc/kayobe/host.yml:3",
        "etc/kayobe/host.yml:4",
    ]
    assert "reads the machine it is rendered on" in (release.machine_note(repo) or "")
    notes = pipeline._configuration_notes(repo, "test")
    assert len(notes["notes"]) == 1


def test_an_error_says_the_release_mismatch(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "requirements.txt").write_text("kayobe==18.2.0\n")
    result = run_sitectl("--repo", repo, "show", "no-such-environment")
    assert result.returncode == 2
    assert "sitectl renders with kayobe 21" in result.stderr
    assert "targets OpenStack 2025.1 (kayobe==18.x in requirements.txt)" in result.stderr
