"""One small broken environment per rule (and the clean ones they are made from).

Each Case is an environment of mini_env (two hosts, clean network plan) with the few changes
that break one rule, and what the finding must say: which rule alone fires, on which host and
key, located in which file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers import EXAMPLE_PASSWORD

from .mini_env import add_env, vault_variable

ALL_MIXINS = [
    "ironic",
    "ephemeral-hypervisors",
    "infiniband",
    "sriov",
    "monitoring",
    "blazar",
    "magnum",
]
# The Cluster API management cluster's credentials (a site's are vault-encrypted).
KUBECONFIG = {"kolla/config/magnum/kubeconfig": "apiVersion: v1\nkind: Config\n"}
SRIOV_HOSTS = {"controllers": ["ctl1"], "compute-sriov": ["cmp1"]}

# Clean environments: nothing to report. v-full uses every mixin and every kind of host.
CLEAN: dict[str, dict[str, Any]] = {
    "v-clean": {},
    "v-full": {
        "dependencies": ALL_MIXINS,
        "hosts": {  # BMCs: the monitoring mixin watches every cloud host's hardware
            "controllers": ["ctl1 ipmi_address=10.10.0.11"],
            "monitoring": ["ctl1"],
            "infiniband": ["ctl1"],
            "compute-sriov": ["cmp1 ipmi_address=10.10.0.21"],
            "compute-infiniband": ["cmp2 ipmi_address=10.10.0.22"],
            "reservable": ["cmp2"],
            "ephemeral-hypervisors": ["ehv1"],
            "baremetal-compute": ["bm1 redfish_address=10.10.1.50"],
        },
        "allocations": {
            "provision_oc_net_ips": {
                "ctl1": "10.10.2.11",
                "cmp1": "10.10.2.21",
                "cmp2": "10.10.2.22",
            },
            "internal_net_ips": {
                "ctl1": "10.10.4.11",
                "cmp1": "10.10.4.21",
                "cmp2": "10.10.4.22",
                "ehv1": "10.10.4.31",
            },
            "tunnel_net_ips": {
                "ctl1": "10.10.6.11",
                "cmp1": "10.10.6.21",
                "cmp2": "10.10.6.22",
                "ehv1": "10.10.6.31",
            },
            "storage_net_ips": {
                "ctl1": "10.10.7.11",
                "cmp1": "10.10.7.21",
                "cmp2": "10.10.7.22",
                "ehv1": "10.10.7.31",
            },
            "ib_net_ips": {"ctl1": "10.10.9.11", "cmp2": "10.10.9.22"},
        },
        "networks": {
            "provision_oc_net_mtu": 9000,
            "storage_net_mtu": 9000,
            "internal_net_allocation_pool_start": "10.10.4.10",
            "internal_net_allocation_pool_end": "10.10.4.99",
            "provision_wl_net_inspection_allocation_pool_start": "10.10.3.100",
            "provision_wl_net_inspection_allocation_pool_end": "10.10.3.199",
            "public_net_gateway": "10.10.5.1",
        },
        "files": {
            "secrets.yml": "---\n" + vault_variable("site_secret", "s3cret!", EXAMPLE_PASSWORD),
            "kolla/config/site.conf": "[site]\nsecret = {{ site_secret }}\n",  # its reader
            **KUBECONFIG,
        },
    },
}


@dataclass(frozen=True)
class Case:
    """Environment `env`, built from `spec` (mini_env.add_env arguments), breaks `rule`; a
    finding on `host` and `key`, located in `file` (relative to the environment, or to the
    repository when it starts with etc/), with a line number when `line`, saying `says`."""

    id: str
    rule: str
    env: str
    spec: dict[str, Any] = field(default_factory=dict)
    host: str | None = None
    key: str | None = None
    file: str | None = None
    line: bool = True
    kayobe: bool = True  # whether kayobe runs (the file rules found nothing)
    says: str = ""  # what the finding's message must hold


def _file(content: str) -> dict[str, Any]:
    return {"files": {"broken.yml": "---\n" + content}}


def _damaged(vaulted: str) -> str:
    """A `!vault` variable with its header intact and its body garbled (not hexadecimal)."""
    lines = vaulted.splitlines()
    lines[2] = "  zz" + lines[2].strip()[2:]
    return "\n".join(lines) + "\n"


CASES: list[Case] = [
    # The file rules: kayobe does not run.
    Case(
        "yaml-syntax",
        "yaml-syntax",
        "v-yaml-syntax",
        _file("motd: [unclosed\nbanner: 1\n"),
        file="broken.yml",
        kayobe=False,
    ),
    Case(
        "inventory-syntax",
        "inventory-syntax",
        "v-inventory-syntax",
        {"files": {"inventory/hosts": "[controllers\nctl1\n[compute]\ncmp1\n"}},
        file="inventory/hosts",
        kayobe=False,
    ),
    Case(
        "inventory-host-name",
        "inventory-host-name",
        "v-inventory-host-name",
        {"hosts": {"controllers": ["ctl1", "ctl$(x)"], "compute": ["cmp1"]}},
        file="inventory/hosts",
        kayobe=False,
    ),
    Case(
        "ini-syntax",
        "ini-syntax",
        "v-ini-syntax",
        {"files": {"kolla/config/nova.conf": "[DEFAULT\ncpu_allocation_ratio = 4.0\n"}},
        file="kolla/config/nova.conf",
        kayobe=False,
    ),
    Case(
        "grafana-dashboard-invalid",
        "grafana-dashboard-invalid",
        "v-grafana-dashboard-invalid",
        {
            "dependencies": ["monitoring"],
            "files": {
                "kolla/config/grafana/dashboards/capacity.json": (
                    '{"title": "Capacity", "panels": [{"type": "stat", "datasource": "Prom"}]}'
                )
            },
        },
        key="panels[0].datasource",
        file="kolla/config/grafana/dashboards/capacity.json",
        line=False,
        kayobe=False,
    ),
    Case(
        "symlink-outside",
        "symlink-outside",
        "v-symlink-outside",
        {"links": {"kolla/config/nova/vendordata.json": "/nonexistent/sitectl-case/shadow"}},
        file="kolla/config/nova/vendordata.json",
        line=False,
        kayobe=False,
    ),
    Case(
        "env-dependency",
        "env-dependency",
        "v-env-dependency",
        {"dependencies": ["sriov", "no-such-environment"]},
        key="dependencies",
        file=".kayobe-environment",
        kayobe=False,
    ),
    Case(
        "env-dependency:cycle",
        "env-dependency",
        "v-cycle-a",
        {"dependencies": ["v-cycle-b"]},
        key="dependencies",
        file="../v-cycle-b/.kayobe-environment",
        kayobe=False,
    ),
    Case(
        "vault-password",
        "vault-password",
        "v-vault-password",
        {"files": {"secrets.yml": "---\n" + vault_variable("site_secret", "s3cret!", "other")}},
        key="site_secret",
        file="secrets.yml",
        kayobe=False,
    ),
    Case(
        "vault-password:damaged",
        "vault-password",
        "v-vault-damaged",
        {
            "files": {
                "secrets.yml": "---\n"
                + _damaged(vault_variable("site_secret", "s3cret!", EXAMPLE_PASSWORD))
            }
        },
        key="site_secret",
        file="secrets.yml",
        kayobe=False,
        says="the encrypted value of site_secret in environments/v-vault-damaged/secrets.yml "
        "is damaged",
    ),
    # kayobe itself.
    Case(
        "kayobe-load",
        "kayobe-load",
        "v-kayobe-load",
        _file('kayobe_max_fail_percentage: "{{ 0 + }}"\n'),
        file="broken.yml",
    ),
    # The rules on kayobe's resolved configuration.
    Case(
        "jinja-syntax",
        "jinja-syntax",
        "v-jinja-syntax",
        {
            "files": {
                "broken.yml": "---\nsite_motd: \"{{ 'welcome' }\"\n",
                "kolla/config/motd": "{{ site_motd }}\n",  # what reads it
            }
        },
        key="site_motd",
        file="broken.yml",
    ),
    Case(
        "var-undefined",
        "var-undefined",
        "v-var-undefined",
        _file('pulp_url: "http://{{ pulp_server_address }}:24817"\n'),
        key="pulp_url",
        file="broken.yml",
    ),
    Case(
        "net-invalid",
        "net-invalid",
        "v-net-invalid",
        {"networks": {"storage_net_mtu": 99999}},
        key="storage_net_mtu",
        file="networks.yml",
    ),
    Case(
        "var-wrong-type",
        "var-wrong-type",
        "v-var-wrong-type",
        {"networks": {"external_net_names": "physnet1_net"}},
        key="external_net_names",
        file="networks.yml",
    ),
    Case(
        "net-cidr-overlap",
        "net-cidr-overlap",
        "v-net-cidr-overlap",
        {
            "networks": {"storage_net_cidr": "10.10.4.128/25"},
            "allocations": {"storage_net_ips": {"ctl1": "10.10.4.211", "cmp1": "10.10.4.221"}},
        },
        key="storage_net_cidr",
        file="networks.yml",
    ),
    Case(
        "net-gateway-outside",
        "net-gateway-outside",
        "v-net-gateway-outside",
        {"networks": {"public_net_gateway": "10.10.6.1"}},
        key="public_net_gateway",
        file="networks.yml",
    ),
    Case(
        "net-vip-outside",
        "net-vip-outside",
        "v-net-vip-outside",
        {"networks": {"internal_net_vip_address": "10.10.40.2"}},
        key="internal_net_vip_address",
        file="networks.yml",
    ),
    Case(
        "net-pool-overlaps-static",
        "net-pool-overlaps-static",
        "v-net-pool-overlaps-static",
        {
            "networks": {
                "internal_net_neutron_allocation_pool_start": "10.10.4.20",
                "internal_net_neutron_allocation_pool_end": "10.10.4.30",
            }
        },
        host="cmp1",
        key="internal_net_ips",
        file="network-allocation.yml",
    ),
    Case(
        "ip-outside-cidr",
        "ip-outside-cidr",
        "v-ip-outside-cidr",
        {"allocations": {"tunnel_net_ips": {"ctl1": "10.10.6.11", "cmp1": "10.10.60.21"}}},
        host="cmp1",
        key="tunnel_net_ips",
        file="network-allocation.yml",
    ),
    Case(
        "ip-duplicate",
        "ip-duplicate",
        "v-ip-duplicate",
        {"allocations": {"storage_net_ips": {"ctl1": "10.10.7.11", "cmp1": "10.10.7.11"}}},
        host="ctl1",
        key="storage_net_ips",
        file="network-allocation.yml",
    ),
    Case(
        "host-no-address",
        "host-no-address",
        "v-host-no-address",
        {"allocations": {"provision_oc_net_ips": {"ctl1": "10.10.2.11"}}},
        host="cmp1",
        key="provision_oc_net_ips",
        file="network-allocation.yml",
    ),
    Case(
        "host-missing-interface",
        "host-missing-interface",
        "v-host-missing-interface",
        {
            "interfaces": {"tunnel_net_interface": None},
            "files": {"inventory/host_vars/ctl1": "---\ntunnel_net_interface: eth0.106\n"},
        },
        host="cmp1",
        key="tunnel_net_interface",
        file="inventory/hosts",
    ),
    Case(
        "vlan-conflict",
        "vlan-conflict",
        "v-vlan-conflict",
        {"files": {"inventory/host_vars/cmp1": "---\nstorage_net_interface: eth0.106\n"}},
        host="cmp1",
        key="storage_net_interface",
        file="inventory/host_vars/cmp1",
    ),
    Case(
        "mtu-exceeds-parent",
        "mtu-exceeds-parent",
        "v-mtu-exceeds-parent",
        {"networks": {"provision_oc_net_mtu": 1500, "storage_net_mtu": 9000}},
        host="cmp1",
        key="storage_net_mtu",
        file="networks.yml",
    ),
    Case(
        "physnet-unmapped",
        "physnet-unmapped",
        "v-physnet-unmapped",
        {
            "files": {
                "neutron.yml": "---\nkolla_neutron_ml2_network_vlan_ranges:\n"
                "  - {physical_network: physnet1, range: '1000:1999'}\n"
                "  - {physical_network: physnet2, range: '3000:3099'}\n"
            }
        },
        key="kolla_neutron_ml2_network_vlan_ranges",
        file="neutron.yml",
    ),
    Case(
        "physnet-mapped-off-compute",
        "physnet-mapped-off-compute",
        "v-physnet-mapped-off-compute",
        {
            "files": {
                "inventory/host_vars/ctl1": "---\nneutron_sriov_physnet_mappings:\n"
                "  physnet1: eth1\n",
                # kayobe passes it to kolla-ansible's inventory as the sriov mixin does
                "site-sriov.yml": "---\nsriov_kolla_host_vars:\n"
                "  - neutron_sriov_physnet_mappings\n",
            }
        },
        host="ctl1",
        key="neutron_sriov_physnet_mappings",
        file="inventory/host_vars/ctl1",
    ),
    Case(
        "pci-alias-unmatched",
        "pci-alias-unmatched",
        "v-pci-alias-unmatched",
        {
            "dependencies": ["sriov"],
            "hosts": SRIOV_HOSTS,
            "files": {
                "site-sriov.yml": "---\nsriov_nova_pci_aliases:\n  - name: sriov-vf\n"
                "    vendor_id: '8086'\n    product_id: '154c'\n    device_type: type-VF\n"
            },
        },
        key="nova_pci_aliases",
        file="etc/kayobe/nova.yml",
    ),
    Case(
        "pci-filter-missing",
        "pci-filter-missing",
        "v-pci-filter-missing",
        {
            "dependencies": ["sriov"],
            "hosts": SRIOV_HOSTS,
            "files": {"site-sriov.yml": "---\nsriov_nova_scheduler_filters: []\n"},
        },
        key="nova_scheduler_enabled_filters",
        file="etc/kayobe/nova.yml",
    ),
    Case(
        "blazar-filter-missing",
        "blazar-filter-missing",
        "v-blazar-filter-missing",
        {
            "dependencies": ["blazar"],
            "files": {"site-blazar.yml": "---\nblazar_nova_scheduler_filters: []\n"},
        },
        key="nova_scheduler_enabled_filters",
        file="etc/kayobe/nova.yml",
    ),
    Case(
        "blazar-host-not-compute",
        "blazar-host-not-compute",
        "v-blazar-host-not-compute",
        {
            "dependencies": ["blazar"],
            "hosts": {"controllers": ["ctl1"], "compute": ["cmp1"], "reservable": ["ctl1"]},
        },
        host="ctl1",
        key="reservable",
        file="inventory/hosts",
    ),
    Case(
        "magnum-keystone-not-public",
        "magnum-keystone-not-public",
        "v-magnum-keystone-not-public",
        {
            "dependencies": ["magnum"],
            "files": {
                "site-magnum.yml": "---\nmagnum_capi_helm_app_cred_interface: internal\n",
                **KUBECONFIG,
            },
        },
        key="magnum_capi_helm_app_cred_interface",
        file="site-magnum.yml",
    ),
    Case(
        "variable-unread",
        "variable-unread",
        "v-variable-unread",
        _file("kolla_enable_prometeus: true\n"),
        key="kolla_enable_prometeus",
        file="broken.yml",
        says="nothing reads it",
    ),
    Case(
        "magnum-kubeconfig-missing",
        "magnum-kubeconfig-missing",
        "v-magnum-kubeconfig-missing",
        {"dependencies": ["magnum"]},
        key="kolla_enable_magnum",
        file="../magnum/magnum.yml",
    ),
    Case(
        "magnum-template-invalid",
        "magnum-template-invalid",
        "v-magnum-template-invalid",
        {
            "dependencies": ["magnum"],
            "files": {
                "site-magnum.yml": "---\nmagnum_cluster_templates:\n"
                "  - name: kubernetes-hpc\n    image: ubuntu-noble-kube-v1.33\n"
                "    flavor: baremetal.hpc\n    extra_networks: provider-10g\n",
                **KUBECONFIG,
            },
        },
        key="magnum_cluster_templates",
        file="site-magnum.yml",
    ),
    Case(
        "image-pin-unknown",
        "image-pin-unknown",
        "v-image-pin-unknown",
        {
            "files": {
                "pins.yml": "---\nkolla_image_tags:\n  openstack: 2026.2-rocky-10\n"
                "  keystone: 2026.2-rocky-10-1\n"
            }
        },
        key="kolla_image_tags.keystone",
        file="pins.yml",
    ),
    Case(
        "ironic-networks-missing",
        "ironic-networks-missing",
        "v-ironic-networks-missing",
        {"dependencies": ["ironic"], "networks": {"provision_wl_net_cidr": None}},
        key="provision_wl_net_cidr",
        file="networks.yml",
    ),
    Case(
        "baremetal-no-bmc",
        "baremetal-no-bmc",
        "v-baremetal-no-bmc",
        {"hosts": {"controllers": ["ctl1"], "compute": ["cmp1"], "baremetal-compute": ["bm1"]}},
        host="bm1",
        key="redfish_address",
        file="inventory/hosts",
    ),
    Case(
        "baremetal-no-bmc:bifrost",
        "baremetal-no-bmc",
        "v-baremetal-no-bmc-bifrost",
        {
            "hosts": {
                "seed": ["seed1"],
                "controllers": ["ctl1 ipmi_address=10.10.0.11"],
                "compute": ["cmp1"],
            },
            "allocations": {
                "provision_oc_net_ips": {
                    "seed1": "10.10.2.5",
                    "ctl1": "10.10.2.11",
                    "cmp1": "10.10.2.21",
                },
                "oob_net_ips": {"seed1": "10.10.0.5"},
            },
            "files": {"inventory/host_vars/seed1": "---\noob_net_interface: eth0.100\n"},
        },
        host="cmp1",
        key="ipmi_address",
        file="inventory/hosts",
    ),
    Case(
        "baremetal-host-managed",
        "baremetal-host-managed",
        "v-baremetal-host-managed",
        {
            "hosts": {
                "controllers": ["ctl1"],
                "compute": ["cmp1"],
                "baremetal-compute": ["bm1 redfish_address=10.10.1.50", "ctl1"],
            },
            "files": {"inventory/host_vars/ctl1": "---\nredfish_address: 10.10.1.11\n"},
        },
        host="ctl1",
        key="baremetal-compute",
        file="inventory/hosts",
    ),
]

# Environments a case needs besides its own.
SUPPORT: dict[str, dict[str, Any]] = {"v-cycle-b": {"dependencies": ["v-cycle-a"]}}


def build_case_environments(repo: Path, cases: list[Case]) -> None:
    for name, spec in {**CLEAN, **SUPPORT}.items():
        add_env(repo, name, **spec)
    for case in cases:
        add_env(repo, case.env, **case.spec)
