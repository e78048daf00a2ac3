"""`sitectl validate --rendered`: rendered service config files against the options the real
services (tools/schema-requirements.txt, installed in their own cached virtualenv) register
with oslo.config; the site's mistakes located in its own files, kolla-ansible's apart."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sitectl.diff import html, markdown
from sitectl.diff.model import Report
from sitectl.diff.run import Request, run
from sitectl.render import render
from sitectl.schema import check, venv
from tests.conftest import run_sitectl
from tests.helpers import EXAMPLE_PASSWORD_ENV, REPO, copy_tree, git

pytestmark = pytest.mark.slow


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
num_memory_encrypted_guests = 4
[os_vif_linux_bridge]
flat_interface = eth1
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
    return venv.ensure()


SRIOV_AGENT_INI = """\
[agent]
physical_device_mappings = physnet2:ens2f0
[sriov_nic]
exclude_devices = ens2f0:0000:3b:00.2
resource_provider_bandwith = ens2f0:10000:10000
"""

CINDER_CONF = """\
[DEFAULT]
enabled_backends = rbd-1
backup_driver = cinder.backup.drivers.ceph.CephBackupDriver
[rbd-1]
volume_driver = cinder.volume.drivers.rbd.RBDDriver
rbd_pool = volumes
rbd_max_clone_depth = deep
"""

# networking-mlnx publishes no option lists: its agent's and daemon's are read from the modules
# that register them. oslo.config matches sections without regard to case ([eswitch] is the
# agent's ESWITCH group; [AGENT] is neutron's agent group).
MLNX_AGENT_INI = """\
[eswitch]
physical_interface_mappings = ibphysnet:ib0
daemon_endpont = tcp://127.0.0.1:60001
[AGENT]
polling_interval = often
report_interval = 30
"""
ESWITCHD_CONF = """\
[DAEMON]
fabrics = ibphysnet:ib0
default_timeout = 5000
[eswitch]
physical_interface_mappings = ibphysnet:ib0
"""


def _tree(root: Path) -> Path:
    for host in (
        "ctl01",
        "ctl02",
    ):  # the same file on two hosts: one problem, two places
        target = root / "config" / host / "nova-api"
        target.mkdir(parents=True)
        (target / "nova.conf").write_text(NOVA_CONF)
        (target / "nova-api-uwsgi.ini").write_text("[uwsgi]\nprocesses = 2\n")
        (target / "config.json").write_text("{}")
    agent = root / "config" / "cmp01" / "neutron-sriov-agent"
    agent.mkdir(parents=True)
    (agent / "sriov_agent.ini").write_text(SRIOV_AGENT_INI)
    volume = root / "config" / "stor01" / "cinder-volume"
    volume.mkdir(parents=True)
    (volume / "cinder.conf").write_text(CINDER_CONF)
    for service, name, text in (
        ("neutron-mlnx-agent", "mlnx_agent.ini", MLNX_AGENT_INI),
        ("neutron-eswitchd", "eswitchd.conf", ESWITCHD_CONF),
    ):
        (root / "config" / "cmp02" / service).mkdir(parents=True)
        (root / "config" / "cmp02" / service / name).write_text(text)
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
    # Options and groups the previous release had: removed, not unknown.
    gone = by_key[("libvirt", "num_memory_encrypted_guests")]
    assert (gone.kind, gone.severity) == ("removed", "error")
    assert "2026.1 registered it, 2026.2 does not" in gone.message
    assert by_key[("os_vif_linux_bridge", "")].kind == "removed"
    assert (
        "os_vif_linux_bridge",
        "flat_interface",
    ) not in by_key  # the group says it all
    # neutron's SR-IOV agent and cinder, with cinder's backend section made at run time.
    misplaced = by_key[("agent", "physical_device_mappings")]
    assert misplaced.kind == "wrong-section" and "[sriov_nic]" in misplaced.message
    assert misplaced.rendered == ("cmp01/neutron-sriov-agent/sriov_agent.ini",)
    typo = by_key[("sriov_nic", "resource_provider_bandwith")]
    assert "did you mean resource_provider_bandwidths?" in typo.message
    assert ("sriov_nic", "exclude_devices") not in by_key
    assert by_key[("rbd-1", "rbd_max_clone_depth")].kind == "bad-value"
    for ok in (("rbd-1", "rbd_pool"), ("DEFAULT", "backup_driver"), ("rbd-1", "")):
        assert ok not in by_key
    # networking-mlnx's agent and eswitch daemon, sections matched without regard to case.
    typo = by_key[("eswitch", "daemon_endpont")]
    assert typo.kind == "unknown-option" and "did you mean daemon_endpoint?" in typo.message
    assert typo.rendered == ("cmp02/neutron-mlnx-agent/mlnx_agent.ini",)
    assert by_key[("AGENT", "polling_interval")].kind == "bad-value"
    misplaced = by_key[("eswitch", "")]
    assert misplaced.kind == "unknown-section"
    assert misplaced.rendered == ("cmp02/neutron-eswitchd/eswitchd.conf",)
    for ok in (
        ("eswitch", "physical_interface_mappings"),
        ("AGENT", "report_interval"),
        ("DAEMON", "fabrics"),
        ("DAEMON", "default_timeout"),
    ):
        assert ok not in by_key
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
    assert result.checked == 6
    assert result.skipped == {"config.json": 2, "nova-api-uwsgi.ini": 2}
    assert result.missing_namespaces == []


# Mistakes seeded in the site's real kolla config overrides: (file, [section] option) -> a
# fragment of the finding's message. The line each is on is found in the file.
NOVA_MISTAKES = """\
[DEFAULT]
cpu_alocation_ratio = 4.0
vcpu_pin_set = 4-15

