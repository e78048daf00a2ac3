"""Check a render's service config files against the services' option schemas.

Which namespaces make which file comes from the services' own oslo-config-generator files in
their sdists (`output_file` nova.conf.sample -> nova.conf, with its `namespace` lines); a
rendered file whose name none of them produces (policy, paste, uwsgi, JSON, YAML...) is skipped
and counted. The checking itself runs in the schema virtualenv (checker.py). A finding whose
option the site's kolla config overrides set is the site's, with the file and line; the others
come from kolla-ansible's own templates and are reported apart. An option or section the
release does not know but the previous release registered (tools/schema-previous-requirements.txt,
installed only when there is such a finding) is reported as removed rather than unknown.
"""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sitectl import environments
from sitectl.errors import SiteError
from sitectl.progress import step
from sitectl.repo import environments_dir, kayobe_config_dir
from sitectl.schema import venv

CHECKER = Path(__file__).with_name("checker.py")
GENERATOR_NAME = re.compile(r"(config-generator|tools/config/).*\.(conf|ini)$")


@dataclass(frozen=True)
class Problem:
    """One finding, with every rendered file (host/container/file) it was found in."""

    file: str  # the config file's name (nova.conf)
    section: str
    option: str
    severity: str  # error | warning
    kind: str
    message: str
    rendered: tuple[str, ...]
    source: tuple[str, int] | None = None  # the site file and line that set it

    @property
    def key(self) -> str:
        return f"[{self.section}] {self.option}" if self.option else f"[{self.section}]"


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # file name: how many
    missing_namespaces: list[str] = field(default_factory=list)

    def site(self, severity: str) -> list[Problem]:
        return [p for p in self.problems if p.source and p.severity == severity]

    def kolla(self) -> list[Problem]:
        return [p for p in self.problems if not p.source]


def generator_map(sdists: Path) -> dict[str, list[str]]:
    """{config file name: namespaces}, from the oslo-config-generator files of the sdists."""
    found: dict[str, list[str]] = {}
    for archive in sorted(sdists.glob("*.tar.gz")):
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if not member.isfile() or member.size > 50_000:
                    continue
                if not GENERATOR_NAME.search(member.name):
                    continue
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                output, namespaces = _generator(handle.read().decode("utf-8", "replace"))
                if output and namespaces:
                    found.setdefault(output, namespaces)
    return found


def _generator(text: str) -> tuple[str | None, list[str]]:
    output, namespaces = None, []
    for line in text.splitlines():
        name, _, value = (part.strip() for part in line.partition("="))
        if name == "output_file" and value.endswith(".sample"):
            output = Path(value).name.removesuffix(".sample")
        elif name == "namespace" and value:
            namespaces.append(value)
    if output is None or "policy" in output:
        return None, []
    return output, namespaces


