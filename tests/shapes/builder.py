"""Kayobe configurations shaped unlike this repository's, written from scratch by the tests.

Each shape is a complete configuration repository (git, one commit) that real kayobe loads
and real kolla-ansible renders. They differ from this repository where real sites differ:

- `flat`: no environments at all (the base etc/kayobe only, as kayobe's own development
  configuration and many production sites are); an ansible.cfg naming a removed callback; a
  value made by Ansible's password lookup in a file git does not hold; no
  kolla passwords.yml (kayobe generates it on first use); a secret encrypted inline with
  `ansible-vault encrypt_string`; kolla config overrides both as kolla/config/NAME.conf and
  per service directory; a hook playbook.
- `nested`: environments in a plain etc/kayobe/environments/ directory (no symlink, no
  top-level environments/), one depending on the other; an incomplete, vault-encrypted
  whole-file passwords.yml (kayobe completes the keys it lacks); the inventory split over
  several files; a per-service kolla override inside an environment. Its `dev` environment
  (validated, never rendered) is shaped as kayobe's own development configuration: the
  control host in the inventory (`localhost ansible_connection=local`), a kolla/globals.yml
  with Jinja blocks, and a Grafana dashboard wrapped in `{% raw %}` (kayobe templates both).

The one host of each plays every role, and only what a keystone render needs is enabled, so a
render stays cheap. Nothing here copies a public repository.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ansible.parsing.vault import VaultLib, VaultSecret

from tests.helpers import git

PASSWORD = "shapes-test-vault-password"
# A secret the flat shape keeps inline-vaulted; tests look for it in every output.
FLAT_SECRET = "flat-keystone-db-Zq81vLk"
NESTED_SECRETS = ("nested-db-root-Yt55Qa", "nested-keystone-admin-Pw73Re")


@dataclass(frozen=True)
class Shape:
    name: str
    environments: tuple[str | None, ...]  # None: the base configuration (no --environment)
    files: Mapping[str, str]
    symlinks: Mapping[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()  # the plaintexts of its vaulted values

    def build(self, root: Path) -> Path:
        """Write the configuration into `root` (created) as a one-commit git repository."""
        root.mkdir(parents=True, exist_ok=False)
        for relative, text in self.files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        for relative, target in self.symlinks.items():
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).symlink_to(target)
        git(root, "init", "-q", "-b", "main")
        commit(root, f"{self.name} configuration")
        return root


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def encrypt(plaintext: str) -> str:
    return VaultLib([("default", VaultSecret(PASSWORD.encode()))]).encrypt(plaintext).decode()


def vaulted(name: str, plaintext: str) -> str:
    """`name: !vault |` and its vault text, as `ansible-vault encrypt_string` writes it."""
    return f"{name}: !vault |\n{textwrap.indent(encrypt(plaintext), '  ')}\n"


# --- what both shapes share -------------------------------------------------------------

GLOBALS = """\
---
# Every host runs Rocky Linux 10 and OpenStack 2026.2.
os_distribution: "rocky"
os_release: "10"
openstack_release: "2026.2"
kayobe_ansible_user: "stack"
"""

GROUPS = """\
[seed]

[controllers]

[network:children]
controllers

[monitoring:children]
controllers

[storage]

[compute]

[overcloud:children]
controllers
network
monitoring
storage
compute
"""

NETWORKS = """\
---
# One network plays every role.
admin_oc_net_name: cloud_net
oob_oc_net_name: cloud_net
provision_oc_net_name: cloud_net
internal_net_name: cloud_net
public_net_name: cloud_net
external_net_names: [cloud_net]
tunnel_net_name: cloud_net
storage_net_name: cloud_net
storage_mgmt_net_name: cloud_net

