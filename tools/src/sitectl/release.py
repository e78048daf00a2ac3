"""Which OpenStack release sitectl renders with, which one a configuration targets, and whether
the configuration reads the machine it runs on.

sitectl runs the kayobe and kolla-ansible it pins. A configuration written for another release
either fails deep in Jinja (an undefined variable, a missing dictionary key, at a line of a
generated file) or renders silently with this release's defaults. So wherever the two differ,
every report and every error says so: `mismatch()` is the sentence.

What a configuration targets, first found:
  - `openstack_release` (or `kolla_openstack_release`) set to a literal in its kayobe
    variables (etc/kayobe/*.yml and every environment's): what kayobe itself will use;
  - the kayobe its requirements.txt pins: `kayobe==X.Y.Z` (kayobe 14 was 2023.1, and each
    major release since is the next half-year's) or a git pin of `stable/SERIES`.

A configuration that reads the machine (`lookup('pipe', ...)`, `lookup('env', ...)`, a file
lookup of an absolute path) renders differently on each machine: machine_reads() finds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from sitectl.repo import environments_dir, kayobe_config_dir, venv_bin

# `openstack_release: "2025.1"` (or kolla_openstack_release) at the top level of a file.
_RELEASE_SETTING = re.compile(
    r"""^(?P<name>(?:kolla_)?openstack_release):\s*["']?(?P<series>20\d\d\.[12]|master)["']?\s*$""",
    re.MULTILINE,
)
_PIN = re.compile(r"^\s*kayobe\s*(?:\[[^\]]*\])?\s*==\s*(\d+)\.", re.MULTILINE)
_GIT_PIN = re.compile(
    r"kayobe[^\s#]*@(?:stable/)?(20\d\d\.[12]|master)\b|"
    r"@stable/(20\d\d\.[12])[^\s]*kayobe",
    re.IGNORECASE,
)
_MACHINE = re.compile(
    r"""(?:lookup|query|q)\(\s*['"](?:ansible\.builtin\.)?(?P<kind>pipe|env|file)['"]\s*,\s*"""
    r"""(?P<arg>['"][^'"]*['"]|[^,)]*)"""
)
FIRST_NUMBERED = 14  # kayobe 14 was OpenStack 2023.1


@dataclass(frozen=True)
class Target:
    series: str  # "2025.1"
    source: str  # where it was read, for the message


def series_of_kayobe(major: int) -> str | None:
    """The OpenStack release of a kayobe major version (None before 2023.1's)."""
    if major < FIRST_NUMBERED:
        return None
    index = major - FIRST_NUMBERED
    return f"{2023 + index // 2}.{1 + index % 2}"


@cache
def rendering() -> tuple[str, str]:
    """(kayobe's version, the OpenStack release it deploys) of the installed toolchain."""
    version = metadata.version("kayobe")
    defaults = venv_bin().parent / "share" / "kayobe" / "ansible" / "inventory" / "group_vars"
    text = _read(defaults / "all" / "openstack")
    found = re.search(r'^openstack_release:\s*"?([\w.]+)"?', text, re.MULTILINE)
    series = found.group(1) if found else series_of_kayobe(int(version.split(".")[0]))
    return version, series or "unknown"


def target(repo: Path) -> Target | None:
    """What the configuration at `repo` targets, or None when it does not say."""
    for path in _variable_files(repo):
        found = _RELEASE_SETTING.search(_read(path))
        if found:
            return Target(
                found.group("series"), f"{found.group('name')} in {path.relative_to(repo)}"
            )
    requirements = _read(repo / "requirements.txt")
    pinned = _PIN.search(requirements)
    if pinned and series_of_kayobe(int(pinned.group(1))):
        return Target(
            series_of_kayobe(int(pinned.group(1))) or "",
            f"kayobe=={pinned.group(1)}.x in requirements.txt",
        )
    git_pin = _GIT_PIN.search(requirements)
    if git_pin:
        series = git_pin.group(1) or git_pin.group(2)
        return Target(series, f"kayobe at stable/{series} in requirements.txt")
    return None


def mismatch(repo: Path) -> str | None:
    """One sentence when `repo` targets another release than sitectl renders with."""
    wanted = target(repo)
    version, series = rendering()
    if wanted is None or wanted.series == series:
        return None
    return (
        f"sitectl renders with kayobe {version} (OpenStack {series}); this configuration "
        f"targets OpenStack {wanted.series} ({wanted.source}): expect failures, or another "
        "release's defaults, wherever the two releases differ."
    )


def machine_reads(repo: Path) -> list[str]:
    """`FILE:LINE: what` for each lookup in the configuration that reads the machine it runs
    on (a command, an environment variable, a file outside the configuration)."""
    found = []
    for path in _text_files(repo):
        for number, line in enumerate(_read(path).splitlines(), start=1):
            for match in _MACHINE.finditer(line):
                argument = match.group("arg").strip().strip("'\"")
                if match.group("kind") == "file" and not argument.startswith("/"):
                    continue  # a file of the configuration itself
                found.append(
                    f"{path.relative_to(repo)}:{number}: lookup('{match.group('kind')}', "
                    f"{argument[:60]!r})"
                )
    return found


def machine_note(repo: Path) -> str | None:
    """One sentence for reports, when the configuration reads the machine."""
    reads = machine_reads(repo)
    if not reads:
        return None
    shown = "; ".join(reads[:3]) + (f"; and {len(reads) - 3} more" if len(reads) > 3 else "")
    return (
        "this configuration reads the machine it is rendered on, so its render can differ "
        f"from one machine to another (and from the deploy host): {shown}"
    )


def _variable_files(repo: Path) -> list[Path]:
    roots = [kayobe_config_dir(repo)]
    environments = environments_dir(repo)
    if environments.is_dir():
        roots += sorted(p for p in environments.iterdir() if p.is_dir())
    return [p for root in roots for p in sorted(root.glob("*.yml")) if p.is_file()]


def _text_files(repo: Path) -> list[Path]:
    roots = [kayobe_config_dir(repo)]
    environments = environments_dir(repo)
    if environments.is_dir() and kayobe_config_dir(repo) not in environments.parents:
        roots.append(environments)
    suffixes = (".yml", ".yaml", ".j2", ".conf", ".ini", ".cfg", ".json")
    return sorted(
        {
            p
            for root in roots
            for p in root.rglob("*")
            if p.suffix in suffixes and p.is_file() and not p.is_symlink()
        }
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
