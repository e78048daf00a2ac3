"""Which jobs each kind of pipeline has, as gitlab-ci-local evaluates the real rules (GitLab's
workflow, rules, !reference and extends), and that every needed job is in the pipeline.

Jobs that need a real cloud, registry or site (aio, images' builds, deploy) are only listed.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from sitectl.lint import pipelines
from sitectl.lint.pipelines import load
from tests.cli_parsers import kayobe_error
from tests.helpers import REPO
from tests.pipeline.conftest import Project

CHECKS = {"lint", "validate", "tests"}
DEFAULT_BRANCH = {"CI_COMMIT_BRANCH": "main"}


def test_a_merge_request_pipeline_has_the_reviewers_jobs(nova_change: Project) -> None:
    jobs = nova_change.jobs("mr")
    assert set(jobs) == CHECKS | {
        "validate-rendered: [ci-aio]",
        "validate-rendered: [example-site]",
        "config-diff-ci-aio",
        "config-diff-example-site",
        "images-plan",
        "images",
        "aio",
    }
    assert jobs["config-diff-ci-aio"].stage == "config-diff"
    # The all-in-one on a merge request only by hand, and it cannot block the merge.
    assert (jobs["aio"].when, jobs["aio"].allow_failure) == ("manual", True)


def test_the_default_branch_runs_no_merge_request_job(nova_change: Project) -> None:
    jobs = nova_change.jobs("branch", DEFAULT_BRANCH)
    assert not [name for name in jobs if name.startswith("config-diff")]
    # Instead: the renders the next merge requests' diffs start from, images, the AIO.
    assert {"render: [ci-aio]", "render: [example-site]", "images-plan", "images"} <= set(jobs)
    assert {"validate-rendered: [ci-aio]", "validate-rendered: [example-site]"} <= set(jobs)
    assert jobs["aio"].when == "on_success"
    assert jobs["deploy"].when == "manual"


def test_another_branch_is_only_checked(nova_change: Project) -> None:
    assert set(nova_change.jobs("branch")) == CHECKS


def workflow_admits(project: Project, kind: str, variables: dict[str, str]) -> bool:
    """Whether the workflow's rules start a pipeline. gitlab-ci-local does not apply
    workflow:rules itself, so its rule engine evaluates them as the rules of a probe job."""
    workflow = load(project.work / ".gitlab-ci.yml")["workflow"]
    # In gitlab-ci-local's own (git-ignored) state directory: not a file of the project that
    # its lint job would check.
    probe = Path(".gitlab-ci-local", "workflow-probe.yml")
    (project.work / probe).parent.mkdir(exist_ok=True)
    rules = {"probe": {"script": ["true"], "rules": workflow["rules"]}}
    (project.work / probe).write_text("---\n" + yaml.safe_dump(rules))
    return "probe" in project.jobs(kind, variables, file=str(probe))


@pytest.mark.parametrize(
    ("kind", "variables", "admitted"),
    [
        ("mr", {}, True),
        ("branch", {}, True),
        ("branch", DEFAULT_BRANCH, True),
        ("schedule", DEFAULT_BRANCH, True),
        ("web", DEFAULT_BRANCH, True),
        # A push to a branch with an open merge request: the MR pipeline is enough.
        ("branch", {"CI_OPEN_MERGE_REQUESTS": "site/kayobe-config!1"}, False),
        # A tag: no pipeline.
        ("branch", {"CI_COMMIT_TAG": "v1", "CI_COMMIT_BRANCH": ""}, False),
    ],
)
def test_the_workflow_starts_one_pipeline_per_change(
    nova_change: Project, kind: str, variables: dict[str, str], admitted: bool
) -> None:
    assert workflow_admits(nova_change, kind, variables) is admitted


def test_a_schedule_runs_the_aio_and_deploys_only_when_asked(nova_change: Project) -> None:
    jobs = nova_change.jobs("schedule", DEFAULT_BRANCH)
    assert jobs["aio"].when == "on_success"
    assert "images" not in jobs and "config-diff-ci-aio" not in jobs
    assert jobs["deploy"].when == "manual"
    deploying = nova_change.jobs("schedule", {**DEFAULT_BRANCH, "DEPLOY": "yes"})
    assert deploying["deploy"].when == "on_success"


def test_a_snapshot_schedule_only_snapshots_and_promotion_is_by_hand(
    nova_change: Project,
) -> None:
    snapshotting = nova_change.jobs("schedule", {**DEFAULT_BRANCH, "REPOS_SNAPSHOT": "yes"})
    assert list(snapshotting) == ["repos-snapshot"]
    assert "repos-snapshot" not in nova_change.jobs("schedule", DEFAULT_BRANCH)
    merged = nova_change.jobs("branch", DEFAULT_BRANCH)
    assert merged["repos-promote"].when == "manual"
    assert "repos-promote" not in nova_change.jobs("mr")


def test_a_web_run_plans_images_only_when_given_a_regex(nova_change: Project) -> None:
    assert "images-plan" not in nova_change.jobs("web", DEFAULT_BRANCH)
    asked = nova_change.jobs("web", {**DEFAULT_BRANCH, "KOLLA_IMAGE_REGEX": "^nova-"})
    assert {"images-plan", "images"} <= set(asked)
    assert asked["aio"].when == "manual"


@pytest.mark.parametrize(
    ("kind", "variables"),
    [
        ("mr", {}),
        ("branch", DEFAULT_BRANCH),
        ("branch", {}),
        ("schedule", DEFAULT_BRANCH),
        ("web", {**DEFAULT_BRANCH, "KOLLA_IMAGE_REGEX": "x"}),
    ],
)
def test_every_needed_job_is_in_the_pipeline(
    nova_change: Project, kind: str, variables: dict[str, str]
) -> None:
    proc = nova_change.run(kind, "--validate-dependency-chain", variables=variables)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_the_aio_child_on_its_own(nova_change: Project) -> None:
    """gitlab-ci-local ignores `strategy: depend`: the child is listed and checked alone."""
    jobs = nova_change.jobs("mr", file="ci/aio/pipeline.yml")
    assert list(jobs) == ["aio"]
    proc = nova_change.run("mr", "--validate-dependency-chain", file="ci/aio/pipeline.yml")
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_the_upgrade_rehearsal_is_offered_when_the_pins_move(
    nova_change: Project, pins_change: Project
) -> None:
    """By hand (it cannot block the merge) on a merge request that moves the pins; on its
    own on a schedule that names the release to upgrade from; never otherwise."""
    assert "upgrade-rehearsal" not in nova_change.jobs("mr")
    offered = pins_change.jobs("mr")["upgrade-rehearsal"]
    assert (offered.stage, offered.when, offered.allow_failure) == ("aio", "manual", True)
    scheduled = nova_change.jobs("schedule", {**DEFAULT_BRANCH, "UPGRADE_FROM": "v2026.1"})
    assert scheduled["upgrade-rehearsal"].when == "on_success"
    for kind, variables in (("schedule", DEFAULT_BRANCH), ("branch", DEFAULT_BRANCH)):
        assert "upgrade-rehearsal" not in nova_change.jobs(kind, variables)


def test_the_upgrade_rehearsal_child_on_its_own(nova_change: Project) -> None:
    child = {"CI_PIPELINE_SOURCE": "parent_pipeline", "REHEARSE_FROM": "origin/main"}
    jobs = nova_change.jobs("mr", child, file="ci/upgrade/pipeline.yml")
    assert list(jobs) == ["upgrade-rehearsal"]
    proc = nova_change.run(
        "mr", "--validate-dependency-chain", variables=child, file="ci/upgrade/pipeline.yml"
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    # Its RefStack runs are compared, and the comparison is what the job's tests show.
    job = load(REPO / "ci" / "upgrade" / "pipeline.yml")["upgrade-rehearsal"]
    assert "reports/refstack/compare/compare.junit.xml" in job["artifacts"]["reports"]["junit"]
    assert any(line.startswith("tools/sitectl refstack compare") for line in job["script"])


def test_the_image_build_child_pins_only_on_the_default_branch(nova_change: Project) -> None:
    builds = ["build-images", "scan-images", "push-images"]
    # In a child pipeline GitLab sets CI_PIPELINE_SOURCE=parent_pipeline: the child's rules
    # must not depend on it.
    child = {"CI_PIPELINE_SOURCE": "parent_pipeline"}
    assert list(nova_change.jobs("mr", child, file="ci/images/build.yml")) == builds
    on_main = nova_change.jobs("branch", {**child, **DEFAULT_BRANCH}, file="ci/images/build.yml")
    assert list(on_main) == [*builds, "update-pins"]


def test_the_parent_s_jobs_are_one_line_calls_into_sitectl() -> None:
    pipeline = load(REPO / ".gitlab-ci.yml")
    scripts = {
        name: job["script"]
        for name, job in pipeline.items()
        if isinstance(job, dict) and "script" in job
    }
    assert {"lint", "validate", "tests", ".config-diff", "images-plan", "deploy"} <= set(scripts)
    for name, lines in scripts.items():
        for line in lines:
            assert line.startswith("tools/sitectl "), f"{name}: {line!r}"
    # Trigger jobs: the generated child comes from the generator's artifact.
    trigger = pipeline["images"]["trigger"]
    assert trigger["include"] == [{"artifact": "generated/images.yml", "job": "images-plan"}]
    assert pipeline["images-plan"]["artifacts"]["paths"] == ["generated/images.yml"]
    assert trigger["strategy"] == pipeline["aio"]["trigger"]["strategy"] == "depend"
    assert (REPO / pipeline["aio"]["trigger"]["include"][0]["local"]).is_file()


SHELL_OPERATORS = ("||", "&&", ";", "|")


def sitectl_commands() -> list[tuple[str, list[str]]]:
    """Every `tools/sitectl ...` line of every pipeline file, as sitectl's arguments, up to
    the first shell operator. `${VAR:+words}` and `${VAR:-words}` stand for their words (the
    case that passes options), any other variable for one word."""
    found = []
    for relative in pipelines.files(REPO):
        for job, lines in _scripts(load(REPO / relative)):
            for line in lines:
                line = re.sub(r"\$\{\w+:[-+]([^}]*)\}", r"\1", line)
                words = shlex.split(re.sub(r"\$\{?\w+\}?", "X", line))
                cut = next((i for i, w in enumerate(words) if w in SHELL_OPERATORS), len(words))
                if words[:1] == ["tools/sitectl"]:
                    found.append((f"{relative}: {job}", words[1:cut]))
    return found


def kayobe_commands() -> list[tuple[str, list[str]]]:
    return [(where, words[1:]) for where, words in sitectl_commands() if words[0] == "kayobe"]


def _scripts(pipeline: dict) -> list[tuple[str, list[str]]]:
    return [
        (name, [*job.get("before_script", []), *job["script"]])
        for name, job in pipeline.items()
        if isinstance(job, dict) and "script" in job
    ]


def test_every_kayobe_command_of_the_pipelines_parses_with_real_kayobe() -> None:
    """Each line's arguments through kayobe's own command lookup and argument parser (cliff),
    without running it: a misplaced option fails here, not on a site's runner."""
    commands = kayobe_commands()
    # The image pull and upgrade of one service, the IPA build (the deploy's sequence is
    # sitectl deploy's, parsed in tests/aio/test_site_deploy.py).
    assert len(commands) >= 3, commands
    errors = [f"{where}: {error}" for where, words in commands if (error := kayobe_error(words))]
    assert errors == []


