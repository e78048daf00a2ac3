"""A cached render of one side, if there is one: cheaper than any render.

When a change can reach only some services, the diff renders only those on both sides. But in
CI the target branch has usually been rendered in full already (its own pipeline, or an earlier
MR's), and a cache hit costs nothing: the diff then compares that full render, seen through the
selection (side.Scope), with a selected render of the head.

This asks sitectl.render the question render() itself asks first (sitectl.render.cached: the
same checks and input hash), without rendering on a miss.
"""

from collections.abc import Sequence
from pathlib import Path


def cached_render(
    repo: Path,
    env: str | None,
    ref: str,
    vault_password_file: Path | None = None,
    cache_dir: Path | None = None,
    services: Sequence[str] | None = None,
    sealed: bool = False,
) -> Path | None:
    """The cache entry render() would return for these arguments, or None. Bad input raises
    SiteError, as the render would."""
    from sitectl.render import cached

    return cached(
        repo,
        env,
        ref=ref,
        services=sorted(set(services)) if services is not None else None,
        vault_password_file=vault_password_file,
        cache_dir=cache_dir,
        sealed=sealed,
    )
