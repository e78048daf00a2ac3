"""An upstream apt repository made by the tests: a few tiny .deb packages built with dpkg-deb,
indexed with apt-ftparchive (one suite, `stable`, component `main`, amd64; unsigned), served
over HTTP on 127.0.0.1 from a thread of the test process."""

from __future__ import annotations

import functools
import gzip
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SUITE = "stable"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def add_package(root: Path, name: str, version: str) -> None:
    """Build NAME_VERSION_amd64.deb into the pool and re-index the suite."""
    build = root.parent / f"build-{name}"
    (build / "DEBIAN").mkdir(parents=True, exist_ok=True)
    (build / "DEBIAN" / "control").write_text(
        f"Package: {name}\nVersion: {version}\nArchitecture: amd64\n"
        f"Maintainer: Site Tests <tests@example.org>\nDescription: test package {name}\n"
    )
    pool = root / "pool" / "main"
    pool.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "dpkg-deb",
            "--root-owner-group",
            "--build",
            str(build),
            str(pool / f"{name}_{version}_amd64.deb"),
        ],
        check=True,
        capture_output=True,
    )
    _index(root)


def _index(root: Path) -> None:
    binary = root / "dists" / SUITE / "main" / "binary-amd64"
    binary.mkdir(parents=True, exist_ok=True)
    packages = subprocess.run(
        ["apt-ftparchive", "packages", "pool/main"], cwd=root, check=True, capture_output=True
    ).stdout
    (binary / "Packages").write_bytes(packages)
    (binary / "Packages.gz").write_bytes(gzip.compress(packages, mtime=0))
    release = root / "dists" / SUITE / "Release"
    release.unlink(missing_ok=True)  # or the new Release lists the old one
    options = [
        f"-oAPT::FTPArchive::Release::{key}={value}"
        for key, value in (
            ("Suite", SUITE),
            ("Codename", SUITE),
            ("Architectures", "amd64"),
            ("Components", "main"),
            ("Origin", "site-tests"),
        )
    ]
    text = subprocess.run(
        ["apt-ftparchive", *options, "release", f"dists/{SUITE}"],
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout
    release.write_bytes(text)


@contextmanager
def served(root: Path) -> Iterator[str]:
    """The repository's URL while it is served."""
    root.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