def test_every_sitectl_command_of_the_pipelines_parses() -> None:
    from sitectl.cli import build_parser, split_passthrough

    commands = [(w, words) for w, words in sitectl_commands() if words[0] != "kayobe"]
    verbs = {words[0] for _, words in commands}
    assert {"lint", "validate", "test", "diff", "render", "images", "aio", "refstack"} <= verbs
    assert "deploy" in verbs
    for where, words in commands:
        argv, passthrough = split_passthrough(words)
        try:
            build_parser().parse_args(argv)
        except SystemExit:
            pytest.fail(f"{where}: sitectl rejects {' '.join(words)}")
        assert passthrough is None or words[0] == "test", where


def test_merge_requests_can_run_on_runners_of_their_own() -> None:
    """SITECTL_MR_RUNNER_TAG moves every sitectl job of a merge-request pipeline to other
    runners (README, "Trust"); without it they keep the default tag."""
    pipeline = load(REPO / ".gitlab-ci.yml")
    first, second = pipeline["workflow"]["rules"][:2]
    assert first["if"] == ('$CI_PIPELINE_SOURCE == "merge_request_event" && $SITECTL_MR_RUNNER_TAG')
    assert first["variables"] == {"SITECTL_RUNNER_TAG": "$SITECTL_MR_RUNNER_TAG"}
    assert second == {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}
    assert pipeline["variables"]["SITECTL_RUNNER_TAG"] == "kayobe-config"
    assert pipeline[".sitectl"]["tags"] == ["$SITECTL_RUNNER_TAG"]
    sitectl_jobs = [
        name
        for name, job in pipeline.items()
        if isinstance(job, dict) and job.get("extends") in (".sitectl", [".sitectl"])
    ]
    assert {"lint", "validate", "tests"} <= set(sitectl_jobs)
    # Only the jobs that reach the site (never in a merge request) ask for another tag.
    own_tags = [name for name in sitectl_jobs if "tags" in pipeline[name]]
    assert own_tags == ["deploy", "upgrade-service"]


