"""Render stand-in for kolla-ansible's `kolla_toolbox` module (see standins/__init__.py).

kolla_toolbox runs an Ansible module inside the kolla_toolbox container of a live host. In a
render there is no host and no cloud: this action plugin answers nova-cell's one lookup during
configuration generation (List all hypervisors) with an empty list, and refuses everything
else, naming the call, so that a new live lookup in kolla-ansible is noticed rather than
answered wrongly.
"""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase

MARKER = "sitectl-render-stand-in"  # the harness recognises its refusals by this


def answer(args: dict[str, Any]) -> dict[str, Any]:
    """The stand-in's whole behaviour, as a function of the task's arguments."""
    module = args.get("module_name")
    module_args = args.get("module_args") or {}
    if (
        module == "openstack.cloud.resources"
        and isinstance(module_args, dict)
        and module_args.get("service") == "compute"
        and module_args.get("type") == "hypervisor"
    ):
        return {"changed": False, "resources": []}
    wanted = (
        ", ".join(
            f"{key}={module_args[key]}"
            for key in sorted(module_args)
            if key in ("service", "type", "name", "state")
        )
        if isinstance(module_args, dict)
        else ""
    )
    return {
        "failed": True,
        "msg": (
            f"{MARKER}: kolla_toolbox {module} ({wanted or 'no recognised arguments'}) is a "
            "live call to a host or cloud that the render harness does not answer; only "
            "nova-cell's 'List all hypervisors' is stood in for "
            "(tools/src/sitectl/render/standins/kolla_toolbox.py)."
        ),
    }


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: Any = None, task_vars: Any = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        result.update(answer(dict(self._task.args)))
        return result
