"""The pinned tempest release as a local git repository, for Rally's verifier.

Rally clones a verifier's source with git and cannot use the pip-installed tempest, and the
runner has no route to opendev. So the release's sdist (from PyPI, through pip) is unpacked
and committed into a git repository tagged with the version; both are kept in sitectl's
machine cache (sitectl/machine_cache.py, kind "tempest"), once per version.
"""

import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from sitectl import machine_cache
from sitectl.errors import SiteError
from sitectl.git import git

GIT_IDENTITY = {
    # Reproducible commits: same sdist, same commit id.
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
}


def sdist(where: Path, version: str) -> Path:
    """tempest-VERSION.tar.gz, downloaded into `where` by pip (PyPI or the configured index)."""
    result = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"),
            *("--dest", str(where), f"tempest=={version}"),
        ],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    found = sorted(where.glob(f"tempest-{version}.tar.gz"))
    if result.returncode != 0 or not found:
        raise SiteError(
            f"pip could not download the tempest {version} sdist (needed to build Rally's "
            "verifier without opendev); is PyPI or a mirror reachable?",
            details=result.stderr.strip().splitlines()[-5:],
        )
    return found[0]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def git_repo(version: str) -> tuple[Path, str]:
    """(a git repository of the tempest release with tag VERSION, the sdist's sha256)."""
    entry = machine_cache.entry(
        "tempest", machine_cache.key("tempest", version), lambda root: _make(root, version)
    )
    (archive,) = entry.glob(f"tempest-{version}.tar.gz")
    return entry / "repo", sha256(archive)


def _make(root: Path, version: str) -> None:
    """ROOT/tempest-VERSION.tar.gz and ROOT/repo, its files committed and tagged VERSION."""
    archive = sdist(root, version)
    digest = sha256(archive)
    with tempfile.TemporaryDirectory(dir=root, prefix=".unpack-") as scratch:
        with tarfile.open(archive) as tar:
            tar.extractall(scratch, filter="data")
        (unpacked,) = Path(scratch).iterdir()
        work = unpacked.rename(root / "repo")
    env = {**GIT_IDENTITY, "PBR_VERSION": version}
    git(work, "init", "-q", "-b", "master", env=env)
    git(work, "add", "-A", "-f", env=env)
    message = f"tempest {version} (PyPI sdist {digest})"
    git(work, "commit", "-q", "--no-gpg-sign", "-m", message, env=env)
    git(work, "tag", version, env=env)