# The README's "which pipeline runs which jobs" rows, and the variables that make each kind.
README_ROWS = {
    "merge request": ("mr", {}),
    "push to the default branch": ("branch", DEFAULT_BRANCH),
    "push to another branch": ("branch", {}),
    "schedule": ("schedule", DEFAULT_BRANCH),
    "web form (Run pipeline)": ("web", DEFAULT_BRANCH),
}


def _readme_rows() -> dict[str, str]:
    rows = {}
    for line in (REPO / "README.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 2 and cells[0] in README_ROWS:
            rows[cells[0]] = cells[1]
    assert set(rows) == set(README_ROWS), "the README's pipeline table lost a row"
    return rows


def test_the_readme_names_the_jobs_each_pipeline_has(nova_change: Project) -> None:
    """Every job a kind of pipeline lists (gitlab-ci-local) is named in its README row, and
    only those (a matrix job by its name, `config-diff-*` for the diffs); a job it runs by
    hand is said to be by hand."""
    for row, text in _readme_rows().items():
        kind, variables = README_ROWS[row]
        listed = nova_change.jobs(kind, variables)
        names = {name.split(":")[0] for name in listed}
        names = {"config-diff-*" if n.startswith("config-diff-") else n for n in names}
        # What a differently configured run does ("only X when ...", "X when `VAR` is set")
        # is said apart from what this one has.
        clause = ";".join(
            part
            for part in text.split(";")
            if "by hand" in part or (" when " not in part and not part.strip().startswith("only"))
        )
        said = set(re.findall(r"[a-z][a-z-]*\*?", clause.replace("`", ""))) & (
            names | {"repos-snapshot", "deploy", "aio", "images", "images-plan", "repos-promote"}
        )
        assert said == names, (row, sorted(said ^ names))
        for name, job in listed.items():
            if job.when == "manual":
                by_hand = clause.split("by hand")[0].rsplit(";", 1)[-1]
                assert name.split(":")[0] in by_hand, (row, name)