cloud_net_cidr: 172.20.0.0/24
cloud_net_mtu: 1500
cloud_net_allocation_pool_start: 172.20.0.10
cloud_net_allocation_pool_end: 172.20.0.99
cloud_net_vip_address: 172.20.0.2
cloud_net_physical_network: physnet1
"""

KOLLA = """\
---
# Only the services a small test cloud needs.
kolla_enable_heat: false
kolla_enable_horizon: false
kolla_enable_cinder: false
kolla_enable_prometheus: false
kolla_enable_ovn: false
"""

IPA = """\
---
# Where the Ironic Python Agent images are downloaded from.
ipa_kernel_upstream_url: "https://images.example.invalid/ipa/2026.2/ipa.kernel"
ipa_ramdisk_upstream_url: "https://images.example.invalid/ipa/2026.2/ipa.initramfs"
"""

HOOK_PLAYBOOK = """\
---
- name: Check the hosts after host configure
  hosts: overcloud
  gather_facts: false
  tasks:
    - name: Say which host was configured
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }} is configured"
"""


def _flat() -> Shape:
    files = {
        "README.md": "A configuration with no environments.\n",
        "etc/kayobe/globals.yml": GLOBALS,
        "etc/kayobe/networks.yml": NETWORKS,
        "etc/kayobe/network-allocation.yml": "---\ncloud_net_ips:\n  node1: 172.20.0.11\n",
        "etc/kayobe/kolla.yml": KOLLA,
        "etc/kayobe/ipa.yml": IPA,
        # kayobe hands its config path's ansible.cfg to Ansible; this one names a callback
        # current Ansible removed (an old site's setting): every sitectl run must get past it.
        "etc/kayobe/ansible.cfg": "[defaults]\nstdout_callback = yaml\n",
        "etc/kayobe/inventory/groups": GROUPS,
        "etc/kayobe/inventory/hosts": "[controllers]\nnode1\n\n[compute]\nnode1\n",
        "etc/kayobe/inventory/group_vars/overcloud/interfaces": (
            "---\ncloud_net_interface: eth1\n"
        ),
        "etc/kayobe/secrets.yml": "---\n" + vaulted("flat_keystone_db_password", FLAT_SECRET),
        "etc/kayobe/kolla-passwords.yml": (
            "---\n# The site's own value for one kolla password; kayobe generates the rest.\n"
            "kolla_ansible_extra_custom_passwords:\n"
            '  keystone_database_password: "{{ flat_keystone_db_password }}"\n'
        ),
        "etc/kayobe/kolla/config/nova.conf": "[DEFAULT]\ncpu_allocation_ratio = 4.0\n",
        "etc/kayobe/kolla/config/keystone/keystone.conf": (
            "[token]\nexpiration = 7200\n\n"
            "[oslo_messaging_notifications]\ntopics = {{ flat_notification_topic }}\n"
        ),
        # Made on the deploy host by Ansible's password lookup on first use, never in git.
        "etc/kayobe/notifications.yml": (
            "---\nflat_notification_topic: \"{{ lookup('password', kayobe_config_path ~ "
            "'/notification-topic chars=ascii_lowercase length=16') }}\"\n"
        ),
        "etc/kayobe/ansible/post-configure-check.yml": HOOK_PLAYBOOK,
    }
    return Shape(
        "flat",
        (None,),
        files,
        symlinks={
            "etc/kayobe/hooks/overcloud-host-configure/post.d/10-check.yml": (
                "../../../ansible/post-configure-check.yml"
            )
        },
        secrets=(FLAT_SECRET,),
    )


# kayobe templates kolla/globals.yml before kolla-ansible reads it.
DEV_GLOBALS = """\
---
{# The site's own kolla-ansible globals. #}
{% if kolla_enable_ironic | bool %}
site_bare_metal: true
{% else %}
site_bare_metal: false
{% endif %}
site_logging_label: {{ 'ironic' if kolla_enable_ironic | bool else 'virtual' }}
"""

# Grafana's own {{...}} kept from kayobe's templating by {% raw %}.
DEV_DASHBOARD = """\
{% raw %}
{
  "uid": "dev-overview",
  "title": "Overview",
  "panels": [
    {
      "type": "timeseries",
      "datasource": "Prometheus",
      "targets": [{"expr": "up", "legendFormat": "{{instance}}"}]
    }
  ]
}
{% endraw %}
"""


def _nested() -> Shape:
    env = "etc/kayobe/environments"
    passwords = encrypt(
        "---\n"
        f"database_password: {NESTED_SECRETS[0]}\n"
        f"keystone_admin_password: {NESTED_SECRETS[1]}\n"
    )
    files = {
        "etc/kayobe/globals.yml": GLOBALS,
        "etc/kayobe/inventory/groups": GROUPS,
        f"{env}/cloud/.kayobe-environment": "---\ndependencies: []\n",
        f"{env}/cloud/networks.yml": NETWORKS,
        f"{env}/cloud/kolla.yml": KOLLA,
        f"{env}/cloud/ipa.yml": IPA,
        f"{env}/production/.kayobe-environment": "---\ndependencies:\n  - cloud\n",
        f"{env}/production/network-allocation.yml": ("---\ncloud_net_ips:\n  ctl1: 172.20.0.21\n"),
        f"{env}/production/inventory/controllers": "[controllers]\nctl1\n",
        f"{env}/production/inventory/compute": "[compute]\nctl1\n",
        f"{env}/production/inventory/group_vars/overcloud/interfaces": (
            "---\ncloud_net_interface: ens3\n"
        ),
        f"{env}/production/kolla/passwords.yml": passwords,
        f"{env}/production/kolla/config/keystone/keystone.conf": (
            "[identity]\nmax_password_length = 128\n"
        ),
        f"{env}/dev/.kayobe-environment": "---\ndependencies:\n  - cloud\n",
        f"{env}/dev/inventory/hosts": (
            "# The control host, as kayobe's own configurations list it.\n"
            "localhost ansible_connection=local\n\n[controllers]\naio1\n\n[compute]\naio1\n"
        ),
        f"{env}/dev/inventory/group_vars/overcloud/interfaces": (
            "---\ncloud_net_interface: eth0\n"
        ),
        f"{env}/dev/network-allocation.yml": "---\ncloud_net_ips:\n  aio1: 172.20.0.31\n",
        f"{env}/dev/kolla/globals.yml": DEV_GLOBALS,
        f"{env}/dev/kolla/config/grafana/dashboards/openstack/overview.json": DEV_DASHBOARD,
    }
    return Shape("nested", ("cloud", "dev", "production"), files, secrets=NESTED_SECRETS)


SHAPES: dict[str, Shape] = {shape.name: shape for shape in (_flat(), _nested())}
