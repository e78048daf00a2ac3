"""End to end through git with the stand-in renderer: MR semantics, the plan, bad input."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from ansible.parsing.vault import VaultLib, VaultSecret

from sitectl import git as core_git
from sitectl import stopping, toolchains
from sitectl.diff import markdown, merge
from sitectl.diff.run import MOVED_NOTE, Request, run
from sitectl.errors import SiteError

from .conftest import NOVA_CONF, commit, git, write
from .fake_render import FakeRenderer

PCI = NOVA_CONF.replace("ImagePropertiesFilter", "ImagePropertiesFilter,PciPassthroughFilter")


def branch(repo: Path, name: str, files: dict[str, str], start: str = "main") -> str:
    git(repo, "checkout", "-q", "-b", name, start)
    sha = commit(repo, files, name)
    git(repo, "checkout", "-q", "main")
    return sha


def changed_keys(outcome) -> set[tuple[str, str, str]]:  # noqa: ANN001
    return {
        (service.service, entry.path, f"[{change.section}] {change.name}")
        for service in outcome.report.services
        for entry in service.files
        for change in entry.changes
    }


def test_changes_landed_on_target_meanwhile_do_not_show(
    site_repo: Path, renderer: FakeRenderer
) -> None:
    branch(site_repo, "feature", {"etc/kayobe/kolla/config/nova.conf": PCI})
    # Meanwhile, on the target: another nova.conf change, and keystone's debug.
    later = NOVA_CONF.replace("debug = False", "debug = True")
    commit(
        site_repo,
        {
            "etc/kayobe/kolla/config/nova.conf": later,
            "etc/kayobe/kolla/config/keystone.conf": "[DEFAULT]\ndebug = True\n",
        },
        "target moves on",
    )
    outcome = run(Request(site_repo, "ci-aio", "main", "feature"), renderer=renderer)
    assert changed_keys(outcome) == {("nova", "nova.conf", "[filter_scheduler] enabled_filters")}
    assert outcome.report.head.label == "feature merged onto main"
    # A naive diff of the two branch heads would have shown the target's changes reverted.
    naive = run(Request(site_repo, "ci-aio", "feature", "main"), renderer=renderer)
    assert ("nova", "nova.conf", "[DEFAULT] debug") in changed_keys(naive)


def test_one_service_change_renders_only_that_service(
    site_repo: Path, renderer: FakeRenderer
) -> None:
    branch(site_repo, "feature", {"etc/kayobe/kolla/config/nova.conf": PCI})
    outcome = run(Request(site_repo, "ci-aio", "main", "feature"), renderer=renderer)
    assert outcome.report.plan.mode == "services"
    assert [call["services"] for call in renderer.calls] == [["nova", "nova-cell"]] * 2
    [entry] = outcome.report.services[0].files
    assert [(p.hosts_label, p.containers) for p in entry.placements] == [
        ("3 controllers", ["nova-api"]),
        ("compute (2 hosts)", ["nova-compute"]),
    ]


def test_a_cached_full_render_of_the_base_is_used(site_repo: Path, renderer: FakeRenderer) -> None:
    main = git(site_repo, "rev-parse", "main")
    base_full = renderer(site_repo, "ci-aio", ref=main)  # e.g. the target branch's pipeline
    branch(site_repo, "feature", {"etc/kayobe/kolla/config/nova.conf": PCI})
    asked: list[str] = []

    def lookup(repo: Path, env: str, ref: str, **options: object) -> Path | None:
        asked.append(ref)
        return base_full if ref == main and options["services"] is None else None

    outcome = run(Request(site_repo, "ci-aio", "main", "feature"), renderer, lookup)
    # base: full (a hit); head: full, the selection, the selection without the loadbalancer
    assert len(asked) == 4
    assert [call["services"] for call in renderer.calls] == [None, ["nova", "nova-cell"]]
    assert renderer.calls[-1]["skip"] == ["loadbalancer"]
    assert changed_keys(outcome) == {("nova", "nova.conf", "[filter_scheduler] enabled_filters")}
    assert any("base side is a full render" in note for note in outcome.report.rendering)


def test_uncached_renders_are_removed_afterwards(site_repo: Path, renderer: FakeRenderer) -> None:
    branch(site_repo, "feature", {"etc/kayobe/kolla/config/nova.conf": PCI})
    calls = renderer.calls
    outcome = run(Request(site_repo, "ci-aio", "main", "feature", use_cache=False), renderer)
    assert outcome.report.changed
    assert len(calls) == 2
    # Each went to a scratch directory of run()'s, removed once compared.
    assert all(c["out"] is not None and not Path(c["out"]).exists() for c in calls)


def test_kayobe_change_renders_everything_and_says_why(
    site_repo: Path, renderer: FakeRenderer
) -> None:
    networks = "internal_net_cidr: 10.1.0.0/24\ninternal_net_vlan: 100\n"
    branch(site_repo, "feature", {"etc/kayobe/networks.yml": networks})
    outcome = run(Request(site_repo, "ci-aio", "main", "feature"), renderer=renderer)
    assert outcome.report.plan.mode == "full"
    assert outcome.report.plan.trigger == "etc/kayobe/networks.yml"
    assert [call["services"] for call in renderer.calls] == [None, None]
    [group] = outcome.report.kayobe
    assert group.hosts_label == "all 5 hosts"
    assert [(c.name, c.old, c.new) for c in group.changes] == [
        ("internal_net_cidr", "10.0.0.0/24", "10.1.0.0/24")
    ]


def test_services_narrow_a_full_render_and_say_so(site_repo: Path, renderer: FakeRenderer) -> None:
    networks = "internal_net_cidr: 10.1.0.0/24\ninternal_net_vlan: 100\n"
    branch(site_repo, "feature", {"etc/kayobe/networks.yml": networks})
    request = Request(site_repo, "ci-aio", "main", "feature", services=["nova"])
    outcome = run(request, renderer=renderer)
    plan = outcome.report.plan
    assert (plan.mode, plan.services) == ("services", ["nova"])
    assert "as asked (--services); the change alone would render every service" in plan.reason
    assert [call["services"] for call in renderer.calls] == [["nova"], ["nova"]]
    assert outcome.report.kayobe  # the kayobe layer is still compared in full
    with pytest.raises(SiteError, match="unknown service no-such-service"):
        run(Request(site_repo, "ci-aio", "main", "feature", services=["no-such-service"]))


def test_documentation_change_renders_nothing(site_repo: Path, renderer: FakeRenderer) -> None:
    branch(
        site_repo,
        "docs",
        {"README.md": "# better\n", "environments/ci-aio/README.md": "# ci\n", "tools/t.py": ""},
    )
    outcome = run(Request(site_repo, "ci-aio", "main", "docs"), renderer=renderer)
    assert outcome.report.plan.mode == "none"
    assert renderer.calls == []
    assert not outcome.report.changed


def test_a_change_to_a_file_the_configuration_names_renders(
    site_repo: Path, renderer: FakeRenderer
) -> None:
    """globals.yml runs tools/site-name.py, which reads .gitreview: a change to either is a
    change to the configuration; one to the tests or the README still renders nothing."""
    site_name = "from pathlib import Path\nprint(Path('.gitreview').read_text())\n"
    globals_ = "---\nsite: \"{{ lookup('pipe', 'tools/site-name.py') }}\"\n"
    commit(
        site_repo,
        {
            "etc/kayobe/kolla/globals.yml": globals_,
            "tools/site-name.py": site_name,
            ".gitreview": "[gerrit]\nproject=a\n",
            "tests/test_site_name.py": "\n",
        },
        "the site's name from its repository",
    )
    branch(site_repo, "review", {".gitreview": "[gerrit]\nproject=b\n"})
    outcome = run(Request(site_repo, "ci-aio", "main", "review"), renderer=renderer)
    assert outcome.report.plan.mode == "full"
    assert "etc/kayobe/kolla/globals.yml" in outcome.report.plan.reason
    tests_only = {"tests/test_site_name.py": "# more\n", "README.md": "# more\n"}
    branch(site_repo, "tests", tests_only)
    outcome = run(Request(site_repo, "ci-aio", "main", "tests"), renderer=renderer)
    assert outcome.report.plan.mode == "none"


def test_other_environments_change_renders_nothing(site_repo: Path, renderer: FakeRenderer) -> None:
    branch(site_repo, "other", {"environments/other/other.yml": "os_distribution: debian\n"})
    outcome = run(Request(site_repo, "ci-aio", "main", "other"), renderer=renderer)
    assert outcome.report.plan.mode == "none" and renderer.calls == []


def test_working_tree_is_the_default_head(site_repo: Path, renderer: FakeRenderer) -> None:
    write(site_repo, {"etc/kayobe/kolla/config/nova.conf": PCI})  # uncommitted
    write(site_repo, {"etc/kayobe/new.yml": "new_variable: 1\n"})  # untracked
    index_before = git(site_repo, "diff", "--cached", "--name-only")
    outcome = run(Request(site_repo, "ci-aio", "main"), renderer=renderer)
    assert outcome.report.head.label == "the working tree"
    assert ("nova", "nova.conf", "[filter_scheduler] enabled_filters") in changed_keys(outcome)
    assert [c.name for g in outcome.report.kayobe for c in g.changes] == ["new_variable"]
    # The operator's index and working tree are as they were.
    assert git(site_repo, "diff", "--cached", "--name-only") == index_before
    assert "?? etc/kayobe/new.yml" in git(site_repo, "status", "--porcelain")


def test_merge_conflict_is_a_clear_error(site_repo: Path, renderer: FakeRenderer) -> None:
    branch(site_repo, "feature", {"etc/kayobe/kolla/config/keystone.conf": "[DEFAULT]\nx = 1\n"})
    commit(site_repo, {"etc/kayobe/kolla/config/keystone.conf": "[DEFAULT]\nx = 2\n"}, "clash")
    with pytest.raises(SiteError, match=r"conflicts in etc/kayobe/kolla/config/keystone.conf"):
        run(Request(site_repo, "ci-aio", "main", "feature"), renderer=renderer)
    assert renderer.calls == []


def test_already_merged_head_changes_nothing(site_repo: Path, renderer: FakeRenderer) -> None:
    git(site_repo, "branch", "old")
    commit(site_repo, {"etc/kayobe/kolla/config/nova.conf": PCI}, "main moves on")
    outcome = run(Request(site_repo, "ci-aio", "main", "old"), renderer=renderer)
    assert outcome.report.plan.mode == "none" and not outcome.report.changed


def test_unknown_ref(site_repo: Path, renderer: FakeRenderer) -> None:
    with pytest.raises(SiteError, match=r"unknown git revision 'no-such-branch'") as caught:
        run(Request(site_repo, "ci-aio", "no-such-branch"), renderer=renderer)
    assert "git fetch" in caught.value.message
    assert renderer.calls == []


def test_unknown_environment(site_repo: Path, renderer: FakeRenderer) -> None:
    with pytest.raises(SiteError, match=r"unknown environment 'nope'.*ci-aio") as caught:
        run(Request(site_repo, "nope", "main", "main"), renderer=renderer)
    assert "/tmp" not in caught.value.message  # names the side, not a scratch path
    assert renderer.calls == []


def test_new_environment_has_an_empty_base(site_repo: Path, renderer: FakeRenderer) -> None:
    branch(site_repo, "new-env", {"environments/fresh/fresh.yml": "os_distribution: rocky\n"})
    outcome = run(Request(site_repo, "fresh", "main", "new-env"), renderer=renderer)
    assert outcome.report.plan.mode == "full"
    assert len(renderer.calls) == 1  # the head only
    assert {c.kind for c in outcome.report.inventory} == {"added"}
    assert any("is new" in n for n in outcome.report.notes)


def test_render_failure_is_reported_per_side(site_repo: Path, renderer: FakeRenderer) -> None:
    head = branch(site_repo, "broken", {"etc/kayobe/networks.yml": "internal_net_cidr: x\n"})
    merged = head  # a fast-forward: the head itself is the merge result
    renderer.fail_on.add(merged)
    outcome = run(Request(site_repo, "ci-aio", "main", "broken"), renderer=renderer)
    assert outcome.report.renders == {
        "base": None,
        "head": "kayobe rejected the configuration of ci-aio (fake render).",
    }
    assert outcome.report.error and "head side" in outcome.report.error


def test_vault_password_checked_before_rendering(
    site_repo: Path, renderer: FakeRenderer, tmp_path: Path
) -> None:
    vault = VaultLib([("default", VaultSecret(b"right-password"))])
    secret = vault.encrypt("db-Secret-1").decode()
    indented = "\n".join("  " + line for line in secret.splitlines())
    branch(
        site_repo,
        "vaulted",
        {"etc/kayobe/secrets.yml": f"database_password: !vault |\n{indented}\n"},
    )
    with pytest.raises(SiteError, match="no vault password was given"):
        run(Request(site_repo, "ci-aio", "main", "vaulted", sealed=False), renderer=renderer)
    wrong = tmp_path / "wrong"
    wrong.write_text("wrong-password\n")
    with pytest.raises(SiteError, match=r"does not decrypt head:etc/kayobe/secrets.yml"):
        run(
            Request(site_repo, "ci-aio", "main", "vaulted", vault_password_file=wrong),
            renderer=renderer,
        )
    assert renderer.calls == []
    right = tmp_path / "right"
    right.write_text("right-password\n")
    outcome = run(
        Request(site_repo, "ci-aio", "main", "vaulted", vault_password_file=right),
        renderer=renderer,
    )
    assert outcome.secrets is not None and outcome.secrets.search("x db-Secret-1 y")
    assert all(call["sealed"] is False for call in renderer.calls)


def test_no_password_renders_sealed_and_says_so(site_repo: Path, renderer: FakeRenderer) -> None:
    """An MR pipeline without the vault password: both sides render sealed (nothing is
    decrypted) and the report says it ran without the password."""
    vault = VaultLib([("default", VaultSecret(b"right-password"))])
    indented = "\n".join("  " + line for line in vault.encrypt("s3").decode().splitlines())
    branch(site_repo, "vaulted", {"etc/kayobe/secrets.yml": f"x_password: !vault |\n{indented}\n"})
    outcome = run(Request(site_repo, "ci-aio", "main", "vaulted"), renderer=renderer)
    assert renderer.calls and all(call["sealed"] is True for call in renderer.calls)
    assert any("ran without the vault password" in note for note in outcome.report.notes)


def test_git_helpers_touch_nothing(site_repo: Path) -> None:
    refs_before = git(site_repo, "show-ref")
    snapshot = merge.snapshot_working_tree(site_repo)
    merged = merge.merge_onto(site_repo, git(site_repo, "rev-parse", "main"), snapshot, "a", "b")
    assert git(site_repo, "show-ref") == refs_before
    assert core_git.changed_files(site_repo, "main", merged) == []


def test_a_side_that_fails_stops_the_other_sides_render(
    site_repo: Path, renderer: FakeRenderer
) -> None:
    """A head that breaks early (at kayobe's dump) is reported at once, not after the base
    side's full render: the base side's kayobe (here a long sleep) is stopped."""
    head = branch(site_repo, "broken", {"etc/kayobe/networks.yml": "internal_net_cidr: x\n"})
    renderer.fail_on.add(head)
    base = git(site_repo, "rev-parse", "main")
    slow: list[subprocess.Popen[str]] = []

    def render(repo: Path, env: str, ref: str, **options: object) -> Path:
        if ref != base:
            time.sleep(0.5)  # the base side's "kayobe" is running by now
            return renderer(repo, env, ref=ref, **options)
        with subprocess.Popen(["sleep", "300"], start_new_session=True, text=True) as process:
            slow.append(process)
            with stopping.registered(process):
                process.wait()
        raise SiteError(f"kayobe stopped (exit {process.returncode})")

    started = time.monotonic()
    outcome = run(Request(site_repo, "ci-aio", "main", "broken"), renderer=render)
    assert time.monotonic() - started < 60
    assert slow and slow[0].returncode == -9
    assert outcome.report.renders == {
        "head": "kayobe rejected the configuration of ci-aio (fake render)."
    }
    assert outcome.report.error and "head side" in outcome.report.error
    assert "the base side's render was stopped when the head side failed" in outcome.report.notes


PINS = "-c tools/constraints.txt\nkayobe==21.0.0\nkolla-ansible==23.0.0\nrally==5.1.1\n"


def test_pins_that_move_render_both_sides_whole_each_with_its_own_toolchain(
    site_repo: Path, renderer: FakeRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit(site_repo, {"requirements.txt": PINS}, "pinned")
    branch(site_repo, "upgrade", {"requirements.txt": PINS.replace("21.0.0", "21.0.1")})

    def installed(repo: Path, commit: str) -> toolchains.Toolchain:  # no install here
        pinned = toolchains.pins_at(repo, commit).pinned()
        return toolchains.Toolchain(Path("/nonexistent", commit), commit, pinned)

    monkeypatch.setattr(toolchains, "for_commit", installed)
    outcome = run(Request(site_repo, "ci-aio", "main", "upgrade"), renderer=renderer)
    report = outcome.report
    assert report.plan.mode == "full"
    assert "the toolchain moves (kayobe 21.0.0 → 21.0.1)" in report.plan.reason
    assert report.plan.trigger == "requirements.txt"
    rendered = sorted(call["toolchain"].versions["kayobe"] for call in renderer.calls)
    assert rendered == ["21.0.0", "21.0.1"]
    assert [call["services"] for call in renderer.calls] == [None, None]
    assert report.base.toolchain == "kayobe 21.0.0, kolla-ansible 23.0.0"
    assert report.head.toolchain == "kayobe 21.0.1, kolla-ansible 23.0.0"
    assert MOVED_NOTE in report.notes
    note = markdown.render(report)
    assert (
        "The toolchain moves: base kayobe 21.0.0, kolla-ansible 23.0.0 → head kayobe 21.0.1, "
        "kolla-ansible 23.0.0." in note
    )
    assert report.to_json()["base"]["toolchain"] == report.base.toolchain


def test_pins_that_do_not_move_leave_the_diff_as_it_was(
    site_repo: Path, renderer: FakeRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A comment or a blank line in the pins, or a change outside them, is no toolchain move:
    nothing rendered, no toolchain made, the running toolchain named for both sides."""
    commit(site_repo, {"requirements.txt": PINS}, "pinned")
    commented = "# 2026.2\n" + PINS.replace("rally==5.1.1", "rally==5.1.1  # RefStack\n")
    branch(site_repo, "comment", {"requirements.txt": commented, "README.md": "# Site\n"})

    def refused(repo: Path, commit: str) -> toolchains.Toolchain:
        raise AssertionError("no toolchain may be made when the pins do not move")

    monkeypatch.setattr(toolchains, "for_commit", refused)
    outcome = run(Request(site_repo, "ci-aio", "main", "comment"), renderer=renderer)
    report = outcome.report
    assert report.plan.mode == "none"
    assert renderer.calls == []
    assert report.base.toolchain == report.head.toolchain == toolchains.running().describe()
    assert report.head.toolchain.startswith("kayobe ")
    assert MOVED_NOTE not in report.notes
    # A one-service change with the same pins renders that service alone, as before.
    branch(site_repo, "feature", {"etc/kayobe/kolla/config/nova.conf": PCI}, start="main")
    outcome = run(Request(site_repo, "ci-aio", "main", "feature"), renderer=renderer)
    assert outcome.report.plan.mode == "services"
    assert [call["toolchain"] for call in renderer.calls] == [None, None]
