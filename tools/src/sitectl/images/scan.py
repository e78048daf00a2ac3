"""The verdict on the image scanner's reports, with the site's allowlist.

The scan job runs the scanner (trivy, `--format json`) on each built image without letting it
fail the job, then asks this module: does any image have a vulnerability at or above the
threshold that no current allowlist entry covers? One unfixable CVE then needs one reviewed
entry, not a disabled scan.

The allowlist (kolla-images/scan-allowlist.yml) is the site's:

    global:                       # entries for every image
      - id: CVE-2026-0001
        reason: "no fix upstream; the vulnerable code path is not reachable in our images"
        expires: 2027-03-01
    images:                       # entries for one image (its kolla name)
      keystone-api:
        - id: CVE-2026-0002
          package: python3-foo    # optional: only this package
          reason: "..."
          expires: 2027-01-15

Every entry needs an id, a reason and an expiry date; an entry past its date no longer applies
(and is reported, so that it is reviewed or removed). Reads trivy's JSON report format (schema
2: Results[].Vulnerabilities[] with VulnerabilityID, PkgName, Severity, FixedVersion).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sitectl.errors import SiteError
from sitectl.junit import Case, Suite, document

SEVERITIES = ("UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL")
DEFAULT_ALLOWLIST = Path("kolla-images", "scan-allowlist.yml")


@dataclass(frozen=True)
class Entry:
    id: str
    reason: str
    expires: datetime.date
    package: str | None = None
    image: str | None = None  # None: global

    def covers(self, image: str, vulnerability: Vulnerability) -> bool:
        return (
            self.id == vulnerability.id
            and (self.image is None or self.image == image)
            and (self.package is None or self.package == vulnerability.package)
        )

    def where(self) -> str:
        return f"images.{self.image}" if self.image else "global"


@dataclass(frozen=True)
class Vulnerability:
    id: str
    package: str
    severity: str
    installed: str
    fixed: str | None
    title: str = ""


@dataclass
class ImageVerdict:
    image: str
    blocking: list[Vulnerability] = field(default_factory=list)
    allowed: list[tuple[Vulnerability, Entry]] = field(default_factory=list)
    below: int = 0  # vulnerabilities under the threshold


@dataclass
class Verdict:
    images: list[ImageVerdict]
    expired: list[Entry]
    unused: list[Entry]

    @property
    def passed(self) -> bool:
        return not any(image.blocking for image in self.images)


# --- reading ---------------------------------------------------------------------------------


def load_allowlist(path: Path, today: datetime.date) -> tuple[list[Entry], list[Entry]]:
    """(entries in force, expired entries); SiteError for a malformed file or entry."""
    if not path.is_file():
        return [], []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise SiteError(f"{path} is not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise SiteError(f"{path}: expected a mapping with `global` and/or `images`.")
    entries = [
        _entry(path, "global", item, None) for item in _list(path, "global", data.get("global"))
    ]
    images = data.get("images") or {}
    if not isinstance(images, dict):
        raise SiteError(f"{path}: `images` must map image names to lists of entries.")
    for image, items in sorted(images.items()):
        key = f"images.{image}"
        entries += [_entry(path, key, item, str(image)) for item in _list(path, key, items)]
    return [e for e in entries if e.expires >= today], [e for e in entries if e.expires < today]


def _list(path: Path, key: str, value: Any) -> list[Any]:
    value = value or []
    if not isinstance(value, list):
        raise SiteError(f"{path}: `{key}` must be a list of entries.")
    return value


def _entry(path: Path, key: str, item: Any, image: str | None) -> Entry:
    where = f"{path}: an entry of `{key}`"
    if not isinstance(item, dict):
        raise SiteError(f"{where} is not a mapping (id, reason, expires).")
    missing = [name for name in ("id", "reason", "expires") if not item.get(name)]
    if missing:
        ident = item.get("id") or "(no id)"
        raise SiteError(
            f"{where} ({ident}) lacks {', '.join(missing)}: every allowance needs the "
            "vulnerability id, why it is accepted, and when to look at it again."
        )
    expires = item["expires"]
    if isinstance(expires, str):
        try:
            expires = datetime.date.fromisoformat(expires)
        except ValueError:
            raise SiteError(
                f"{where} ({item['id']}): expires {expires!r} is not YYYY-MM-DD."
            ) from None
    if not isinstance(expires, datetime.date):
        raise SiteError(f"{where} ({item['id']}): expires must be a date (YYYY-MM-DD).")
    package = item.get("package")
    return Entry(str(item["id"]), str(item["reason"]), expires, package and str(package), image)


def load_report(path: Path) -> tuple[str, list[Vulnerability]]:
    """The image (its kolla name, from the report's ArtifactName `.../NAME:TAG`, else the file
    name `scan-NAME.json`) and every vulnerability of one trivy JSON report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SiteError(f"cannot read the scan report {path}: {e}") from None
    if not isinstance(data, dict) or "Results" not in data:
        raise SiteError(f"{path} is not a trivy JSON report (no Results).")
    artifact = str(data.get("ArtifactName") or "")
    image = artifact.rsplit("/", 1)[-1].split(":", 1)[0] or path.stem.removeprefix("scan-")
    found = []
    for result in data.get("Results") or []:
        for item in result.get("Vulnerabilities") or []:
            found.append(
                Vulnerability(
                    id=str(item.get("VulnerabilityID")),
                    package=str(item.get("PkgName")),
                    severity=str(item.get("Severity", "UNKNOWN")).upper(),
                    installed=str(item.get("InstalledVersion", "")),
                    fixed=item.get("FixedVersion") or None,
                    title=str(item.get("Title", "")),
                )
            )
    return image, found


