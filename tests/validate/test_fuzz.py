"""Random mutations of valid configurations never crash the validator: every run ends with
findings or a clean pass, never a traceback (nor a rule's `validator-error`).

- The site rules run on mutated *resolved* data (deleted keys, swapped types, garbage
  strings, whole hosts replaced), from real kayobe dumps of clean environments.
- The file rules, and the runner with its kayobe step replaced by clean resolved data, run on
  mutated *files* (truncated, garbled, emptied, deleted, binary).
- Two real kayobe runs on files that pass the file rules but break kayobe end in a
  `kayobe-load` finding.
"""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from config.mini_site import copy_repository
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitectl.site import build_site
from sitectl.validate import Finding, check_files, check_site, files, validate
from sitectl.validate.runner import INTERNAL
from tests.helpers import EXAMPLE_PASSWORD_FILE, REPO

from .cases import EXAMPLE_PASSWORD, SRIOV_HOSTS
from .hand_built import clean
from .mini_env import add_env, vault_variable

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# What the rules read: most mutations hit these.
RELEVANT = re.compile(
    r"(_cidr|_ips|_interface|_vlan|_mtu|_gateway|_vip_address|_pool_start|_pool_end"
    r"|_physical_network|_parent|_net_name|_net_names|_mappings|_no_ip)$"
    r"|^(group_names|network_interfaces|ansible_host|nova_pci_aliases|nova_pci_device_specs"
    r"|nova_scheduler_enabled_filters|kolla_neutron_ml2_network_vlan_ranges|kolla_enable_ironic"
    r"|redfish_address|ipmi_address|ironic_driver_info)$"
)
GARBAGE = [
    "",
    " ",
    "10.0.0.0/33",
    "300.1.1.1",
    "10.10.4.5/24",
    "::1",
    "fe80::/64",
    "eth0.",
    "eth0.99999",
    ".5",
    "ib0.8001",
    "vlan104",
    "{{ x }}",
    "{{",
    "{% if %}",
    "0x15b3",
    "*",
    "yes",
    "9000",
    "-1",
    "\x00",
    "ünïcode",
    "a" * 300,
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 70000)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(GARBAGE)
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(max_size=8) | st.sampled_from(["ctl1", "cmp1"]), children, max_size=4
        )
    ),
    max_leaves=8,
)


def swap(value: Any) -> Any:
    """The same content in another type."""
    if isinstance(value, dict):
        return [[k, v] for k, v in value.items()]
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return str(value)
    return {}


@st.composite
def mutations(draw: st.DrawFn, dumps: list[dict[str, Any]]) -> Any:
    data: Any = dict(draw(st.sampled_from(dumps)))
    for _ in range(draw(st.integers(1, 6))):
        if not isinstance(data, dict) or not data:
            break
        operation = draw(st.sampled_from(["delete", "replace", "swap", "garble", "nested", "host"]))
        host = draw(st.sampled_from(sorted(data)))
        if operation == "host":
            data[host] = draw(values)
            continue
        if not isinstance(data[host], dict) or not data[host]:
            continue
        hostvars = data[host] = dict(data[host])
        keys = sorted(k for k in hostvars if RELEVANT.search(k)) or sorted(hostvars)
        key = draw(st.sampled_from(keys))
        if operation == "delete":
            del hostvars[key]
        elif operation == "replace":
            hostvars[key] = draw(values)
        elif operation == "swap":
            hostvars[key] = swap(hostvars[key])
        elif operation == "garble":
            hostvars[key] = draw(st.sampled_from(GARBAGE))
        else:
            hostvars[key] = _nested(draw, copy.deepcopy(hostvars[key]))
    if draw(st.integers(0, 40)) == 0:
        data = draw(values)  # the whole dump
    return data


def _nested(draw: st.DrawFn, value: Any) -> Any:
    """Mutate one entry inside a mapping or list (an address of NAME_ips, an alias field)."""
    if isinstance(value, dict) and value:
        key = draw(st.sampled_from(sorted(value, key=str)))
        if draw(st.booleans()):
            del value[key]
        else:
            value[key] = draw(values)
    elif isinstance(value, list) and value:
        index = draw(st.integers(0, len(value) - 1))
        item = value[index]
        value[index] = _nested(draw, item) if isinstance(item, dict | list) else draw(values)
    else:
        value = draw(values)
    return value


def assert_well_formed(findings: list[Finding]) -> None:
    for finding in findings:
        assert finding.rule != INTERNAL, finding.message
        assert isinstance(finding.message, str) and finding.message
        assert isinstance(finding.hint, str) and finding.hint
        assert finding.line is None or finding.line > 0


@pytest.fixture(scope="module")
def dumps(clean_dump: Callable[[str], dict]) -> list[dict[str, Any]]:
    """Resolved configurations of clean environments, from real kayobe."""
    return [clean_dump("v-clean"), clean_dump("v-full")]


