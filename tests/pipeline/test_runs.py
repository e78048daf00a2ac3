"""Jobs of the real pipeline, run by gitlab-ci-local with the shell executor in throwaway
projects: a merge request's lint, validate and config diff (its MR note posted to a stand-in
GitLab), and the image planner's generated child pipelines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from sitectl.diff import output
from sitectl.diff.markdown import marker
from sitectl.lint import CHECKS
from tests.diff.fake_gitlab import TOKEN, FakeGitLab, serve
from tests.helpers import EXAMPLE_PASSWORD, REPO, vault_plaintexts
from tests.pipeline.conftest import Project
from tests.schema import check_schema

pytestmark = pytest.mark.slow

CHILD = "generated/images.yml"


def passed(proc_stdout: str, *jobs: str) -> bool:
    return all(f"PASS  {job}" in proc_stdout for job in jobs)


def files_under(*roots: Path) -> Iterator[Path]:
    for root in roots:
        yield from (p for p in sorted(root.rglob("*")) if p.is_file())


@pytest.fixture(scope="module")
def gitlab() -> Iterator[FakeGitLab]:
    with serve() as server:
        yield server


def mr_note_variables(server: FakeGitLab) -> dict[str, str]:
    """What a site's project settings give the MR pipeline: the API and a token for notes."""
    return {"CI_API_V4_URL": server.url, "CI_PROJECT_ID": "42", "SITECTL_GITLAB_TOKEN": TOKEN}


@pytest.fixture(scope="module")
def mr_pipeline(nova_change: Project, gitlab: FakeGitLab) -> str:
    """The merge request's lint, validate and config-diff jobs, run once: their log."""
    proc = nova_change.run(
        "mr", "lint", "validate", "config-diff-ci-aio", variables=mr_note_variables(gitlab)
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    return proc.stdout + proc.stderr


def test_the_merge_request_jobs_pass(mr_pipeline: str) -> None:
    assert passed(mr_pipeline, "lint", "validate", "config-diff-ci-aio")
    # The change leaves the pins alone: the upgrade rehearsal says so and renders nothing.
    assert "the working tree pins the same toolchain as origin/main" in mr_pipeline


def test_the_config_diff_artifact_shows_the_change(mr_pipeline: str, nova_change: Project) -> None:
    artifact = nova_change.work / ".gitlab-ci-local" / "artifacts" / "config-diff-ci-aio"
    report = artifact / "reports" / "config-diff" / "ci-aio"
    assert {p.name for p in report.iterdir()} == {*output.FILES, ".sitectl-output"}
    assert json.loads((report / "codequality.json").read_text()) == []  # no problem introduced
    note = (report / "report.md").read_text()
    assert "cpu_allocation_ratio" in note and "ram_allocation_ratio" in note
    assert "base origin/main" in note  # the target branch, fetched by the job
    assert "<testcase" in (report / "junit.xml").read_text()


def test_every_job_left_its_junit_report(mr_pipeline: str, nova_change: Project) -> None:
    for name in ("lint.xml", "validate.xml", "config-diff/ci-aio/junit.xml"):
        assert "<testsuite" in (nova_change.work / "reports" / name).read_text(), name


def test_the_mr_note_is_posted_once_and_updated_on_the_next_push(
    mr_pipeline: str, nova_change: Project, gitlab: FakeGitLab
) -> None:
    [note] = gitlab.notes[("42", "1")]
    assert note["body"].startswith(marker("ci-aio"))
    assert "cpu_allocation_ratio" in note["body"]
    again = nova_change.run("mr", "config-diff-ci-aio", variables=mr_note_variables(gitlab))
    assert passed(again.stdout, "config-diff-ci-aio"), again.stdout[-4000:]
    [updated] = gitlab.notes[("42", "1")]
    assert updated["id"] == note["id"]
    assert ("PUT", f"/api/v4/projects/42/merge_requests/1/notes/{note['id']}") in gitlab.requests


def test_no_secret_in_the_job_logs_or_artifacts(mr_pipeline: str, nova_change: Project) -> None:
    secrets = vault_plaintexts(REPO, EXAMPLE_PASSWORD)
    assert secrets
    work = nova_change.work
    texts = {"job log": mr_pipeline}
    for path in files_under(work / "reports", work / ".gitlab-ci-local" / "artifacts"):
        texts[str(path.relative_to(work))] = path.read_text(errors="replace")
    for where, text in texts.items():
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{len(leaked)} secret(s) in {where}"
    assert TOKEN not in mr_pipeline


def generated_child(project: Project, kind: str = "mr", **variables: str) -> dict:
    proc = project.run(kind, "images-plan", variables=variables)
    assert passed(proc.stdout, "images-plan"), proc.stdout[-6000:] + proc.stderr[-2000:]
    child = project.work / CHILD
    check_schema(child)
    return yaml.safe_load(child.read_text())


def test_an_image_template_change_builds_exactly_that_image(image_change: Project) -> None:
    child = generated_child(image_change)
    assert child["variables"]["KOLLA_IMAGES"] == "neutron-server"
    assert child["variables"]["KAYOBE_ENVIRONMENT"] == "example-site"
    jobs = image_change.jobs("mr", {"CI_PIPELINE_SOURCE": "parent_pipeline"}, file=CHILD)
    # The builds need the image builder's engine and registry: listed, not run here.
    assert list(jobs) == ["build-images", "scan-images", "push-images"]


def test_a_docs_change_builds_nothing_and_its_child_runs(docs_change: Project) -> None:
    child = generated_child(docs_change)
    assert [k for k, v in child.items() if isinstance(v, dict) and "script" in v] == [
        "nothing-to-build"
    ]
    proc = docs_change.run("mr", "nothing-to-build", file=CHILD)
    assert proc.returncode == 0 and passed(proc.stdout, "nothing-to-build"), proc.stdout[-3000:]
    assert "nothing needs building" in proc.stdout


def test_a_web_run_builds_the_images_it_asks_for(docs_change: Project) -> None:
    child = generated_child(
        docs_change, "web", CI_COMMIT_BRANCH="main", KOLLA_IMAGE_REGEX="^neutron-server$"
    )
    assert child["variables"]["KOLLA_IMAGES"] == "neutron-server"


def test_lint_covers_every_pipeline_file() -> None:
    from sitectl.lint import pipelines

    listed = {str(p) for p in pipelines.files(REPO)}
    assert {".gitlab-ci.yml", "ci/aio/pipeline.yml", "ci/images/build.yml"} <= listed
    assert "ci/aio/resources.yml" not in listed
    assert set(CHECKS) == {
        "yaml",
        "ansible",
        "python",
        "imports",
        "pipeline",
        "alerts",
        "tag-variables",
    }