[libvirt]
virt_type = kvmm
num_memory_encrypted_guests = 4

[scheduler]
enabled_filters = ComputeFilter

"""
ML2_CONF = """\
# Seeded mistakes (tests/options).
[ml2]
path_mtu = big
overlay_ip_version = 5

[ovs_driver]
ovs_create_tap = true

[ml2_type_vlan]
network_vlan_range = physnet1:100:200

[ml2_type_flat]
vni_ranges = 1:1000
"""
KEYSTONE_CONF = """\
# Seeded mistakes (tests/options).
[token]
expiration = soon
cache_on_issue = true

[identity]
password_hash_algorithm = md5

[oslo_policy]
enforce_scope = true
"""
NOVA = "etc/kayobe/kolla/config/nova.conf"
ML2 = "environments/ci-aio/kolla/config/neutron/ml2_conf.ini"
KEYSTONE = "etc/kayobe/kolla/config/keystone.conf"
KOLLA_YML = "environments/ci-aio/kolla.yml"
MISSPELT = "kolla_enable_prometeus"  # a variable nothing reads (validate's variable-unread)
SEEDED = {
    (
        NOVA,
        "nova.conf [DEFAULT] cpu_alocation_ratio",
    ): "did you mean cpu_allocation_ratio?",
    (NOVA, "nova.conf [libvirt] virt_type"): "'kvmm'",
    (NOVA, "nova.conf [libvirt] num_memory_encrypted_guests"): "was removed",
    (NOVA, "nova.conf [DEFAULT] vcpu_pin_set"): "deprecated for removal",
    (NOVA, "nova.conf [scheduler] enabled_filters"): "[filter_scheduler]",
    (ML2, "ml2_conf.ini [ml2] overlay_ip_version"): "'5'",
    (ML2, "ml2_conf.ini [ovs_driver] ovs_create_tap"): "deprecated for removal",
    (KEYSTONE, "keystone.conf [token] cache_on_issue"): "deprecated for removal",
    (KEYSTONE, "keystone.conf [identity] password_hash_algorithm"): "'md5'",
    (ML2, "ml2_conf.ini [ml2] path_mtu"): "'big'",
    (
        ML2,
        "ml2_conf.ini [ml2_type_vlan] network_vlan_range",
    ): "did you mean network_vlan_ranges?",
    (ML2, "ml2_conf.ini [ml2_type_flat] vni_ranges"): "[ml2_type_vxlan]",
    (KEYSTONE, "keystone.conf [token] expiration"): "'soon'",
    (KEYSTONE, "keystone.conf [oslo_policy] enforce_scope"): "was removed",
}


def _commit_site(site: Path, branch: str, message: str) -> None:
    git(site, "checkout", "-q", "-b", branch)
    git(site, "add", "-A")
    git(site, "commit", "-qm", message)


@pytest.fixture(scope="module")
def typo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of this repository on `main`; branch `typo` seeds mistakes in nova, neutron's
    ML2 and keystone overrides (base, environment and base files); branch `typo2`, made from
    `typo`, adds one more to nova.conf. `typo` also misspells a kayobe variable."""
    site = tmp_path_factory.mktemp("schema") / "site"
    site.mkdir()
    copy_tree(REPO, site)
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "site")
    override = site / NOVA
    override.write_text(
        override.read_text().replace(
            "[filter_scheduler]\n", NOVA_MISTAKES + "[filter_scheduler]\n", 1
        )
    )
    (site / ML2).parent.mkdir(parents=True)
    (site / ML2).write_text(ML2_CONF)
    (site / KEYSTONE).write_text(KEYSTONE_CONF)
    with (site / KOLLA_YML).open("a") as variables:
        variables.write(f"{MISSPELT}: true\n")
    _commit_site(site, "typo", "seeded mistakes")
    override.write_text(override.read_text() + "\n[conductor]\nworkers = many\n")
    _commit_site(site, "typo2", "one more")
    git(site, "checkout", "-q", "typo")
    return site


