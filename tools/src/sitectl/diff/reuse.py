"""A cached render of one side, if there is one: cheaper than any render.

When a change can reach only some services, the diff renders only those on both sides. But in
CI the target branch has usually been rendered in full already (its own pipeline, or an earlier
MR's), and a cache hit costs nothing: the diff then compares that full render, seen through the
selection (compare.Scope), with a selected render of the head.

This asks sitectl.render's cache the question render() itself asks (the input hash of the
side's configuration and selection), without rendering on a miss. It leans on
render's cache module; if that changes shape, lookups find nothing and the diff renders the
selection on both sides, as it would without a cache.
"""

import tempfile
from collections.abc import Sequence
from pathlib import Path

from sitectl import vault
from sitectl.errors import SiteError
from sitectl.repo import cache_dir as repo_cache_dir


def cached_render(
    repo: Path,
    env: str,
    ref: str,
    vault_password_file: Path | None = None,
    cache_dir: Path | None = None,
    services: Sequence[str] | None = None,
) -> Path | None:
    """The cache entry render() would return for these arguments without rendering (one made
    for another ref with the same inputs too: it is used in place, not copied), or None."""
    try:
        from sitectl.render import cache, snapshot  # the renderer's own cache
    except ImportError:
        return None
    try:
        source = snapshot.resolve(repo, ref)
        with tempfile.TemporaryDirectory(prefix="sitectl-diff-lookup-") as scratch:
            tree = snapshot.materialise(repo, source, Path(scratch, "repo"))
            password = vault.find_password(repo, vault_password_file)
            key = password.value if password else None
            selection = sorted(set(services)) if services is not None else None
            input_hash = cache.input_hash(tree, env, selection, key)
        root = Path(cache_dir) if cache_dir else repo_cache_dir(repo, "sitectl", "render")
        hit = cache.lookup(root, input_hash, ref, source.commit) or cache.sibling(root, input_hash)
    except (SiteError, OSError, AttributeError, TypeError, ValueError):
        return None
    return hit
