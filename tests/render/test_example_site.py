"""example-site's per-host PCI settings reach nova-compute and the controllers as intended."""

from __future__ import annotations

import configparser
import json
import re
from pathlib import Path

import pytest

from .plaintexts import leaks

pytestmark = pytest.mark.slow


def pci_section(path: Path) -> list[tuple[str, str]]:
    """The [pci] options of a nova.conf, in order (an option may repeat: `alias`)."""
    lines, inside = [], False
    for line in path.read_text().splitlines():
        if line.startswith("["):
            inside = line.strip() == "[pci]"
        elif inside and "=" in line:
            key, value = line.split("=", 1)
            lines.append((key.strip(), value.strip()))
    return lines


def device_specs(render_dir: Path, host: str) -> list[dict[str, str]]:
    specs = [
        v
        for k, v in pci_section(render_dir / "config" / host / "nova-compute" / "nova.conf")
        if k == "device_spec"
    ]
    assert len(specs) == 1, specs
    return json.loads(specs[0])


def test_hosts(example_site: Path) -> None:
    meta = json.loads((example_site / "render.json").read_text())
    assert meta["services"] == ["nova"]
    assert {"ctl01", "cmp01", "cmp03", "stor01", "bm01", "seed01"} <= set(meta["hosts"])
    rendered = {p.name for p in (example_site / "config").iterdir()}
    assert {"ctl01", "ctl02", "ctl03", "cmp01", "cmp02", "cmp03", "cmp04"} <= rendered
    assert not {"stor01", "seed01", "bm01"} & rendered  # no nova there


def test_sriov_hypervisors_offer_their_virtual_functions(example_site: Path) -> None:
    for host, device in (("cmp01", "ens2f0"), ("cmp02", "ens3f0")):
        assert device_specs(example_site, host) == [
            {
                "devname": device,
                "vendor_id": "8086",
                "product_id": "1889",
                "physical_network": "physnet-sriov",
            }
        ]


def test_infiniband_hypervisors_offer_their_virtual_functions(example_site: Path) -> None:
    for host in ("cmp03", "cmp04"):
        # product 101e: the site's ConnectX-7 overrides the mixin's 101c.
        assert device_specs(example_site, host) == [
            {"vendor_id": "15b3", "product_id": "101e", "physical_network": "physnet-ib"}
        ]


def test_controllers_have_aliases_and_the_pci_filter_but_no_device_spec(
    example_site: Path,
) -> None:
    for service in ("nova-api", "nova-scheduler"):
        path = example_site / "config" / "ctl01" / service / "nova.conf"
        pci = pci_section(path)
        aliases = [json.loads(v) for k, v in pci if k == "alias"]
        assert {a["name"] for a in aliases} == {"ib-vf", "sriov-vf"}  # both lines kept
        assert not [k for k, _ in pci if k == "device_spec"]
    scheduler = configparser.ConfigParser(strict=False, interpolation=None)
    scheduler.read_string(
        re.sub(
            r"(?m)^alias = .*\n",
            "",
            (example_site / "config" / "ctl01" / "nova-scheduler" / "nova.conf").read_text(),
        )
    )
    assert "PciPassthroughFilter" in scheduler["filter_scheduler"]["enabled_filters"].split(",")


def test_the_scheduler_honours_blazar_leases_and_preemptibles(example_site: Path) -> None:
    """The blazar mixin: BlazarFilter after the site's filters (kolla-ansible's own list is
    replaced by the site's), blazar-nova's settings, and kolla's available_filters kept."""
    text = (example_site / "config" / "ctl01" / "nova-scheduler" / "nova.conf").read_text()
    scheduler = configparser.ConfigParser(strict=False, interpolation=None)
    scheduler.read_string(re.sub(r"(?m)^(alias|available_filters) = .*\n", "", text))
    filters = scheduler["filter_scheduler"]["enabled_filters"].split(",")
    assert filters[-1] == "BlazarFilter" and "PciPassthroughFilter" in filters
    blazar = scheduler["blazar:physical:host"]
    assert (blazar["aggregate_freepool_name"], blazar["preemptible_aggregate"]) == (
        "freepool",
        "freepool",
    )
    assert blazar["allow_preemptibles"] == "True"
    assert "available_filters = blazarnova.scheduler.filters.blazar_filter.BlazarFilter" in text


def test_no_secret_in_any_file(example_site: Path, secrets: set[str]) -> None:
    assert leaks(example_site, secrets) == []
