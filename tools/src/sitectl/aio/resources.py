"""Step 6: the test resources of the all-in-one cloud, from ci/aio/resources.yml.

Through the `openstack` CLI (the first on PATH, else the venv's), against a cloud of
clouds.yaml (kolla-ansible's post-deploy writes /etc/kolla/clouds.yaml with `kolla-admin`).
Idempotent: each resource is looked up by name first (`openstack X show NAME`) and created only
when missing, so a rerun after a failure in the middle finishes the job.
"""

import shutil
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from sitectl.errors import SiteError
from sitectl.repo import venv_bin

DEFAULT = Path("ci", "aio", "resources.yml")
DEFAULT_CLOUDS_YAML = Path("/etc/kolla/clouds.yaml")
STEP = "resources"


def load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as e:
        raise SiteError(f"cannot read the test resources {path}: {e}") from None
    if not isinstance(data, dict):
        raise SiteError(f"{path}: expected a mapping (image, flavors, networks, routers).")
    return data


def check(data: dict[str, Any], variables: dict[str, Any], where: str) -> list[str]:
    """What in the resources does not fit the environment (one host's resolved kayobe
    variables): provider networks on a physnet no kayobe network has, an external subnet
    that is not that network's CIDR, a gateway outside it, or an allocation pool outside the
    range kayobe leaves to neutron. `where` names the file in the messages."""
    import ipaddress

    networks = {
        key.removesuffix("_physical_network"): value
        for key, value in variables.items()
        if key.endswith("_physical_network") and isinstance(value, str)
    }
    problems: list[str] = []
    for index, network in enumerate(data.get("networks") or []):
        key = f"{where}: networks[{index}] ({network.get('name')})"
        physnet = (network.get("provider") or {}).get("physical_network")
        if physnet is None:
            continue
        on = [name for name, value in networks.items() if value == physnet]
        if not on:
            known = ", ".join(sorted(set(networks.values()))) or "none"
            problems.append(
                f"{key}: physical_network {physnet} is not a physnet of any kayobe "
                f"network (the environment has: {known})"
            )
            continue
        subnet = network.get("subnet") or {}
        cidrs = {name: variables.get(f"{name}_cidr") for name in on}
        if subnet.get("cidr") not in cidrs.values():
            problems.append(
                f"{key}: subnet cidr {subnet.get('cidr')} is not the CIDR of "
                f"{', '.join(on)} ({', '.join(map(str, cidrs.values()))})"
            )
            continue
        name = next(n for n, c in cidrs.items() if c == subnet["cidr"])
        cidr = ipaddress.ip_network(subnet["cidr"])
        if "gateway" in subnet and ipaddress.ip_address(subnet["gateway"]) not in cidr:
            problems.append(f"{key}: gateway {subnet['gateway']} is outside {cidr}")
        pool = subnet.get("allocation_pool")
        start = variables.get(f"{name}_neutron_allocation_pool_start")
        end = variables.get(f"{name}_neutron_allocation_pool_end")
        if pool and start and end:
            low, high = (ipaddress.ip_address(a) for a in pool.split("-"))
            if low < ipaddress.ip_address(start) or high > ipaddress.ip_address(end):
                problems.append(
                    f"{key}: allocation_pool {pool} is outside the range kayobe "
                    f"leaves to neutron on {name} ({start}-{end})"
                )
    return problems


def _openstack() -> str:
    found = shutil.which("openstack")
    if found:
        return found
    return str(venv_bin() / "openstack")


def _exists(runner: Any, kind: str, name: str) -> bool:
    """Whether `openstack KIND show NAME` finds it (its failure is the answer, not an error)."""
    try:
        runner.command(
            STEP, [*_base(runner), *kind.split(), "show", name, "-f", "value", "-c", "id"]
        )
    except SiteError:
        return False
    return True


def _base(runner: Any) -> list[str]:
    return [_openstack(), "--os-cloud", runner.options.cloud]


def _ensure(runner: Any, kind: str, name: str, create_args: list[str]) -> None:
    if not _exists(runner, kind, name):
        runner.command(STEP, [*_base(runner), *kind.split(), "create", *create_args, name])


def _image_file(runner: Any, image: dict[str, Any]) -> Path:
    path = Path(image["file"])
    if not path.is_absolute():
        path = runner.repo / path
    if path.exists():
        return path
    url = image.get("url")
    if not url:
        raise SiteError(f"image file {path} does not exist and resources.yml gives no url.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, partial.open("wb") as out:
            shutil.copyfileobj(response, out)
    except OSError as e:
        partial.unlink(missing_ok=True)
        raise SiteError(f"cannot download the test image {url}: {e}") from None
    partial.rename(path)
    return path


def create(runner: Any) -> None:
    options = runner.options
    data = load(options.resources or runner.repo / DEFAULT)
    clouds_yaml = options.clouds_yaml or DEFAULT_CLOUDS_YAML
    # openstack finds the cloud by name in OS_CLIENT_CONFIG_FILE; Runner drops OS_* of the shell.
    original = runner.environment

    def environment(scratch: Path) -> dict[str, str]:
        env = original(scratch)
        env["OS_CLIENT_CONFIG_FILE"] = str(clouds_yaml)
        return env

    runner.environment = environment
    try:
        _create(runner, data)
    finally:
        runner.environment = original


def _create(runner: Any, data: dict[str, Any]) -> None:
    image = data.get("image")
    if image and not _exists(runner, "image", image["name"]):
        path = _image_file(runner, image)
        args = ["--disk-format", image.get("disk_format", "qcow2")]
        args += ["--container-format", image.get("container_format", "bare")]
        args += ["--file", str(path), "--public"]
        runner.command(STEP, [*_base(runner), "image", "create", *args, image["name"]])
    for flavor in data.get("flavors", []):
        args = ["--ram", str(flavor["ram"]), "--disk", str(flavor["disk"])]
        args += ["--vcpus", str(flavor["vcpus"]), "--public"]
        _ensure(runner, "flavor", flavor["name"], args)
    for network in data.get("networks", []):
        args = []
        if network.get("external"):
            args.append("--external")
        provider = network.get("provider", {})
        if "network_type" in provider:
            args += ["--provider-network-type", provider["network_type"]]
        if "physical_network" in provider:
            args += ["--provider-physical-network", provider["physical_network"]]
        if network.get("shared"):
            args.append("--share")
        _ensure(runner, "network", network["name"], args)
        subnet = network.get("subnet")
        if subnet:
            args = ["--network", network["name"], "--subnet-range", subnet["cidr"]]
            if "gateway" in subnet:
                args += ["--gateway", subnet["gateway"]]
            if "allocation_pool" in subnet:
                start, end = subnet["allocation_pool"].split("-")
                args += ["--allocation-pool", f"start={start},end={end}"]
            args.append("--dhcp" if subnet.get("dhcp", True) else "--no-dhcp")
            _ensure(runner, "subnet", subnet["name"], args)
    for router in data.get("routers", []):
        name = router["name"]
        _ensure(runner, "router", name, [])
        if router.get("external_network"):  # setting the same gateway again changes nothing
            gateway = ["router", "set", "--external-gateway", router["external_network"], name]
            runner.command(STEP, [*_base(runner), *gateway])
        for subnet in router.get("subnets", []):
            ports = [*_base(runner), "port", "list", "--router", name]
            ports += ["--fixed-ip", f"subnet={subnet}", "-f", "value", "-c", "ID"]
            if not runner.command(STEP, ports).strip():
                runner.command(STEP, [*_base(runner), "router", "add", "subnet", name, subnet])
