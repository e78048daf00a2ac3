"""Synthetic render directories (the layout sitectl.render writes) for the diff's tests."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from sitectl import render_layout as layout

# Secret tokens as the render writes them: the same value, the same token.
TOKEN_DB = "<redacted:1a2b3c4d>"
TOKEN_DB_NEW = "<redacted:5e6f7a8b>"
TOKEN_RABBIT = "<redacted:99aa88bb>"

NOVA_CONF = """\
[DEFAULT]
debug = False
transport_url = rabbit://openstack:{rabbit}@10.0.0.{ip}:5672//
my_ip = 10.0.0.{ip}

[database]
connection = mysql+pymysql://nova:{db}@10.0.0.100/nova

[filter_scheduler]
enabled_filters = ComputeFilter,ImagePropertiesFilter
"""

INVENTORY = """\
[controllers]
ctl01
ctl02
ctl03

[compute]
cmp01
cmp02

[compute-sriov]
cmp02

[control:children]
controllers

[nova-api:children]
control

[nova-compute:children]
compute
"""


class Site:
    """A site's render as data; write() lays it out, copy() makes the other side."""

    def __init__(self, env: str = "example-site") -> None:
        self.env = env
        self.groups: dict[str, list[str]] = {
            "controllers": ["ctl01", "ctl02", "ctl03"],
            "compute": ["cmp01", "cmp02"],
            "compute-sriov": ["cmp02"],
        }
        self.inventory = INVENTORY
        self.globals: dict[str, Any] = {
            "kolla_base_distro": "rocky",
            "enable_cinder": "yes",
            "keystone_admin_password": TOKEN_DB,
        }
        self.kayobe: dict[str, dict[str, Any]] = {}
        self.configs: dict[str, dict[str, dict[str, str]]] = {}
        self.services: str | list[str] = "all"
        # kolla/inventory/overcloud: a directory (hosts, host_vars/, group_vars/) as kayobe
        # writes it, or a single INI file.
        self.inventory_as_dir = True
        self.host_vars: dict[str, dict[str, Any]] = {
            host: {"api_interface": "eth1"} for host in self.hosts
        }
        self.group_vars: dict[str, dict[str, Any]] = {"compute": {"nova_compute_virt_type": "kvm"}}
        for index, host in enumerate(self.hosts, start=1):
            self.kayobe[host] = {
                "group_names": sorted(g for g, hs in self.groups.items() if host in hs),
                "inventory_hostname": host,
                "internal_net_name": "internal",
                "internal_net_interface": "eth1",
                "internal_net_ips": {h: f"10.0.0.{i}" for i, h in enumerate(self.hosts, 1)},
                "database_password": TOKEN_DB,
                "kayobe_config_path": "/tmp/render-base/etc/kayobe",
                "ntp_servers": ["ntp1.example.org"],
            }
            containers: dict[str, dict[str, str]] = {}
            nova = NOVA_CONF.format(db=TOKEN_DB, rabbit=TOKEN_RABBIT, ip=index)
            if host.startswith("ctl"):
                for container in ("nova-api", "nova-scheduler"):
                    containers[container] = {"nova.conf": nova, "config.json": _config_json()}
                containers["keystone"] = {
                    "keystone.conf": "[DEFAULT]\ndebug = False\n",
                    "fernet-keys/0": "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo=\n",
                }
            else:
                containers["nova-compute"] = {"nova.conf": nova, "config.json": _config_json()}
            self.configs[host] = containers

    @property
    def hosts(self) -> list[str]:
        return sorted({h for hs in self.groups.values() for h in hs})

    def copy(self) -> Site:
        return copy.deepcopy(self)

    def add_host(self, host: str, groups: Iterable[str], like: str) -> None:
        for group in groups:
            self.groups.setdefault(group, []).append(host)
            self.inventory = self.inventory.replace(f"[{group}]\n", f"[{group}]\n{host}\n", 1)
        self.kayobe[host] = copy.deepcopy(self.kayobe[like])
        self.kayobe[host]["group_names"] = sorted(groups)
        self.kayobe[host]["inventory_hostname"] = host
        self.configs[host] = copy.deepcopy(self.configs[like])
        self.host_vars[host] = copy.deepcopy(self.host_vars.get(like, {}))

    def set_all(
        self, host_filter: str, container_prefix: str, file: str, old: str, new: str
    ) -> None:
        """Replace `old` by `new` in that file of matching containers on matching hosts."""
        for host, containers in self.configs.items():
            if not host.startswith(host_filter):
                continue
            for container, files in containers.items():
                if container.startswith(container_prefix) and file in files:
                    assert old in files[file], (host, container, file)
                    files[file] = files[file].replace(old, new)

    def write(self, root: Path) -> Path:
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        meta = {
            "format": layout.FORMAT,
            "environment": self.env,
            "ref": None,
            "commit": "working-tree",
            "input_hash": "0" * 64,
            "services": self.services,
            "hosts": self.hosts,
            "tools": {"kayobe": "21.0.0"},
        }
        layout.write_meta(root, meta)
        (root / layout.KAYOBE).mkdir()
        kayobe_root = root.name
        for host, variables in self.kayobe.items():
            variables = dict(variables)
            variables["kayobe_config_path"] = f"/tmp/{kayobe_root}/etc/kayobe"
            layout.host_variables(root, host).write_text(yaml.safe_dump(variables, sort_keys=True))
        inventory = root / layout.INVENTORY
        if self.inventory_as_dir:
            tree: dict[str, Any] = {"hosts": self.inventory}
            tree["host_vars"] = {h: yaml.safe_dump(v) for h, v in self.host_vars.items()}
            tree["group_vars"] = {g: yaml.safe_dump(v) for g, v in self.group_vars.items()}
            write_tree(inventory, tree)
        else:
            inventory.parent.mkdir(parents=True)
            inventory.write_text(self.inventory)
        (root / layout.GLOBALS).write_text(yaml.safe_dump(self.globals, sort_keys=True))
        write_tree(root / layout.CONFIG, self.configs)
        return root


def write_tree(root: Path, tree: Mapping[str, Any]) -> None:
    for name, content in tree.items():
        if isinstance(content, Mapping):
            write_tree(root / name, content)
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(content)


def _config_json() -> str:
    return json.dumps(
        {"command": "nova-api", "config_files": [{"source": "/var/lib/kolla/config_files/x"}]},
        indent=4,
    )
