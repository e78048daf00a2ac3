"""Stand-ins of the render harness: what answers kolla-ansible where it would call a live cloud.

This directory is handed to Ansible as an action plugin path (ANSIBLE_ACTION_PLUGINS) for
renders only; an action plugin named like a module takes over that module's tasks.

kolla_toolbox.py  answers exactly one call, nova-cell's "List all hypervisors"
                  (openstack.cloud.resources, compute/hypervisor), with "no hypervisors":
                  kolla's first-deploy path, where each compute host's compute_id is derived
                  from its name. Any other use of kolla_toolbox fails the render loudly.
"""

from pathlib import Path

DIRECTORY = Path(__file__).parent
MARKER = "sitectl-render-stand-in"
