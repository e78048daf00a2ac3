"""kayobe's `overcloud service configuration generate`, run in two steps that a render can
cache between. Executed by path with the toolchain's Python (it imports only kayobe):

    python kayobe_steps.py layer    KAYOBE_ARGS...  # kayobe's own layer: kolla-ansible.yml
    python kayobe_steps.py services KAYOBE_ARGS...  # kolla-openstack.yml, then genconfig

and, for a configuration without hooks around the command, `services` itself in two:

    python kayobe_steps.py custom-config KAYOBE_ARGS...  # kolla-openstack.yml only
    python kayobe_steps.py genconfig KAYOBE_ARGS...      # genconfig only (several at once,
                                                         # each with its part's tags)

The command runs, in one process: the pre hooks, kayobe's kolla-ansible.yml (kolla's
globals.yml, inventory and passwords.yml), kayobe's kolla-openstack.yml (the custom config
under kolla/config), kolla-ansible's prechecks unless skipped, `kolla-ansible genconfig`,
then the post hooks. Each playbook is its own ansible-playbook process already, so the two
steps together run exactly what the command runs, in the same order, through kayobe's own
code: `layer` stops after kolla-ansible.yml (with the pre hooks), `services` starts at
kolla-openstack.yml (and runs the post hooks).

What `layer` writes (KOLLA_CONFIG_PATH but its config/ directory) does not depend on the
site's kolla/config files, so a render may restore it from an earlier render with the same
inputs and run `services` alone. If this kayobe lacks what the split relies on, the driver
exits with UNSUPPORTED and the render runs the whole command instead.
"""

import functools
import sys
from typing import Any

COMMAND = ["overcloud", "service", "configuration", "generate"]
HOOKS = "-".join(COMMAND)  # kayobe's hooks directory for the command
STEPS = ("layer", "services", "custom-config", "genconfig")
UNSUPPORTED = 3


@functools.cache
def unsupported() -> str | None:
    """Why this kayobe cannot be run in steps (None: it can)."""
    try:
        from kayobe.cli import commands
        from kayobe.cmd.kayobe import main  # noqa: F401

        for owner, name in (
            (commands, "_build_playbook_list"),
            (commands.HookDispatcher, "run_hooks"),
            (commands.OvercloudServiceConfigurationGenerate, "generate_kolla_ansible_config"),
            (commands.OvercloudServiceConfigurationGenerate, "run_kolla_ansible_overcloud"),
        ):
            getattr(owner, name)
    except (ImportError, AttributeError) as e:
        return f"this kayobe cannot be run in steps ({e})"
    return None


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in STEPS:
        print(f"usage: kayobe_steps.py {{{'|'.join(STEPS)}}} KAYOBE_ARGS...", file=sys.stderr)
        return 2
    step, kayobe_args = argv[0], argv[1:]
    reason = unsupported()
    if reason:
        print(f"kayobe_steps: {reason}", file=sys.stderr)
        return UNSUPPORTED
    from kayobe.cli import commands
    from kayobe.cmd.kayobe import main as kayobe_main

    generate = commands.OvercloudServiceConfigurationGenerate
    playbooks = commands._build_playbook_list
    hooks = commands.HookDispatcher
    original_hooks = hooks.run_hooks
    original_config = generate.generate_kolla_ansible_config

    def run_hooks(self: Any, parsed_args: Any, target: str) -> None:
        if (step, target) in (("layer", "pre"), ("services", "post")):
            original_hooks(self, parsed_args, target)

    def generate_config(self: Any, parsed_args: Any, *args: Any, **kwargs: Any) -> None:
        if step == "layer":
            original_config(self, parsed_args, service_config=False)
        elif step in ("services", "custom-config"):
            self.run_kayobe_playbooks(
                parsed_args, playbooks("kolla-openstack"), ignore_limit=True, check=False
            )

    hooks.run_hooks = run_hooks
    generate.generate_kolla_ansible_config = generate_config
    if step in ("layer", "custom-config"):
        generate.run_kolla_ansible_overcloud = lambda self, *args, **kwargs: None
    return kayobe_main([*COMMAND, *kayobe_args]) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
