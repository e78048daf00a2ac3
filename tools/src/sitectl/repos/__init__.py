"""Reproducible package repositories: the site's mirrors in Pulp, dated snapshots pinned in
etc/kayobe/pulp-repo-versions.yml, promoted to the production names (`sitectl repos`)."""

from sitectl.repos.pins import Pin
from sitectl.repos.propose import propose
from sitectl.repos.pulp import Pulp, Upstream
from sitectl.repos.workflow import Status, promote, snapshot, stamp, status, sync

__all__ = [
    "Pin",
    "Pulp",
    "Status",
    "Upstream",
    "promote",
    "propose",
    "snapshot",
    "stamp",
    "status",
    "sync",
]
