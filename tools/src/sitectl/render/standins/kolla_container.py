"""Render stand-in for kolla-ansible's `kolla_container` module (see standins/__init__.py).

Configuration generation must not touch containers, yet kolla-ansible 23 notifies a container
restart handler straight from two config tasks (prometheus-node-exporters' config.json, and
neutron's OVN VPN agent), so `genconfig` on a real host restarts those containers, and in a
render the handler would run the container engine of the machine rendering. This stand-in
answers exactly those restarts, doing nothing (a restart changes no configuration file), and
refuses every other container action loudly.
"""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase

MARKER = "sitectl-render-stand-in"
RESTARTS = frozenset({"recreate_or_restart_container", "restart_container"})


def answer(args: dict[str, Any]) -> dict[str, Any]:
    """The stand-in's whole behaviour, as a function of the task's arguments."""
    action = args.get("action")
    name = args.get("name")
    if action in RESTARTS:
        return {
            "changed": False,
            "msg": f"{MARKER}: container {name} not restarted (a render touches no container)",
        }
    return {
        "failed": True,
        "msg": (
            f"{MARKER}: kolla_container {action} ({name}) would act on a container engine, "
            "which the render harness does not answer; only the restarts that kolla-ansible's "
            "handlers request during configuration generation are stood in for "
            "(tools/src/sitectl/render/standins/kolla_container.py)."
        ),
    }


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: Any = None, task_vars: Any = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        result.update(answer(dict(self._task.args)))
        return result
