"""`sitectl validate --rendered`: rendered service config files against the options the real
services (tools/schema-requirements.txt, installed in their own cached virtualenv) register
with oslo.config; the site's mistakes located in its own files, kolla-ansible's apart."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from tests.conftest import run_sitectl
from tests.worktree import copy_tree, git

from sitectl.schema import check, venv

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PASSWORD = {"KAYOBE_VAULT_PASSWORD_FILE": str(REPO / "ci" / "vault-password.example")}

NOVA_CONF = """\
[DEFAULT]
debug = False
cpu_alocation_ratio = 4.0
[conductor]
workers = many
[scheduler]
enabled_filters = ComputeFilter
[libvirt]
virt_type = kvmm
[glance]
api_servers = http://glance:9292
[keystone_authtoken]
auth_type = password
auth_url = http://keystone:5000
username = nova
password = <redacted:0123456789abcdef>
memcache_servers = memcached:11211
[nova_typo_section]
x = 1
"""


@pytest.fixture(scope="module")
def schema_venv() -> tuple[Path, Path]:
    return venv.ensure(REPO)


def _tree(root: Path) -> Path:
    for host in ("ctl01", "ctl02"):  # the same file on two hosts: one problem, two places
        target = root / "config" / host / "nova-api"
        target.mkdir(parents=True)
        (target / "nova.conf").write_text(NOVA_CONF)
        (target / "nova-api-uwsgi.ini").write_text("[uwsgi]\nprocesses = 2\n")
        (target / "config.json").write_text("{}")
    return root


def test_the_schema_map_comes_from_the_services_generator_files(
    schema_venv: tuple[Path, Path],
) -> None:
    files = check.generator_map(schema_venv[1])
    assert files["nova.conf"][0] == "nova.conf"
    assert "keystonemiddleware.auth_token" in files["nova.conf"]
    assert files["keystone.conf"][0] == "keystone"
    for name in (
        "neutron.conf",
        "ml2_conf.ini",
        "openvswitch_agent.ini",
        "glance-api.conf",
        "placement.conf",
        "cinder.conf",
        "ironic.conf",
        "heat.conf",
        "ironic_neutron_agent.ini",
    ):
        assert name in files, name
    assert not any("policy" in name for name in files)


def test_each_kind_of_mistake_is_found_and_explained(
    schema_venv: tuple[Path, Path], tmp_path: Path
) -> None:
    result = check.check(REPO, _tree(tmp_path), "ci-aio")
    by_key = {(p.section, p.option): p for p in result.problems}
    typo = by_key[("DEFAULT", "cpu_alocation_ratio")]
    assert typo.kind == "unknown-option" and "did you mean cpu_allocation_ratio?" in typo.message
    assert typo.rendered == ("ctl01/nova-api/nova.conf", "ctl02/nova-api/nova.conf")
    assert by_key[("conductor", "workers")].kind == "bad-value"
    assert "'many'" in by_key[("conductor", "workers")].message
    choice = by_key[("libvirt", "virt_type")]
    assert choice.kind == "bad-value" and "kvm, lxc, qemu" in choice.message
    wrong = by_key[("scheduler", "enabled_filters")]
    assert wrong.kind == "wrong-section" and "[filter_scheduler]" in wrong.message
    old_name = by_key[("keystone_authtoken", "memcache_servers")]
    assert old_name.kind == "deprecated-name"
    assert "use [keystone_authtoken] memcached_servers" in old_name.message
    assert old_name.severity == "warning"
    assert by_key[("glance", "api_servers")].kind == "deprecated"
    assert by_key[("nova_typo_section", "")].kind == "unknown-section"
    # keystoneauth's password plugin options (registered at run time for auth_type) and
    # redacted secrets are accepted; so are the options that are right.
    for ok in (
        ("keystone_authtoken", "auth_url"),
        ("keystone_authtoken", "username"),
        ("keystone_authtoken", "password"),
        ("DEFAULT", "debug"),
    ):
        assert ok not in by_key
    # Nothing here comes from the site's files: every problem is kolla-ansible's own.
    assert result.kolla() == result.problems
    assert result.checked == 2
    assert result.skipped == {"config.json": 2, "nova-api-uwsgi.ini": 2}


@pytest.fixture(scope="module")
def typo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("schema") / "site"
    site.mkdir()
    copy_tree(REPO, site)
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "site")
    git(site, "checkout", "-q", "-b", "typo")
    override = site / "etc" / "kayobe" / "kolla" / "config" / "nova.conf"
    typo = "[DEFAULT]\ncpu_alocation_ratio = 4.0\n\n[filter_scheduler]\n"
    override.write_text(override.read_text().replace("[filter_scheduler]\n", typo, 1))
    git(site, "commit", "-qam", "a typo")
    return site


def test_a_site_typo_fails_validate_with_its_file_and_line(typo_site: Path, tmp_path: Path) -> None:
    junit = tmp_path / "validate.xml"
    proc = run_sitectl(
        "--repo",
        typo_site,
        "validate",
        "ci-aio",
        "--rendered",
        "--services",
        "nova",
        "--format",
        "json",
        "--junit",
        junit,
        env=PASSWORD,
        timeout=1800,
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    findings = [f for f in json.loads(proc.stdout) if f["rule"] == "option-schema"]
    assert len(findings) == 1
    (found,) = findings
    override = "etc/kayobe/kolla/config/nova.conf"
    line = (typo_site / override).read_text().splitlines().index("cpu_alocation_ratio = 4.0") + 1
    assert (found["file"], found["line"]) == (override, line)
    assert found["key"] == "nova.conf [DEFAULT] cpu_alocation_ratio"
    assert "did you mean cpu_allocation_ratio?" in found["message"]
    assert "nova-api/nova.conf" in found["message"]
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    failed = [n for n, c in cases.items() if c.find("failure") is not None]
    assert failed == [next(n for n in cases if n.startswith("option-schema"))]


def test_the_config_diff_lists_the_problem_the_change_introduces(typo_site: Path) -> None:
    from sitectl.diff import html, markdown
    from sitectl.diff.run import Request, run

    request = Request(
        typo_site,
        "ci-aio",
        "main",
        "typo",
        services=["nova"],
        check_options=True,
        vault_password_file=Path(PASSWORD["KAYOBE_VAULT_PASSWORD_FILE"]),
    )
    report = run(request).report
    assert report.error is None
    # Only what the change brings: kolla-ansible's own problems are on both sides.
    assert report.problems is not None
    assert [(p.file, p.key, p.kind) for p in report.problems] == [
        ("nova.conf", "[DEFAULT] cpu_alocation_ratio", "unknown-option")
    ]
    (problem,) = report.problems
    assert problem.source and problem.source.startswith("etc/kayobe/kolla/config/nova.conf:")
    note = markdown.render(report)
    assert "#### Problems this change introduces (1)" in note
    assert "did you mean cpu_allocation_ratio?" in note
    assert "Problems this change introduces (1)" in html.render(report)
    assert report.to_json()["problems"][0]["key"] == "[DEFAULT] cpu_alocation_ratio"


def test_the_committed_site_has_no_schema_errors(tmp_path: Path) -> None:
    proc = run_sitectl(
        "validate", "ci-aio", "--rendered", "--services", "nova", env=PASSWORD, timeout=1800
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "rendered config files checked" in proc.stdout
    # kolla-ansible's own template problems are notes, not the site's findings.
    assert "option-schema" not in proc.stdout.split("note:")[0]


def test_rendered_options_need_rendered() -> None:
    proc = run_sitectl("validate", "ci-aio", "--strict", env=PASSWORD)
    assert proc.returncode == 2
    assert "--strict and --services go with --rendered" in proc.stderr
