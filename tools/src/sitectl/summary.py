"""A site at a glance: each host's groups, and its interface and address on each network.

Made from the per-host variables of `kayobe configuration dump`, so it shows what kayobe will
really configure, after every layer of the environment is applied.
"""

from typing import Any

from sitectl.site import is_control_host

# Groups kayobe or kolla add to every host of a kind; they say nothing about the site.
IMPLIED_GROUPS = frozenset({"container-engine", "ntp", "overcloud", "network", "iommu"})


def host_groups(hostvars: dict[str, Any]) -> list[str]:
    return [g for g in hostvars.get("group_names", []) if g not in IMPLIED_GROUPS]


def network_rows(name: str, hostvars: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(network, interface, address) for each network the host's groups attach it to."""
    rows = []
    for net in hostvars.get("network_interfaces") or []:
        interface = hostvars.get(f"{net}_interface") or "(none)"
        address = (hostvars.get(f"{net}_ips") or {}).get(name)
        if not address:
            address = "-" if not hostvars.get(f"{net}_cidr") else "(none)"
        rows.append((net, str(interface), str(address)))
    return rows


def bmc_address(hostvars: dict[str, Any]) -> str | None:
    info = hostvars.get("ironic_driver_info") or {}
    return (
        hostvars.get("redfish_address")
        or hostvars.get("ipmi_address")
        or info.get("redfish_address")
    )


def summarise(env: str | None, layering: list[str], hosts: dict[str, dict[str, Any]]) -> str:
    layers = " -> ".join(["etc/kayobe", *layering])
    name = env if env is not None else "the base configuration"
    control = [host for host in sorted(hosts) if is_control_host(host, hosts[host])]
    and_control = f" and the control host {', '.join(control)}" if control else ""
    lines = [f"{name}: {len(hosts) - len(control)} hosts{and_control}; layers: {layers}"]
    for name in sorted(hosts):
        hostvars = hosts[name]
        lines += ["", f"{name}  [{', '.join(host_groups(hostvars))}]"]
        lines += _host_lines(name, hostvars, name in control)
    return "\n".join(lines) + "\n"


def _host_lines(name: str, hostvars: dict[str, Any], control: bool) -> list[str]:
    """What the summary says of a host below its name."""
    if control:
        return ["  the control host: kayobe and kolla-ansible run here (not deployed by them)"]
    rows = network_rows(name, hostvars)
    if not rows:
        return [f"  not managed by kayobe; BMC {bmc_address(hostvars) or '(none!)'}"]
    width = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"  {n:<{width[0]}}  {i:<{width[1]}}  {a}" for n, i, a in rows]
    return [*lines, f"  reached at {hostvars.get('ansible_host') or '(no address!)'}"]
