"""Benchmark (not a test): the image build planner on a large change, against rendering every
Dockerfile once with kolla-build --template-only. Measured in one run, printed as a table.

    .venv/bin/python tools/benchmarks/image_plan.py [--environment example-site]

It copies the repository's files into a scratch git repository (nothing in the real one is
touched), commits a change of the base image tag (kolla_base_distro_version, which rebuilds
every image), and times:
  - render all: one `kolla-build --template-only` of every image (no cache);
  - plan, cold: `sitectl images plan` main..change with empty caches (2 kayobe dumps,
    2 kolla renders, the comparison);
  - plan, warm: the same again (dumps and renders cached by input hash).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "src"))

from sitectl.images import kolla, plan  # noqa: E402

VAULT = REPO / "ci" / "vault-password.example"


def git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def scratch(root: Path) -> Path:
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "-co", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    site = root / "site"
    for name in filter(None, listed.split("\0")):
        source, target = REPO / name, site / name
        if source.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(os.readlink(source))
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "base")
    git(site, "checkout", "-q", "-b", "base-tag")
    images_yml = site / "etc" / "kayobe" / "kolla-images.yml"
    images_yml.write_text(images_yml.read_text() + 'kolla_base_distro_version: "10.1"\n')
    git(site, "commit", "-q", "-am", "base image tag")
    git(site, "checkout", "-q", "main")
    return site


def timed(label: str, results: list[tuple[str, float, str]], fn, note: str = "") -> object:  # noqa: ANN001
    started = time.monotonic()
    value = fn()
    results.append((label, time.monotonic() - started, note))
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--environment", default="example-site")
    args = parser.parse_args()
    results: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="image-plan-bench-") as tmp:
        site = scratch(Path(tmp))
        tree = plan.checkout(site, "main")
        variables = plan.builder_variables(tree, args.environment, VAULT)
        config = kolla.build_config(variables)
        with tempfile.TemporaryDirectory() as work:
            render = timed(
                "render all Dockerfiles (kolla-build --template-only, every image)",
                results,
                lambda: kolla._run_kolla(config, Path(work)),
            )
        shutil.rmtree(site / ".cache" / "sitectl" / "dump", ignore_errors=True)
        shutil.rmtree(site / ".cache" / "sitectl" / "images", ignore_errors=True)
        git(site, "worktree", "prune")
        cold = timed(
            "plan main..base-tag, cold caches (2 dumps + 2 renders + compare)",
            results,
            lambda: plan.plan(site, args.environment, "main", "base-tag", VAULT),
        )
        warm = timed(
            "plan main..base-tag, warm caches",
            results,
            lambda: plan.plan(site, args.environment, "main", "base-tag", VAULT),
        )
        docs = site / "README.md"
        docs.write_text(docs.read_text() + "\nbench\n")
        git(site, "commit", "-q", "-am", "docs")
        timed(
            "plan HEAD~1..HEAD, a docs-only change",
            results,
            lambda: plan.plan(site, args.environment, "HEAD~1", "HEAD", VAULT),
        )
    assert cold.names == warm.names
    print()
    print(f"Image build planner benchmark ({args.environment}, {os.cpu_count()} cores)")
    print(f"kolla images: {len(render.images)}; the site builds {len(render.site_images)}")
    print(f"large change (base image tag): {len(cold.names)} images planned")
    width = max(len(label) for label, _, _ in results)
    for label, seconds, _ in results:
        print(f"  {label:<{width}}  {seconds:7.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
