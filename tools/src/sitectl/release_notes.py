"""What kayobe's, kolla-ansible's and kolla's release notes say between two versions.

Each project's source distribution (PyPI) carries its reno notes (releasenotes/notes/*.yaml),
every release's so far: the notes of the versions after OLD up to NEW are the files NEW has
and OLD has not (a note backported to OLD's series is in both, and was in OLD already). Each
version's notes are read once per machine (machine cache, kind "release-notes").

    between("kolla-ansible", "22.2.0", "23.0.0") -> [Note, ...]
    for_site(notes, services, variables) -> the notes that name an enabled service or a set
                                            variable (critical and security notes always)
    renames(notes) -> {old variable: (new variable, the note)} the notes document
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from sitectl import machine_cache
from sitectl.errors import SiteError
from sitectl.progress import note

TAG = "release-notes"
KIND = "release-notes"
PROJECTS = ("kayobe", "kolla-ansible", "kolla")
# The sections an upgrade must read, in the order a report shows them.
SECTIONS = ("critical", "security", "upgrade", "deprecations", "fixes")
ALWAYS = frozenset({"critical", "security"})
_WORD = re.compile(r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*")
# "``old`` (variable) has been renamed to ``new``", "``old`` is deprecated in favour of
# ``new``", "``old`` becomes ``new``", "``old`` is now ``new``", "... replaced by ``new``",
# "removes ``old``. Users should use ``new`` instead".
_RENAMED = re.compile(
    r"``(?P<old>[A-Za-z_][A-Za-z0-9_]*)``(?P<between>[^`]{0,80}?)"
    r"\b(?P<verb>renamed to|in favou?r of|becomes|is now|replaced (?:by|with)|use)\s+"
    r"(?:the\s+)?"
    r"``(?P<new>[A-Za-z_][A-Za-z0-9_]*)``(?P<instead>\s+instead)?"
)
# An old name listed after another old name ("``a`` and ``b`` have been renamed"), not after
# the new name of an earlier pair ("``a`` becomes ``b``, ``c`` becomes ``d``").
_LISTED_BEFORE = re.compile(
    r"(?<!becomes )(?<!to )(?<!of )(?<!now )(?<!by )(?<!with )``[^`]+``\s*(?:,|and|or)\s*$"
)
_LISTED_AFTER = re.compile(r"\s*(?:and|or)\s*``|[^.]*\brespectively\b")


@dataclass(frozen=True)
class Note:
    project: str
    version: str  # the newer version: the first of the two that has the note
    section: str
    text: str
    file: str  # releasenotes/notes/NAME.yaml


def between(project: str, old: str, new: str) -> list[Note]:
    """The notes of `project` after `old` up to `new`, in SECTIONS order, then by file."""
    before, after = _notes_of(project, old), _notes_of(project, new)
    found = [
        Note(project, new, section, text, name)
        for name in sorted(set(after) - set(before))
        for section, texts in after[name].items()
        for text in texts
    ]
    return sorted(found, key=lambda n: (SECTIONS.index(n.section), n.file))


def for_site(
    notes: Iterable[Note], services: Iterable[str], variables: Iterable[str]
) -> list[Note]:
    """The notes an operator of this site must read: those that name a service it enables or
    a variable it sets (as a whole word), and every critical or security note."""
    names = {name.lower() for name in services} | {
        name.replace("_", "-").lower() for name in services
    }
    names |= {name.lower() for name in variables}
    return [n for n in notes if n.section in ALWAYS or _words(n.text) & names]


def renames(notes: Iterable[Note]) -> dict[str, tuple[str, Note]]:
    """{old variable: (its new name, the note that says so)}, from the upgrade and
    deprecation notes that rename one variable to another (the first note wins)."""
    found: dict[str, tuple[str, Note]] = {}
    for note_ in notes:
        if note_.section not in ("upgrade", "deprecations"):
            continue
        for match in _RENAMED.finditer(note_.text):
            before, after = note_.text[: match.start()], note_.text[match.end() :]
            # "``a`` and ``b`` renamed to ``c`` and ``d``", "``a`` to ``b`` and ``c``": which
            # old name is which new one is not said plainly; "use ``b``" alone is no rename.
            if _LISTED_BEFORE.search(before) or _LISTED_AFTER.match(after):
                continue
            if match["verb"] == "use" and not match["instead"]:
                continue
            found.setdefault(match.group("old"), (match.group("new"), note_))
    return found


def _words(text: str) -> set[str]:
    words = {word.lower() for word in _WORD.findall(text)}
    return words | {word.replace("-", "_") for word in words}


def _notes_of(project: str, version: str) -> dict[str, dict[str, list[str]]]:
    """{note file: {section: [texts]}} of one version's source distribution (only SECTIONS)."""
    entry = machine_cache.entry(
        KIND,
        machine_cache.key(project, version),
        lambda directory: _collect(project, version, directory),
    )
    return json.loads((entry / "notes.json").read_text(encoding="utf-8"))


def _collect(project: str, version: str, directory: Path) -> None:
    note(TAG, f"reading {project} {version}'s release notes (its source distribution, once)")
    with tempfile.TemporaryDirectory(prefix="sitectl-notes-") as scratch:
        archive = _download(project, version, Path(scratch))
        notes = _read_archive(archive)
    (directory / "notes.json").write_text(json.dumps(notes, sort_keys=True), encoding="utf-8")


def _download(project: str, version: str, into: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "pip",
        "--disable-pip-version-check",
        "download",
        "--quiet",
        "--no-deps",
        "--no-binary",
        ":all:",
        "--dest",
        str(into),
        f"{project}=={version}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    archives = sorted(into.glob("*.tar.gz"))
    if result.returncode != 0 or not archives:
        said = [line for line in result.stderr.splitlines() if "Location" not in line][-5:]
        raise SiteError(
            f"cannot download {project} {version}'s source distribution for its release notes "
            "(pip could not reach the package index, or the version does not exist):",
            details=said,
        )
    return archives[0]


def _read_archive(archive: Path) -> dict[str, dict[str, list[str]]]:
    """The archive's releasenotes/notes/*.yaml, read without extracting anything: a member
    is only read, never written, so no name in it can lead outside."""
    notes: dict[str, dict[str, list[str]]] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            path = PurePosixPath(member.name)
            if not member.isfile() or path.parts[1:3] != ("releasenotes", "notes"):
                continue
            if path.suffix != ".yaml" or len(path.parts) != 4:
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            sections = _sections(handle.read().decode("utf-8", "replace"))
            if sections:
                notes[str(PurePosixPath(*path.parts[1:]))] = sections
    return notes


def _sections(text: str) -> dict[str, list[str]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    if not isinstance(data, dict):
        return {}
    found: dict[str, list[str]] = {}
    for section in SECTIONS:
        items = data.get(section)
        if isinstance(items, str):
            items = [items]
        if isinstance(items, list):
            texts = [" ".join(str(item).split()) for item in items if str(item).strip()]
            if texts:
                found[section] = texts
    return found
