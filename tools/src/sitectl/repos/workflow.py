"""The repository workflow: snapshot (sync every mirror, publish, serve each new repository
version under a dated name, pin it), promote (serve the pinned snapshots under the production
names), status (where each repository is). Idempotent: a mirror whose upstream did not change
keeps its pin, and a second promote changes nothing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sitectl.errors import SiteError
from sitectl.progress import note, step
from sitectl.repos import pins
from sitectl.repos.pins import Pin
from sitectl.repos.pulp import Pulp, Upstream

VERSION = re.compile(r"/versions/(\d+)/$")


def stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M")


def sync(pulp: Pulp, upstreams: Sequence[Upstream]) -> dict[str, int]:
    """Sync every upstream into its Pulp repository (made on first use); each repository's
    latest version. Nothing is published or pinned."""
    return {
        u.name: _number(_sync_one(pulp, u, i, len(upstreams))) for i, u in enumerate(upstreams, 1)
    }


def _sync_one(pulp: Pulp, upstream: Upstream, index: int, count: int) -> str:
    with step("repos", f"[{index}/{count}] {upstream.name}: sync {upstream.url}"):
        remote = pulp.ensure_remote(upstream)
        repository = pulp.ensure_repository(upstream, remote)
        try:
            return pulp.sync(upstream, repository, remote)
        except SiteError as e:
            raise SiteError(
                f"{upstream.name}: the sync from {upstream.url} failed; no pin was written. "
                f"{e.message}"
            ) from None


def snapshot(
    repo: Path, pulp: Pulp, upstreams: Sequence[Upstream], when: str | None = None
) -> dict[str, Pin]:
    """Sync and snapshot every upstream; write the pins; the new pins."""
    when = when or stamp()
    current = pins.read(repo)
    new: dict[str, Pin] = {}
    for index, upstream in enumerate(upstreams, 1):
        version_href = _sync_one(pulp, upstream, index, len(upstreams))
        version = _number(version_href)
        pinned = current.get(upstream.name)
        if pinned and pinned.version == version and pulp.distribution(upstream, pinned.snapshot):
            note("repos", f"{upstream.name}: unchanged (version {version}, {pinned.snapshot})")
            new[upstream.name] = pinned
            continue
        name = f"{upstream.name}-{when}"
        with step("repos", f"{upstream.name}: publish version {version} as {name}"):
            publication = pulp.publication(upstream, version_href)
            pulp.distribute(upstream, name, publication)
        new[upstream.name] = Pin(name, version)
    # Once every repository has its snapshot; a repository no longer mirrored loses its pin.
    pins.write(repo, new)
    return new


def promote(repo: Path, pulp: Pulp, upstreams: Sequence[Upstream]) -> list[str]:
    """Serve each pinned snapshot under the repository's production name; the names moved."""
    pinned = pins.read(repo)
    missing = [u.name for u in upstreams if u.name not in pinned]
    if missing:
        raise SiteError(
            f"{pins.PATH} pins no snapshot of {', '.join(missing)}: run `tools/sitectl repos "
            "snapshot` (and merge its pins) before promoting."
        )
    moved = []
    for upstream in upstreams:
        snapshot_name = pinned[upstream.name].snapshot
        found = pulp.distribution(upstream, snapshot_name)
        if found is None or not found.get("publication"):
            raise SiteError(
                f"Pulp at {pulp.url} has no snapshot {snapshot_name} for {upstream.name}, "
                f"which {pins.PATH} pins: take a new snapshot."
            )
        production = pulp.distribution(upstream, upstream.name)
        if production and production.get("publication") == found["publication"]:
            continue
        pulp.distribute(upstream, upstream.name, found["publication"])
        moved.append(upstream.name)
        note("repos", f"{upstream.name}: production now serves {snapshot_name}")
    return moved


@dataclass(frozen=True)
class Status:
    name: str
    pinned: Pin | None
    latest: int | None  # the repository's latest version in Pulp
    production: str | None  # which snapshot production serves, if it serves a pinned one

    @property
    def promoted(self) -> bool:
        return self.pinned is not None and self.production == self.pinned.snapshot


def status(repo: Path, pulp: Pulp, upstreams: Sequence[Upstream]) -> list[Status]:
    pinned = pins.read(repo)
    rows = []
    for upstream in upstreams:
        pin = pinned.get(upstream.name)
        repository = pulp.find_repository(upstream)
        latest = _number(repository["latest_version_href"]) if repository else None
        production = pulp.distribution(upstream, upstream.name)
        serves = None
        if production and pin:
            snapshot_dist = pulp.distribution(upstream, pin.snapshot)
            if snapshot_dist and snapshot_dist.get("publication") == production.get("publication"):
                serves = pin.snapshot
            else:
                serves = "another snapshot"
        rows.append(Status(upstream.name, pin, latest, serves))
    return rows


def _number(version_href: str) -> int:
    found = VERSION.search(version_href or "")
    return int(found.group(1)) if found else 0
