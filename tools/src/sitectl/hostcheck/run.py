"""Check hosts: plan each host from kayobe's resolved configuration (and the render, for its
containers), log in to it the way kayobe does, run the checks with testinfra, and report.

SSH uses the inventory's ansible_host and ansible_port, the kayobe user (ansible_user, else
kayobe_ansible_user) and ssh_private_key_path, with sudo for what only root may read (the
container engine); host keys are checked as `ssh` is configured to check them unless the
caller passes other SSH options.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import testinfra

from sitectl import kolla_playbooks, values
from sitectl.dump import dump
from sitectl.environments import label
from sitectl.hostcheck import checks
from sitectl.hostcheck.plan import (
    Connection,
    HostPlan,
    containers_of,
    plan,
    role_defaults,
    select,
)
from sitectl.progress import note
from sitectl.render import render
from sitectl.site import build_site


@dataclass(frozen=True)
class Outcome:
    host: str
    check: str
    problems: tuple[str, ...] = ()
    skipped: str | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.problems and self.skipped is None


@dataclass
class Report:
    environment: str | None
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.problems]


@dataclass(frozen=True)
class Options:
    limit: str | None = None
    containers: bool = True  # expect the render's containers on each host
    services: list[str] | None = None  # narrow that render
    ssh_extra_args: str | None = None
    ssh_key: Path | None = None  # instead of ssh_private_key_path


def check_hosts(
    repo: Path, env: str | None, options: Options, vault_password_file: Path | None
) -> Report:
    site = build_site(env or "base", dump(repo, env, vault_password_file=vault_password_file))
    hosts = select(site, options.limit)
    rendered = (
        render(repo, env, services=options.services, vault_password_file=vault_password_file)
        if options.containers
        else None
    )
    report = Report(env)
    if rendered is None:
        report.notes.append("containers not checked (--no-containers)")
    names = kolla_playbooks.container_names()
    defaults = role_defaults(repo)
    for host in hosts:
        engine = values.text(host.get("kolla_container_engine")) or "docker"
        containers = containers_of(rendered, host.name) if rendered else ()
        expected = plan(site, host, containers, defaults)
        report.notes += [f"{host.name}: {n}" for n in expected.notes]
        report.outcomes += _check_one(expected, names, engine, options)
    return report


def _connect(connection: Connection, options: Options) -> testinfra.host.Host:
    key = str(options.ssh_key) if options.ssh_key else connection.key
    return testinfra.get_host(
        f"ssh://{connection.user}@{connection.address}:{connection.port}",
        ssh_identity_file=key,
        ssh_extra_args=options.ssh_extra_args,
        sudo=True,
    )


def _check_one(
    expected: HostPlan, names: dict[str, str], engine: str, options: Options
) -> list[Outcome]:
    connection = expected.connection
    where = f"{connection.user}@{connection.address}:{connection.port}"
    host = _connect(connection, options)
    started = time.monotonic()
    reach = "reachable over SSH (as kayobe logs in)"
    failure = _login_failure(host)
    if failure:
        note("check", f"{expected.name}: cannot log in as {where}: {failure}")
        rest = [
            Outcome(expected.name, c.name, skipped="the host is unreachable")
            for c in checks.checks(expected, names, engine)
        ]
        return [Outcome(expected.name, reach, (f"cannot log in as {where}: {failure}",)), *rest]
    outcomes = [Outcome(expected.name, reach, seconds=time.monotonic() - started)]
    for check in checks.checks(expected, names, engine):
        started = time.monotonic()
        try:
            problems = tuple(check.run(host))
        except RuntimeError as e:  # testinfra's ssh backend: the connection failed mid-way
            problems = (f"the connection failed: {_ssh_error(e)}",)
        seconds = time.monotonic() - started
        outcomes.append(Outcome(expected.name, check.name, problems, None, seconds))
        note("check", f"{expected.name}: {check.name}: " + ("; ".join(problems) or "ok"))
    return outcomes


def _login_failure(host: testinfra.host.Host) -> str | None:
    """Why kayobe's user cannot log in and use sudo (None: it can)."""
    try:
        login = host.run("true")
    except RuntimeError as e:  # ssh itself failed (exit 255)
        return _ssh_error(e)
    if login.rc != 0:
        return checks.said(login)
    return None


def _ssh_error(error: RuntimeError) -> str:
    result = error.args[0] if error.args else None
    return checks.said(result) if result is not None else str(error)


def title(report: Report) -> str:
    return f"host checks of {label(report.environment)}"
