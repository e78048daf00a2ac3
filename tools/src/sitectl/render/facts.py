"""Ansible facts for every host of a render, synthesised from the environment's configuration.

A render never contacts a host, yet kolla-ansible's templates read facts. So the render
pre-fills Ansible's fact cache (the jsonfile plugin, written through Ansible's own cache API so
that the on-disk format is always the installed ansible-core's) and runs with
`gathering = smart`: a host whose cached facts say they were gathered is never gathered, so
neither kayobe nor kolla-ansible runs `setup` anywhere, not even on localhost, and nothing of
this machine leaks into the output.

The facts, and who reads them:
  hostname, nodename, fqdn   the inventory name. kolla: service `host =` options, RabbitMQ
                             node names, the nova-compute hypervisor name (compute_id)...
  ansible_<interface>        one per interface the host's kayobe networks name
                             (`<net>_interface`), with `ipv4` {address, netmask, network,
                             broadcast} from `<net>_ips`/`<net>_cidr`, `mtu` from `<net>_mtu`,
                             `active`. kolla's `kolla_address` filter resolves
                             api/storage/tunnel/... addresses through them. Bridge ports and bond
                             slaves are present too (no address). Names as kolla looks them up:
                             `-` becomes `_`.
  interfaces                 the list of those interface names (kolla prechecks).
  default_ipv4, all_ipv4_addresses
                             the first addressed network's address / all of them.
  os_family, distribution, distribution_major_version, distribution_version,
  distribution_release       from kayobe's os_distribution/os_release (rocky 10 → RedHat,
                             Rocky, 10). kolla: package/paths per distribution, prechecks.
  architecture               x86_64 (kolla: image names via kolla_base_arch, libvirt CPU mode).
  processor_vcpus            16: kolla sizes worker counts as min(vcpus, 5) / min(vcpus, 3),
                             so any real server gives kolla's caps, as here.
  memtotal_mb                65536 (MariaDB's buffer pool when sized dynamically).
  python                     /usr/bin/python3, the target's interpreter (kolla's baremetal
                             group reads it; the render pins the real interpreter by -e).
  service_mgr                systemd.
  user_id, user_uid, user_gid
                             on localhost the real user running the render (kayobe creates
                             kolla's configuration directories with them as owner); root (0)
                             on the hosts. No template prints them.
  env                        on localhost: HOME and PWD of the run (kayobe's defaults read them).
"""

import ipaddress
import os
import pwd
import threading
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ARCHITECTURE = "x86_64"
PROCESSOR_VCPUS = 16
MEMTOTAL_MB = 65536
PYTHON = "/usr/bin/python3"

# os_distribution → (os_family, distribution); release names by (distribution, major version).
DISTRIBUTIONS = {
    "rocky": ("RedHat", "Rocky"),
    "centos": ("RedHat", "CentOS"),
    "rhel": ("RedHat", "RedHat"),
    "ubuntu": ("Debian", "Ubuntu"),
    "debian": ("Debian", "Debian"),
}
RELEASE_NAMES = {
    ("Rocky", "9"): "Blue Onyx",
    ("Rocky", "10"): "Red Quartz",
    ("CentOS", "9"): "Stream",
    ("CentOS", "10"): "Coughlan",
    ("Ubuntu", "22"): "jammy",
    ("Ubuntu", "24"): "noble",
    ("Debian", "12"): "bookworm",
    ("Debian", "13"): "trixie",
}


def host_facts(host: str, hostvars: Mapping[str, Any]) -> dict[str, Any]:
    """The facts of one inventory host, from its resolved kayobe variables."""
    facts = _os_facts(hostvars)
    facts.update(
        hostname=host,
        nodename=host,
        fqdn=host,
        domain="",
        architecture=ARCHITECTURE,
        processor_vcpus=PROCESSOR_VCPUS,
        processor_count=1,
        processor_cores=PROCESSOR_VCPUS,
        memtotal_mb=MEMTOTAL_MB,
        python={"executable": PYTHON, "version": {"major": 3, "minor": 12}},
        service_mgr="systemd",
        system="Linux",
        user_id="root",
        user_uid=0,
        user_gid=0,
    )
    interfaces: dict[str, dict[str, Any]] = {}
    addresses: list[dict[str, str]] = []
    for network in hostvars.get("network_interfaces") or []:
        interface = hostvars.get(f"{network}_interface")
        if not isinstance(interface, str) or not interface:
            continue
        entry = interfaces.setdefault(interface, _interface(interface))
        mtu = hostvars.get(f"{network}_mtu")
        if isinstance(mtu, int) or (isinstance(mtu, str) and mtu.isdigit()):
            entry["mtu"] = int(mtu)
        ipv4 = _ipv4(host, network, hostvars)
        if ipv4 is not None and "ipv4" not in entry:
            entry["ipv4"] = ipv4
            addresses.append({**ipv4, "interface": interface})
        for key in (f"{network}_bridge_ports", f"{network}_bond_slaves"):
            for port in hostvars.get(key) or []:
                if isinstance(port, str) and port:
                    interfaces.setdefault(port, _interface(port))
    facts["interfaces"] = list(interfaces)
    for name, entry in interfaces.items():
        facts[name.replace("-", "_")] = entry
    facts["all_ipv4_addresses"] = [a["address"] for a in addresses]
    facts["default_ipv4"] = addresses[0] if addresses else {}
    return facts


