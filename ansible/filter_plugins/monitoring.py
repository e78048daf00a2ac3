"""Filters of the monitoring mixin (environments/monitoring): the BMCs Prometheus scrapes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def monitoring_bmc_targets(hosts: Iterable[str], hostvars: Mapping[str, Any]) -> list[dict]:
    """[{host, address}] of every host with a BMC: its redfish_address (bare-metal nodes), else
    its ipmi_address (overcloud hosts), in host order; hosts without either are skipped."""
    targets = []
    for host in sorted(set(hosts)):
        variables = hostvars[host]
        address = variables.get("redfish_address") or variables.get("ipmi_address")
        if address:
            targets.append({"host": host, "address": str(address)})
    return targets


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"monitoring_bmc_targets": monitoring_bmc_targets}
