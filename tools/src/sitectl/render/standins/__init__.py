"""Stand-ins of the render harness: what answers kolla-ansible where it would call a live cloud.

This directory is handed to Ansible as an action plugin path (ANSIBLE_ACTION_PLUGINS) for
renders only; an action plugin named like a module takes over that module's tasks.

kolla_toolbox.py  answers exactly one call, nova-cell's "List all hypervisors"
                  (openstack.cloud.resources, compute/hypervisor), with "no hypervisors":
                  kolla's first-deploy path, where each compute host's compute_id is derived
                  from its name. Any other use of kolla_toolbox fails the render loudly.
kolla_container.py
                  answers the container restarts that kolla-ansible's handlers request during
                  configuration generation (a kolla-ansible 23 bug: prometheus-node-exporters
                  and neutron's OVN VPN agent notify them straight from config tasks) by doing
                  nothing; any other container action fails the render loudly.
Both refusals carry MARKER, by which the harness recognises them.
"""

from pathlib import Path

DIRECTORY = Path(__file__).parent
MARKER = "sitectl-render-stand-in"
