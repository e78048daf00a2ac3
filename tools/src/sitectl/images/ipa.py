"""IPA images: the element set kayobe builds with, resolved by diskimage-builder's own tooling
(offline), and the build job's artifacts named by release, date and commit, with checksums."""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sitectl import outdir
from sitectl.errors import SiteError

# What kayobe's IPA build leaves in {{ image_cache_path }}/{{ ipa_image_name }}/.
IMAGE_FILES = ("ipa.kernel", "ipa.initramfs")


def elements_paths() -> list[Path]:
    """diskimage-builder's elements, then ironic-python-agent-builder's (kayobe clones the
    latter from git; the same release is installed from PyPI in this venv)."""
    import diskimage_builder  # the real package

    dib = Path(diskimage_builder.__file__).parent / "elements"
    ipab = Path(sys.prefix, "share", "ironic-python-agent-builder", "dib")
    return [p for p in (dib, ipab) if p.is_dir()]


def expand(elements: Sequence[str], extra_paths: Iterable[Path] = ()) -> list[str]:
    """Every element the image gets: diskimage-builder's element-info (element-deps and
    element-provides expansion), run offline."""
    import diskimage_builder

    script = Path(diskimage_builder.__file__).parent / "lib" / "element-info.py"
    paths = [*elements_paths(), *extra_paths]
    env = {**os.environ, "ELEMENTS_PATH": os.pathsep.join(map(str, paths))}
    proc = subprocess.run(
        [sys.executable, str(script), *elements],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise SiteError(f"diskimage-builder cannot resolve the IPA elements: {last}")
    return sorted(proc.stdout.split())


def dib_elements(variables: Mapping[str, Any]) -> list[str]:
    elements = variables.get("ipa_build_dib_elements")
    if not isinstance(elements, list):
        raise SiteError(f"ipa_build_dib_elements did not resolve to a list: {elements!r}")
    return [str(e) for e in elements]


def artifact_stem(release: str, commit: str, date: datetime.date) -> str:
    """ipa-<release>-<YYYYMMDD>-<commit>: what the files of one build are called."""
    return f"ipa-{release}-{date:%Y%m%d}-{commit[:12]}"


ARTIFACTS = outdir.kind("IPA artifacts")


def collect(
    source: Path, out: Path, release: str, commit: str, date: datetime.date | None = None
) -> list[Path]:
    """Copy kayobe's built kernel and ramdisk to OUT under their artifact names, and write
    SHA256SUMS for them (the format `sha256sum -c` reads). Returns the files written."""
    date = date or datetime.datetime.now(datetime.UTC).date()
    stem = artifact_stem(release, commit, date)
    out = outdir.claim(out, ARTIFACTS)
    written = []
    lines = []
    for name in IMAGE_FILES:
        src = source / name
        if not src.is_file():
            raise SiteError(f"{src} does not exist: was the IPA image built?")
        dest = out / f"{stem}.{name.split('.', 1)[1]}"
        shutil.copyfile(src, dest)
        lines.append(f"{sha256(dest)}  {dest.name}")
        written.append(dest)
    sums = out / f"{stem}.SHA256SUMS"
    sums.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [*written, sums]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
