"""The planner: which changed files need which render."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sitectl import kolla_playbooks
from sitectl.diff import plan, services
from sitectl.errors import SiteError

SERVICES = services.load()
LAYERS = ["infiniband", "sriov", "example-site"]
ROOTS = plan.config_roots(
    {"etc/kayobe/environments": "../../environments", "etc/kayobe/ansible": "../../ansible"}
)


@pytest.mark.parametrize(
    ("path", "kind", "tags"),
    [
        ("etc/kayobe/kolla/config/nova.conf", "services", {"nova", "nova-cell"}),
        ("etc/kayobe/kolla/config/nova/nova-compute.conf", "services", {"nova", "nova-cell"}),
        ("etc/kayobe/kolla/config/neutron/ml2_conf.ini", "services", {"neutron"}),
        ("etc/kayobe/kolla/config/keystone.conf", "services", {"keystone"}),
        ("etc/kayobe/kolla/config/haproxy/services.d/x.cfg", "services", {"loadbalancer"}),
        ("etc/kayobe/kolla/config/galera.cnf", "services", {"mariadb"}),
        ("environments/sriov/kolla/config/nova.conf", "services", {"nova", "nova-cell"}),
        ("etc/kayobe/kolla/config/global.conf", "full", set()),
        ("etc/kayobe/kolla/config/unknown-thing/x.conf", "full", set()),
        ("etc/kayobe/kolla/globals.yml", "full", set()),
        ("etc/kayobe/networks.yml", "full", set()),
        ("etc/kayobe/inventory/groups", "full", set()),
        ("environments/example-site/inventory/hosts", "full", set()),
        ("environments/example-site/kolla/passwords.yml", "full", set()),
        ("environments/example-site/.kayobe-environment", "full", set()),
        ("environments/infiniband/infiniband.yml", "full", set()),  # a mixin of the layering
        ("environments/example-site/inventory/README.md", "full", set()),  # inventory source
        ("ansible/sriov-host.yml", "full", set()),  # reached through etc/kayobe/ansible
        ("environments/ci-aio/networks.yml", "none", set()),  # another environment
        ("environments/ironic/ironic.yml", "none", set()),  # a mixin it does not use
        ("environments/example-site/README.md", "none", set()),
        ("README.md", "none", set()),
        ("tools/src/sitectl/cli.py", "none", set()),
        ("tests/unit/test_cli.py", "none", set()),
        ("ci/pipeline.yml", "none", set()),
        ("requirements.txt", "none", set()),
    ],
)
def test_classify(path: str, kind: str, tags: set[str]) -> None:
    effect = plan.classify(path, LAYERS, SERVICES, ROOTS)
    assert (effect.kind, set(effect.services)) == (kind, tags), effect.why


def test_plan_services_union_and_reason() -> None:
    result = plan.plan(
        [
            "etc/kayobe/kolla/config/nova.conf",
            "etc/kayobe/kolla/config/neutron/ml2_conf.ini",
            "README.md",
        ],
        LAYERS,
        SERVICES,
        ROOTS,
    )
    assert result.mode == "services"
    assert result.services == ["neutron", "nova", "nova-cell"]
    assert "nova.conf" in result.reason and "ml2_conf.ini" in result.reason
    assert result.reason.endswith("which only neutron, nova, nova-cell read")
    assert "README.md" not in result.reason


def test_plan_full_names_the_file_that_forced_it() -> None:
    result = plan.plan(
        ["etc/kayobe/kolla/config/nova.conf", "etc/kayobe/networks.yml"], LAYERS, SERVICES, ROOTS
    )
    assert (result.mode, result.services, result.trigger) == (
        "full",
        [],
        "etc/kayobe/networks.yml",
    )
    assert "etc/kayobe/networks.yml" in result.reason


def test_plan_nothing_to_render() -> None:
    result = plan.plan(["README.md", "tools/x.py"], LAYERS, SERVICES, ROOTS)
    assert result.mode == "none" and result.changed_files == ["README.md", "tools/x.py"]
    assert plan.plan([], LAYERS, SERVICES, ROOTS).reason == "the two sides are the same tree"


@pytest.mark.parametrize(
    ("namers", "kind", "tags"),
    [
        ({"etc/kayobe/kolla/globals.yml"}, "full", set()),
        ({"environments/ci-aio/networks.yml"}, "none", set()),  # another environment's
        ({"etc/kayobe/kolla/config/nova.conf"}, "services", {"nova", "nova-cell"}),
        (
            {"etc/kayobe/kolla/config/nova.conf", "etc/kayobe/kolla/config/keystone.conf"},
            "full",  # two overrides: no one set of services and override to judge by
            set(),
        ),
        ({"environments/ci-aio/networks.yml", "environments/sriov/sriov.yml"}, "full", set()),
    ],
)
def test_a_named_file_matters_as_much_as_the_files_naming_it(
    namers: set[str], kind: str, tags: set[str]
) -> None:
    named = {".gitreview": namers, "tools/site-name.py": namers}
    changed = [".gitreview", "README.md", "tests/test_x.py"]
    result = plan.plan(changed, LAYERS, SERVICES, ROOTS, named=named)
    assert (result.mode, set(result.services)) == (kind, tags), result.reason
    assert ".gitreview" in result.reason or kind == "none"


def test_only_a_change_outside_the_configuration_is_worth_looking_for_names() -> None:
    assert not plan.may_be_named(["README.md", "etc/kayobe/networks.yml"], ROOTS)
    assert plan.may_be_named(["README.md", "tests/test_x.py"], ROOTS)


def test_force_full() -> None:
    assert plan.plan(["README.md"], LAYERS, SERVICES, ROOTS, force_full=True).mode == "full"


def test_without_kolla_ansible_every_override_means_full() -> None:
    nothing_known = services.KollaServices()
    effect = plan.classify("etc/kayobe/kolla/config/nova.conf", LAYERS, nothing_known, ROOTS)
    assert effect.kind == "full"


def test_config_roots_follow_symlinks_inside_the_repository() -> None:
    roots = plan.config_roots({"etc/kayobe/environments": "../../environments", "etc/x": "/abs"})
    assert roots == {"etc/kayobe": "etc/kayobe", "environments": "etc/kayobe/environments"}


def test_container_service_names() -> None:
    names = {
        c: SERVICES.container_service(c)
        for c in ("nova-api", "nova-libvirt", "neutron-openvswitch-agent", "kolla-toolbox")
    }
    assert names == {
        "nova-api": "nova",
        "nova-libvirt": "nova",
        "neutron-openvswitch-agent": "neutron",
        "kolla-toolbox": "kolla-toolbox",
    }


def test_without_kolla_ansibles_playbooks_planning_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No silent "nothing is known": a toolchain without kolla-ansible's playbooks stops
    both the diff's planner and the render's service selection."""
    with pytest.raises(SiteError, match=r"cannot read kolla-ansible's playbook .*site.yml"):
        services.load(tmp_path)
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    with pytest.raises(SiteError, match=r"playbooks are not in the toolchain.*sitectl setup"):
        kolla_playbooks.playbooks_dir()
