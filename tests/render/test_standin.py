"""The stand-ins answer the calls they are for and nothing else: kolla_toolbox nova-cell's
hypervisor listing, kolla_container the restarts handlers request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sitectl.render.standins import DIRECTORY, MARKER
from sitectl.render.standins.kolla_container import answer as container_answer
from sitectl.render.standins.kolla_toolbox import answer

HYPERVISORS = {
    "container_engine": "docker",
    "module_name": "openstack.cloud.resources",
    "module_args": {"auth": {}, "service": "compute", "type": "hypervisor"},
}


def test_lists_no_hypervisors() -> None:
    assert answer(HYPERVISORS) == {"changed": False, "resources": []}


def test_refuses_any_other_module() -> None:
    result = answer({"module_name": "community.mysql.mysql_db", "module_args": {"name": "nova"}})
    assert result["failed"] is True
    assert result["msg"].startswith(f"{MARKER}: kolla_toolbox community.mysql.mysql_db")
    assert "name=nova" in result["msg"]


def test_refuses_other_resources_of_the_same_module() -> None:
    for changed in ({"type": "server"}, {"service": "network"}):
        args = {**HYPERVISORS, "module_args": {**HYPERVISORS["module_args"], **changed}}
        assert answer(args)["failed"] is True
    assert answer({"module_name": "openstack.cloud.resources"})["failed"] is True


def run_ansible(tmp_path: Path, args: dict[str, object]) -> subprocess.CompletedProcess[str]:
    """The stand-in as Ansible loads it: an action plugin of that name, on a local host."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")},
        "ANSIBLE_ACTION_PLUGINS": str(DIRECTORY),
        "ANSIBLE_HOME": str(tmp_path),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
        "ANSIBLE_STDOUT_CALLBACK": "json",
    }
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible"),
            "localhost",
            "-i",
            "localhost,",
            "-c",
            "local",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            "-m",
            "kolla_toolbox",
            "-a",
            json.dumps(args),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_ansible_runs_the_stand_in(tmp_path: Path) -> None:
    ok = run_ansible(tmp_path, HYPERVISORS)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert '"resources": []' in ok.stdout
    refused = run_ansible(tmp_path, {"module_name": "file", "module_args": {"path": "/tmp/x"}})
    assert refused.returncode != 0
    assert f"{MARKER}: kolla_toolbox file" in refused.stdout


def test_container_restarts_are_answered_and_nothing_else() -> None:
    restart = container_answer({"action": "recreate_or_restart_container", "name": "x"})
    assert restart["changed"] is False
    assert "failed" not in restart
    for action in ("start_container", "remove_container", "pull_image", "compare_container"):
        refused = container_answer({"action": action, "name": "x"})
        assert refused["failed"] is True
        assert refused["msg"].startswith(f"{MARKER}: kolla_container {action}")
