"""Ansible's host order is the same on every render (render/ordering/sitecustomize.py).

The probe builds, in a fresh interpreter each time, the same inventory: five groups, each
with one child group that holds one host. Between groups it allocates a varying number of
objects, so the Group objects land at different addresses in each run, as they do between
two real renders."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from sitectl.render import harness
from sitectl.render.ordering import DIRECTORY

PROBE = textwrap.dedent(
    """
    import random, sys
    from ansible.inventory.data import InventoryData
    random.seed(int(sys.argv[1]))
    padding, inventory = [], InventoryData()
    parents = ("seed", "controllers", "compute", "storage", "network")
    for parent in parents:
        padding.append([object() for _ in range(random.randint(0, 2000))])
        inventory.add_group(parent)
    for number, parent in enumerate(parents):
        padding.append([object() for _ in range(random.randint(0, 2000))])
        inventory.add_group(parent + "_site")
        inventory.add_child(parent, parent + "_site")
        inventory.add_host("host" + str(number), parent + "_site")
    inventory.reconcile_inventory()
    print(",".join(host.name for host in inventory.groups["all"].get_hosts()))
    """
)
RUNS = range(1, 9)


def host_orders(extra_env: dict[str, str]) -> set[str]:
    env = {**os.environ, "PYTHONHASHSEED": "0", "ANSIBLE_LOCALHOST_WARNING": "False"}
    env.pop("PYTHONPATH", None)
    env.update(extra_env)
    return {
        subprocess.run(
            [sys.executable, "-c", PROBE, str(run)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        for run in RUNS
    }


def test_ansible_alone_lists_nested_hosts_in_a_varying_order() -> None:
    """Why the start-up code exists: without it the same inventory gives several orders (if a
    release of ansible-core fixes this, this test says the workaround can go)."""
    assert len(host_orders({})) > 1


def test_with_the_render_start_up_code_the_order_is_always_the_same() -> None:
    orders = host_orders({"PYTHONPATH": str(DIRECTORY)})
    assert len(orders) == 1
    assert sorted(orders.pop().split(",")) == [f"host{n}" for n in range(5)]


def test_every_render_process_gets_the_start_up_code() -> None:
    with harness.scratch_directory() as scratch:
        env = harness.environment(scratch, None)
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(DIRECTORY)
    assert env["PYTHONHASHSEED"] == "0"