def _run_checker(python: Path, request: dict) -> dict:
    proc = subprocess.run(
        [str(python), str(CHECKER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SiteError("the option schema check failed:", proc.stderr.strip().splitlines()[-15:])
    return json.loads(proc.stdout)


def check(repo: Path, render_dir: Path, env: str | None) -> Result:
    python, sdists = venv.ensure()
    files = generator_map(sdists)
    result = Result()
    request = []
    contents: dict[str, list[str]] = {}  # text -> rendered paths (identical files once)
    for path in sorted((render_dir / "config").rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(render_dir / "config").as_posix()
        if path.name not in files:
            result.skipped[path.name] = result.skipped.get(path.name, 0) + 1
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        key = f"{path.name}\0{text}"
        if key not in contents:
            contents[key] = []
            request.append({"path": key, "text": text, "namespaces": files[path.name]})
        contents[key].append(rel)
        result.checked += 1
    if not request:
        return result
    with step("schema", f"{len(request)} distinct config files against the services' options"):
        answer = _run_checker(python, {"files": request})
    answer["findings"] = _removed(answer["findings"], files)
    result.missing_namespaces = answer["missing_namespaces"]
    sources = SiteSources(repo, env)
    merged: dict[tuple[str, str, str, str], Problem] = {}
    for item in answer["findings"]:
        name = item["path"].split("\0", 1)[0]
        where = tuple(contents[item["path"]])
        key = (name, item["section"], item["option"], item["message"])
        if key in merged:
            old = merged[key]
            merged[key] = Problem(**{**old.__dict__, "rendered": old.rendered + where})
            continue
        merged[key] = Problem(
            file=name,
            section=item["section"],
            option=item["option"],
            severity=item["severity"],
            kind=item["kind"],
            message=item["message"],
            rendered=where,
            source=sources.find(name, item["section"], item["option"]),
        )
    result.problems = sorted(merged.values(), key=lambda p: (p.file, p.section, p.option))
    return result


UNKNOWN = ("unknown-option", "unknown-section")


def _removed(findings: list[dict], files: Mapping[str, list[str]]) -> list[dict]:
    """Unknown options and sections that the previous release registered, as `removed`."""
    unknown = [f for f in findings if f["kind"] in UNKNOWN]
    if not unknown:
        return findings
    lookup = [
        {
            "namespaces": files[f["path"].split("\0", 1)[0]],
            "section": f["section"],
            "option": f["option"],
        }
        for f in unknown
    ]
    python, _ = venv.ensure(venv.PREVIOUS)
    with step("schema", f"{len(lookup)} unknown options against {venv.PREVIOUS.release()}"):
        registered = _run_checker(python, {"lookup": lookup})["registered"]
    gone = {id(f) for f, was in zip(unknown, registered, strict=True) if was}
    before, now = venv.PREVIOUS.release(), venv.CURRENT.release()
    return [_as_removed(f, before, now) if id(f) in gone else f for f in findings]


def _as_removed(finding: dict, before: str, now: str) -> dict:
    what = f"[{finding['section']}] {finding['option']}".strip()
    ignored = "its options are ignored" if not finding["option"] else "the service ignores it"
    return {
        **finding,
        "severity": "error",
        "kind": "removed",
        "message": f"{what} was removed: {before} registered it, {now} does not ({ignored})",
    }


class SiteSources:
    """Where the site's kolla config overrides (etc/kayobe/kolla/config and each layered
    environment's kolla/config) set an option: the INI files kolla-ansible merges."""

    def __init__(self, repo: Path, env: str | None) -> None:
        known = environments.discover(repo)
        roots = [kayobe_config_dir(repo) / "kolla" / "config"]
        roots += [
            environments_dir(repo) / e / "kolla" / "config"
            for e in environments.layering(known, env)
        ]
        self.repo = repo
        self.files = [
            p
            for root in roots
            if root.is_dir()
            for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix in (".conf", ".ini")
        ]

    def find(self, name: str, section: str, option: str) -> tuple[str, int] | None:
        """The last site file (in kolla-ansible's merge order: later layers win) that sets
        [section] option, for a rendered file called `name`."""
        hit = None
        stem = Path(name).stem
        for path in self.files:
            if path.name not in (name, "global.conf") and not path.name.startswith(stem):
                continue
            line = _line_of(path, section, option)
            if line is not None:
                hit = (path.relative_to(self.repo).as_posix(), line)
        return hit


def _line_of(path: Path, section: str, option: str) -> int | None:
    """The line of `option` in [section] of an INI file (of the [section] header when
    option is empty)."""
    current = "DEFAULT"
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            if not option and current == section:
                return number
        elif option and current == section and line.split("=", 1)[0].strip() == option:
            return number
    return None


def skipped_summary(skipped: Mapping[str, int]) -> str:
    total = sum(skipped.values())
    names = ", ".join(sorted(skipped)[:8]) + (", ..." if len(skipped) > 8 else "")
    return f"{total} rendered files are not oslo.config INI files and were skipped ({names})"


def lines(problems: Iterable[Problem]) -> list[str]:
    out = []
    for p in problems:
        where = f"{p.source[0]}:{p.source[1]}" if p.source else "kolla-ansible's own template"
        shown = ", ".join(p.rendered[:3]) + (
            f" and {len(p.rendered) - 3} more" if len(p.rendered) > 3 else ""
        )
        out.append(f"{p.file} {p.key}: {p.message} (set at {where}; rendered in {shown})")
    return out
