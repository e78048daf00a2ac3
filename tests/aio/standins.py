"""TEST-HARNESS stand-ins for `kayobe`, `openstack` and `docker`: executables put first on
PATH that record their arguments (one JSON list per line) and fail on demand. They deploy
nothing; they let the step machinery be tested without a VM."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

# Each call also records the toolchain and configuration it was given (STANDIN_LOG + ".env");
# `service configuration save --output-dir DIR` writes a configuration whose nova.conf differs
# from one save to the next, one file on the first save only, and one on later saves only.
KAYOBE = """\
import json, os, sys
from pathlib import Path
log = os.environ["STANDIN_LOG"]
with open(log, "a") as f:
    f.write(json.dumps(["kayobe", *sys.argv[1:]]) + "\\n")
with open(log + ".env", "a") as f:
    names = ("VIRTUAL_ENV", "KAYOBE_CONFIG_PATH", "KAYOBE_ENVIRONMENT")
    f.write(json.dumps({name: os.environ.get(name) for name in names}) + "\\n")
fail = os.environ.get("STANDIN_FAIL")
if fail and fail in " ".join(sys.argv[1:]):
    print('fatal: [aio]: FAILED! => {"msg": "stand-in kayobe: failing on demand"}')
    sys.exit(2)
if "save" in sys.argv and "--output-dir" in sys.argv:
    out = Path(sys.argv[sys.argv.index("--output-dir") + 1]) / "aio"
    first = not Path(log + ".saved").exists()
    Path(log + ".saved").touch()
    files = {"keystone/keystone.conf": "same", "nova/nova.conf": "first" if first else "later"}
    files["old/old.conf" if first else "new/new.conf"] = "only here"
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
print("PLAY RECAP: aio ok=1 (stand-in kayobe)")
"""

# Remembers what was created (STANDIN_LOG + ".created"); `show` finds only those.
OPENSTACK = """\
import json, os, sys
args = sys.argv[1:]
with open(os.environ["STANDIN_LOG"], "a") as f:
    f.write(json.dumps(["openstack", *args]) + "\\n")
created_file = os.environ["STANDIN_LOG"] + ".created"
created = open(created_file).read().split("\\n") if os.path.exists(created_file) else []
words = args[2:]  # after --os-cloud NAME
kind, verb = words[0], words[1]
if verb == "show":
    sys.exit(0 if f"{kind} {words[2]}" in created else 1)
if verb == "create":
    with open(created_file, "a") as f:
        f.write(f"{kind} {words[-1]}\\n")
if kind == "router" and verb == "add":
    with open(created_file, "a") as f:
        f.write(f"interface {words[3]} {words[4]}\\n")
if kind == "port" and verb == "list":
    router, subnet = words[3], words[5].split("=", 1)[1]
    if f"interface {router} {subnet}" in created:
        print("port-id")
"""

DOCKER = """\
import sys
if sys.argv[1:3] == ["ps", "-a"] and "--format" in sys.argv:
    print("keystone")
elif sys.argv[1:3] == ["ps", "-a"]:
    print("CONTAINER ID  IMAGE  NAMES")
    print("0123456789ab  kolla/keystone  keystone")
elif sys.argv[1] == "logs":
    print(f"log of {sys.argv[-1]} (stand-in docker)")
"""


def install(bin_dir: Path, *, docker: bool = True) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    scripts = {"kayobe": KAYOBE, "openstack": OPENSTACK}
    if docker:
        scripts["docker"] = DOCKER
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(f"#!{sys.executable}\n{body}")
        path.chmod(0o755)


def calls(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def kayobe_environments(log: Path) -> list[dict[str, str | None]]:
    """What each kayobe call was given (its toolchain, configuration and environment)."""
    path = log.with_name(log.name + ".env")
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def sitectl_runner(sitectl: Any, repo: Path, tmp_path: Path, verb: str) -> Any:
    """`run(*args, fail=None)`: `sitectl --repo REPO VERB ARGS` with the stand-ins first on
    PATH, failing the kayobe call whose words contain `fail`; every call recorded in
    `run.log`."""
    bin_dir = tmp_path / "bin"
    install(bin_dir)
    log = tmp_path / "calls.jsonl"

    def run(*args: object, fail: str | None = None) -> Any:
        env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "STANDIN_LOG": str(log)}
        if fail:
            env["STANDIN_FAIL"] = fail
        return sitectl("--repo", repo, verb, *args, env=env, timeout=120)

    run.log = log  # type: ignore[attr-defined]
    return run