# --- judging ---------------------------------------------------------------------------------


def judge(
    reports: Mapping[str, Iterable[Vulnerability]],
    entries: list[Entry],
    expired: list[Entry],
    threshold: str = "CRITICAL",
    ignore_unfixed: bool = True,
) -> Verdict:
    """Per image: what blocks, what an entry allows. `reports`: image name -> findings."""
    if threshold not in SEVERITIES:
        raise SiteError(f"unknown severity {threshold!r}; one of {', '.join(SEVERITIES)}.")
    floor = SEVERITIES.index(threshold)
    used: set[Entry] = set()
    images = []
    for image, vulnerabilities in sorted(reports.items()):
        verdict = ImageVerdict(image)
        for vulnerability in vulnerabilities:
            rank = (
                SEVERITIES.index(vulnerability.severity)
                if vulnerability.severity in SEVERITIES
                else 0
            )
            if rank < floor or (ignore_unfixed and not vulnerability.fixed):
                verdict.below += 1
                continue
            entry = next((e for e in entries if e.covers(image, vulnerability)), None)
            if entry is None:
                verdict.blocking.append(vulnerability)
            else:
                used.add(entry)
                verdict.allowed.append((vulnerability, entry))
        images.append(verdict)
    unused = [entry for entry in entries if entry not in used]
    return Verdict(images, expired, unused)


# --- reporting -------------------------------------------------------------------------------


def text(verdict: Verdict, threshold: str) -> str:
    lines = []
    for image in verdict.images:
        state = "BLOCKED" if image.blocking else "ok"
        lines.append(
            f"{image.image}: {state} ({len(image.blocking)} blocking, {len(image.allowed)} "
            f"allowed, {image.below} below {threshold} or without a fix)"
        )
        lines += [f"  {_line(v)}" for v in image.blocking]
        lines += [
            f"  allowed {v.id} ({entry.where()}: {entry.reason})" for v, entry in image.allowed
        ]
    for entry in verdict.expired:
        lines.append(f"expired allowance {entry.id} ({entry.where()}, {entry.expires}): review it")
    return "\n".join(lines) + "\n"


def _line(v: Vulnerability) -> str:
    fix = f", fixed in {v.fixed}" if v.fixed else ""
    return f"{v.severity} {v.id} in {v.package} {v.installed}{fix}"


def junit(verdict: Verdict) -> str:
    """One test case per image: GitLab's test widget shows which image is blocked and why."""
    cases = [
        Case(
            name=image.image,
            classname="images.scan",
            failure=f"{len(image.blocking)} vulnerabilities not allowed"
            if image.blocking
            else None,
            details="\n".join(_line(v) for v in image.blocking),
        )
        for image in verdict.images
    ]
    return document("image scan", [Suite("image scan", cases)])