def localhost_facts(hostvars: Mapping[str, Any], home: Path, cwd: Path) -> dict[str, Any]:
    """The control host: the same distribution as the hosts, the real user (file ownership)."""
    facts = _os_facts(hostvars)
    user = pwd.getpwuid(os.getuid()).pw_name
    facts.update(
        hostname="localhost",
        nodename="localhost",
        fqdn="localhost",
        domain="",
        architecture=ARCHITECTURE,
        processor_vcpus=PROCESSOR_VCPUS,
        memtotal_mb=MEMTOTAL_MB,
        python={"executable": PYTHON, "version": {"major": 3, "minor": 12}},
        service_mgr="systemd",
        system="Linux",
        user_id=user,
        user_uid=os.getuid(),
        user_gid=os.getgid(),
        env={"HOME": str(home), "PWD": str(cwd), "USER": user},
        interfaces=["lo"],
        lo={"device": "lo", "active": True, "mtu": 65536},
        all_ipv4_addresses=[],
        default_ipv4={},
    )
    return facts


# Ansible's plugin loader is not thread-safe: a diff renders base and head in two threads, and
# one could get the jsonfile module while the other was still importing it.
_PLUGIN_LOADER = threading.Lock()


def write_fact_cache(directory: Path, facts_by_host: Mapping[str, Mapping[str, Any]]) -> None:
    """Store facts as Ansible's jsonfile cache plugin reads them (through its own API)."""
    from ansible.plugins.loader import cache_loader, init_plugin_loader

    with _PLUGIN_LOADER, warnings.catch_warnings():  # initialised before: harmless
        warnings.filterwarnings("ignore", "AnsibleCollectionFinder has already been configured")
        init_plugin_loader()
        cache = cache_loader.get("ansible.builtin.jsonfile", _uri=str(directory))
    if cache is None:
        raise RuntimeError("Ansible's jsonfile cache plugin is not available")
    for host, facts in facts_by_host.items():
        entry = {f"ansible_{name}": value for name, value in facts.items()}
        # What `setup` adds: with gathering=smart, this host is never gathered.
        entry["_ansible_facts_gathered"] = True
        entry["module_setup"] = True
        cache.set(host, entry)


def _os_facts(hostvars: Mapping[str, Any]) -> dict[str, Any]:
    name = str(hostvars.get("os_distribution") or "rocky").lower()
    release = str(hostvars.get("os_release") or "")
    family, distribution = DISTRIBUTIONS.get(name, ("RedHat", name.capitalize()))
    major = release.split(".")[0]
    return {
        "os_family": family,
        "distribution": distribution,
        "distribution_major_version": major,
        "distribution_version": release,
        "distribution_release": RELEASE_NAMES.get((distribution, major), ""),
    }


def _interface(name: str) -> dict[str, Any]:
    return {"device": name, "active": True, "mtu": 1500, "type": "ether"}


def _ipv4(host: str, network: str, hostvars: Mapping[str, Any]) -> dict[str, str] | None:
    ips = hostvars.get(f"{network}_ips")
    cidr = hostvars.get(f"{network}_cidr")
    address = ips.get(host) if isinstance(ips, dict) else None
    if not address or not cidr:
        return None
    try:
        net = ipaddress.ip_network(str(cidr), strict=False)
        ipaddress.ip_address(str(address))
    except ValueError:
        return None
    if net.version != 4:
        return None
    return {
        "address": str(address),
        "netmask": str(net.netmask),
        "network": str(net.network_address),
        "broadcast": str(net.broadcast_address),
        "prefix": str(net.prefixlen),
    }