def test_site_rules_survive_mutated_resolved_data(dumps: list[dict[str, Any]]) -> None:
    @FUZZ
    @given(st.data())
    def check(data: st.DataObject) -> None:
        mutated = data.draw(mutations(dumps))
        assert_well_formed(check_site(build_site("fuzz", mutated)))

    check()


# --- mutated files ----------------------------------------------------------------------------

TARGETS = [
    "environments/f-site/networks.yml",
    "environments/f-site/network-allocation.yml",
    "environments/f-site/.kayobe-environment",
    "environments/f-site/secrets.yml",
    "environments/f-site/inventory/hosts",
    "environments/f-site/inventory/group_vars/all/network-interfaces",
    "environments/sriov/sriov.yml",
    "environments/sriov/.kayobe-environment",
    "environments/sriov/inventory/groups",
    "environments/sriov/inventory/group_vars/compute-sriov/sriov",
    "etc/kayobe/networks.yml",
    "etc/kayobe/neutron.yml",
    "etc/kayobe/inventory/groups",
    "etc/kayobe/inventory/group_vars/all/features",
]


@pytest.fixture(scope="module")
def fuzz_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = copy_repository(REPO, tmp_path_factory.mktemp("validate-fuzz"))
    add_env(
        repo,
        "f-site",
        dependencies=["sriov"],
        hosts=SRIOV_HOSTS,
        files={"secrets.yml": "---\n" + vault_variable("site_secret", "s3cret!", EXAMPLE_PASSWORD)},
    )
    return repo


@st.composite
def file_mutation(draw: st.DrawFn, original: bytes) -> bytes | None:
    """New content for a file (None: delete it)."""
    operation = draw(
        st.sampled_from(["truncate", "insert", "line", "empty", "delete", "binary", "twice"])
    )
    text = original.decode("utf-8", errors="replace")
    position = draw(st.integers(0, len(text)))
    garbage = draw(
        st.sampled_from([*GARBAGE, ": [", "- x\n", "\t", "[x:vars]\n"]) | st.text(max_size=20)
    )
    if operation == "truncate":
        return original[: min(position, len(original))]
    if operation == "insert":
        return (text[:position] + garbage + text[position:]).encode()
    if operation == "line":
        lines = text.splitlines(keepends=True) or [""]
        lines[draw(st.integers(0, len(lines) - 1))] = garbage + "\n"
        return "".join(lines).encode()
    if operation == "empty":
        return b""
    if operation == "delete":
        return None
    if operation == "binary":
        return draw(st.binary(max_size=64))
    return original + original


@pytest.fixture
def restored(fuzz_repo: Path) -> Iterator[dict[Path, bytes]]:
    """The fuzz repository's files as they were; restored after each mutation."""
    saved = {fuzz_repo / target: (fuzz_repo / target).read_bytes() for target in TARGETS}
    yield saved
    for path, content in saved.items():
        path.write_bytes(content)


def test_file_rules_survive_mutated_files(fuzz_repo: Path, restored: dict[Path, bytes]) -> None:
    resolved = clean()

    @FUZZ
    @given(st.data())
    def check(data: st.DataObject) -> None:
        changed = data.draw(st.lists(st.sampled_from(TARGETS), min_size=1, max_size=2, unique=True))
        try:
            for target in changed:
                path = fuzz_repo / target
                content = data.draw(file_mutation(restored[path]))
                if content is None:
                    path.unlink()
                else:
                    path.write_bytes(content)
            assert_well_formed(check_files(files.load(fuzz_repo, "f-site", EXAMPLE_PASSWORD_FILE)))
            report = validate(
                fuzz_repo, "f-site", EXAMPLE_PASSWORD_FILE, dumper=lambda *_: resolved
            )
            assert_well_formed(report.findings)
        finally:
            for path, content in restored.items():
                path.write_bytes(content)

    check()


@pytest.mark.parametrize(
    "broken",
    [
        # The dump's own play reads it: a loop, not a syntax error (jinja-syntax sees those).
        'kayobe_max_fail_percentage: "{{ kayobe_max_fail_percentage }}"\n',
        # Where kayobe runs its tasks (delegated to localhost).
        "ansible_python_interpreter: /nonexistent/python3\n",
    ],
)
def test_kayobe_failures_are_findings(fuzz_repo: Path, broken: str) -> None:
    extra = fuzz_repo / "environments" / "f-site" / "zz-broken.yml"
    extra.write_text("---\n" + broken)
    try:
        report = validate(fuzz_repo, "f-site", EXAMPLE_PASSWORD_FILE)
    finally:
        extra.unlink()
        shutil.rmtree(fuzz_repo / ".cache", ignore_errors=True)
    [finding] = report.findings
    assert finding.rule == "kayobe-load" and "kayobe configuration dump failed" in finding.message
    assert "kayobe configuration dump --environment f-site" in finding.message
    assert any("kayobe could not load" in note for note in report.notes)
