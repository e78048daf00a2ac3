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

    python kayobe_steps.py dump configuration dump KAYOBE_ARGS...

runs kayobe's dump command as it is, except with a kayobe whose own dump playbook cannot work
under this ansible-core (see needs_tolerant_dump()): then it is given compat/dump-config.yml.
"""

import functools
import sys
from pathlib import Path
from typing import Any

COMMAND = ["overcloud", "service", "configuration", "generate"]
HOOKS = "-".join(COMMAND)  # kayobe's hooks directory for the command
STEPS = ("layer", "services", "custom-config", "genconfig", "dump")
DUMP = ("ansible", "dump-config.yml")  # kayobe's data files path of its dump playbook
TOLERANT_DUMP = Path(__file__).with_name("compat") / "dump-config.yml"
# What kayobe 21's dump playbook resolves each variable with (absent before it).
DUMP_FILTER = "kayobe_config_dump"
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


def needs_tolerant_dump(playbook: Path) -> bool:
    """Whether kayobe's dump playbook (`playbook`) serialises hostvars whole: before kayobe
    21 it does, and ansible-core 2.19 or later then fails at the first variable that cannot
    be resolved for a host, so sitectl's own playbook is used in its place."""
    try:
        text = playbook.read_text(encoding="utf-8")
    except OSError:
        return False
    return DUMP_FILTER not in text and _ansible_core_major_minor() >= (2, 19)


def _ansible_core_major_minor() -> tuple[int, int]:
    from ansible.release import __version__

    major, minor = __version__.split(".")[:2]
    return int(major), int(minor)


def _dump(kayobe_args: list[str]) -> int:
    from kayobe import utils
    from kayobe.cmd.kayobe import main as kayobe_main

    original = utils.get_data_files_path

    def data_files_path(*parts: str) -> str:
        if parts == DUMP and needs_tolerant_dump(Path(original(*parts))):
            return str(TOLERANT_DUMP)
        return original(*parts)

    utils.get_data_files_path = data_files_path
    return kayobe_main(kayobe_args) or 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in STEPS:
        print(f"usage: kayobe_steps.py {{{'|'.join(STEPS)}}} KAYOBE_ARGS...", file=sys.stderr)
        return 2
    step, kayobe_args = argv[0], argv[1:]
    if step == "dump":
        return _dump(kayobe_args)
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