def _line(site: Path, path: str, key: str) -> int:
    """The line of `[section] option` (from a finding's key) in a site file."""
    section, option = key.split(" ", 1)[1].split("] ")
    lines = (site / path).read_text().splitlines()
    start = lines.index(section + "]")
    return next(n for n, line in enumerate(lines, 1) if n > start and line.startswith(option))


def test_seeded_mistakes_fail_validate_with_their_files_and_lines(
    typo_site: Path, tmp_path: Path
) -> None:
    junit = tmp_path / "validate.xml"
    proc = run_sitectl(
        "--repo",
        typo_site,
        "validate",
        "ci-aio",
        "--rendered",
        "--strict",
        "--services",
        "nova,neutron,keystone",
        "--format",
        "json",
        "--junit",
        junit,
        env=EXAMPLE_PASSWORD_ENV,
        timeout=1800,
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    findings = {
        (f["file"], f["key"]): f for f in json.loads(proc.stdout) if f["rule"] == "option-schema"
    }
    assert set(findings) == set(SEEDED)
    for (path, key), fragment in SEEDED.items():
        found = findings[(path, key)]
        assert fragment in found["message"], found
        assert found["line"] == _line(typo_site, path, key), found
    rendered = findings[(NOVA, "nova.conf [DEFAULT] cpu_alocation_ratio")]["message"]
    assert "nova-api/nova.conf" in rendered
    assert (
        "neutron-server/ml2_conf.ini" in findings[(ML2, "ml2_conf.ini [ml2] path_mtu")]["message"]
    )
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    failed = [n for n, c in cases.items() if c.find("failure") is not None]
    # and the misspelt variable of the same branch
    rules = ("option-schema", "variable-unread")
    assert sorted(failed) == sorted(next(n for n in cases if n.startswith(r)) for r in rules)
    # Without --strict the deprecation is a warning, not a finding.
    relaxed = run_sitectl(
        "--repo",
        typo_site,
        "validate",
        "ci-aio",
        "--rendered",
        "--services",
        "nova,neutron,keystone",
        "--format",
        "json",
        env=EXAMPLE_PASSWORD_ENV,
        timeout=1800,
    )
    assert relaxed.returncode == 1
    keys = {f["key"] for f in json.loads(relaxed.stdout) if f["rule"] == "option-schema"}
    deprecated = {key for (_, key), said in SEEDED.items() if said == "deprecated for removal"}
    assert keys == {key for _, key in SEEDED} - deprecated


def _introduced(site: Path, base: str, head: str) -> Report:
    request = Request(
        site,
        "ci-aio",
        base,
        head,
        services=["nova"],
        check_options=True,
        vault_password_file=Path(EXAMPLE_PASSWORD_ENV["KAYOBE_VAULT_PASSWORD_FILE"]),
    )
    report = run(request).report
    assert report.error is None
    assert report.problems is not None
    return report


def test_the_config_diff_lists_the_problems_the_change_introduces(
    typo_site: Path,
) -> None:
    report = _introduced(typo_site, "main", "typo")
    # Only what the change brings: kolla-ansible's own problems are on both sides.
    assert [(p.file, p.key, p.kind) for p in report.problems] == [
        ("nova.conf", "[DEFAULT] cpu_alocation_ratio", "unknown-option"),
        ("nova.conf", "[DEFAULT] vcpu_pin_set", "deprecated"),
        ("nova.conf", "[libvirt] num_memory_encrypted_guests", "removed"),
        ("nova.conf", "[libvirt] virt_type", "bad-value"),
        ("nova.conf", "[scheduler] enabled_filters", "wrong-section"),
        (KOLLA_YML, MISSPELT, "variable-unread"),
    ]
    typo = report.problems[0]
    assert typo.source and typo.source.startswith(NOVA + ":")
    unread = report.problems[-1]
    lines = (typo_site / KOLLA_YML).read_text().splitlines()
    assert unread.source == f"{KOLLA_YML}:{lines.index(f'{MISSPELT}: true') + 1}"
    assert "Did you mean `kolla_enable_prometheus`" in unread.message
    note = markdown.render(report)
    assert "#### Problems this change introduces (6)" in note
    assert "did you mean cpu_allocation_ratio?" in note
    assert f"<code>{MISSPELT}</code>" in note
    assert "Problems this change introduces (6)" in html.render(report)
    assert report.to_json()["problems"][0]["key"] == "[DEFAULT] cpu_alocation_ratio"


def test_a_problem_the_base_already_had_is_not_new(typo_site: Path) -> None:
    """Including the misspelt variable: both sides have it."""
    report = _introduced(typo_site, "typo", "typo2")
    assert [(p.key, p.kind) for p in report.problems] == [("[conductor] workers", "bad-value")]
    assert "#### Problems this change introduces (1)" in markdown.render(report)


# What kolla-ansible 23's own templates set that the 2026.2 services do not take, and why none
# of it is this repository's: (file, key, kind) -> the reason. The committed environments'
# renders must have no other problem, and none of the site's own.
HEARTBEAT = "oslo.messaging dropped it; kolla-ansible's templates still set it"
EVENTLET = "the API runs under uwsgi now; kolla-ansible still sets the old eventlet server's"
AT_RUN_TIME = "a group the service registers at run time, not in its generator list"
MAGNUM_HEAT = "magnum 23 dropped the Heat driver and its trusts; kolla-ansible still writes them"
MAGNUM_CLIENTS = "magnum 23 reads no CA file per client; kolla-ansible still writes them"
MAGNUM_CLIENT_GROUPS = [
    "barbican_client",
    "cinder_client",
    "glance_client",
    "neutron_client",
    "nova_client",
]
KOLLA_OWN = {
    ("blazar.conf", "[oslo_messaging_rabbit] heartbeat_in_pthread", "removed"): HEARTBEAT,
    ("glance-api.conf", "[DEFAULT] bind_host", "removed"): EVENTLET,
    ("glance-api.conf", "[DEFAULT] bind_port", "removed"): EVENTLET,
    ("glance-api.conf", "[DEFAULT] workers", "removed"): EVENTLET,
    ("glance-api.conf", "[os_glance_staging_store]", "unknown-section"): AT_RUN_TIME,
    ("glance-api.conf", "[os_glance_tasks_store]", "unknown-section"): AT_RUN_TIME,
    ("glance-api.conf", "[oslo_messaging_rabbit] heartbeat_in_pthread", "removed"): HEARTBEAT,
    ("heat.conf", "[ec2authtoken] auth_uri", "removed"): "heat 27 dropped it",
    ("heat.conf", "[oslo_concurrency]", "unknown-section"): "heat lists no oslo.concurrency",
    ("heat.conf", "[oslo_messaging_rabbit] heartbeat_in_pthread", "removed"): HEARTBEAT,
    ("keystone.conf", "[oslo_messaging_rabbit] heartbeat_in_pthread", "removed"): HEARTBEAT,
    **{
        ("magnum.conf", f"[{group}] ca_file", "wrong-section"): MAGNUM_CLIENTS
        for group in MAGNUM_CLIENT_GROUPS
    },
    ("magnum.conf", "[heat_client]", "unknown-section"): MAGNUM_HEAT,
    ("magnum.conf", "[trust]", "unknown-section"): MAGNUM_HEAT,
    ("magnum.conf", "[keystone_auth] cafile", "wrong-section"): (
        "magnum registers keystoneauth's session options at run time, not in its generator list"
    ),
    ("magnum.conf", "[oslo_middleware]", "unknown-section"): AT_RUN_TIME,
    ("magnum.conf", "[oslo_messaging_rabbit] heartbeat_in_pthread", "removed"): HEARTBEAT,
    ("ml2_conf.ini", "[ml2] tenant_network_types", "deprecated-name"): "the old name still works",
    ("ml2_conf.ini", "[genericswitch:leaf01]", "unknown-section"): (
        "networking-generic-switch reads its device sections itself (kayobe writes them from "
        "the ironic mixin's switches); they are not oslo.config groups"
    ),
    ("neutron.conf", "[DEFAULT] api_paste_config", "unknown-option"): EVENTLET,
    ("neutron.conf", "[DEFAULT] api_workers", "removed"): EVENTLET,
    ("neutron.conf", "[DEFAULT] bind_host", "removed"): EVENTLET,
    ("neutron.conf", "[DEFAULT] bind_port", "removed"): EVENTLET,
    ("neutron.conf", "[oslo_messaging_rabbit] heartbeat_in_pthread", "removed"): HEARTBEAT,
    ("nova.conf", "[glance] api_servers", "deprecated"): "kolla points nova at glance this way",
    ("nova.conf", "[oslo_messaging_rabbit] heartbeat_in_pthread", "removed"): HEARTBEAT,
    ("nova.conf", "[privsep_entrypoint]", "unknown-section"): AT_RUN_TIME,
    ("nova.conf", "[service_user] region_name", "wrong-section"): (
        "nova registers no adapter options for [service_user]"
    ),
    ("nova.conf", "[service_user] valid_interfaces", "wrong-section"): (
        "nova registers no adapter options for [service_user]"
    ),
    ("openvswitch_agent.ini", "[FDB]", "unknown-section"): AT_RUN_TIME + " (the FDB extension)",
    ("openvswitch_agent.ini", "[ovs] ovsdb_timeout", "unknown-option"): "not in 2026.1 either",
    ("placement.conf", "[cache]", "unknown-section"): "placement lists no oslo.cache",
    ("placement.conf", "[oslo_concurrency]", "unknown-section"): "placement lists no lock path",
    ("sriov_agent.ini", "[securitygroup]", "unknown-section"): "the SR-IOV agent has no firewall",
}
VAULT = Path(EXAMPLE_PASSWORD_ENV["KAYOBE_VAULT_PASSWORD_FILE"])


@pytest.mark.parametrize(
    ("environment", "services"),
    [
        ("ci-aio", None),
        ("example-site", ["nova"]),
        ("example-site", ["neutron"]),
        ("example-site", ["prometheus", "grafana", "blazar", "magnum"]),
    ],
    ids=["ci-aio-all", "example-site-nova", "example-site-neutron", "example-site-mixins"],
)
def test_the_committed_environments_have_only_kolla_ansibles_known_problems(
    environment: str, services: list[str] | None
) -> None:
    """ci-aio whole (the render tests share it), example-site's nova and neutron (its
    InfiniBand, SR-IOV and bare-metal networking) and its mixins' services (blazar.conf;
    magnum.conf with the Cluster API driver's [capi_helm]; the nova.conf of the nova render
    has blazar-nova's options). The mixins' render is the one tests/conftest.py shares."""
    rendered = render(REPO, environment, services=services, vault_password_file=VAULT)
    result = check.check(REPO, rendered, environment)
    assert result.missing_namespaces == []
    assert result.checked > 0
    if services == ["neutron"]:  # the InfiniBand mixin's agent and daemon are checked too
        assert not {"mlnx_agent.ini", "eswitchd.conf"} & set(result.skipped)
    if services and "blazar" in services:
        assert "blazar.conf" not in result.skipped
    if services and "magnum" in services:
        assert "magnum.conf" not in result.skipped
    assert result.site("error") + result.site("warning") == []
    unexplained = [
        f"{p.file} {p.key} ({p.kind}): {p.message}"
        for p in result.kolla()
        if (p.file, p.key, p.kind) not in KOLLA_OWN
    ]
    assert unexplained == []


def test_validate_rendered_passes_on_the_committed_site() -> None:
    proc = run_sitectl(
        "validate",
        "ci-aio",
        "--rendered",
        "--services",
        "nova",
        env=EXAMPLE_PASSWORD_ENV,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "rendered config files checked" in proc.stdout
    # kolla-ansible's own template problems are notes, not the site's findings.
    assert "option-schema" not in proc.stdout.split("note:")[0]
    assert "problems in kolla-ansible's own templates (not the site's)" in proc.stdout


def test_rendered_options_need_rendered() -> None:
    proc = run_sitectl("validate", "ci-aio", "--strict", env=EXAMPLE_PASSWORD_ENV)
    assert proc.returncode == 2
    assert "--strict and --services go with --rendered" in proc.stderr
