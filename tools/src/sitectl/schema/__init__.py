"""Offline checks of rendered service config files against the options the services register
with oslo.config, at the pinned release (`sitectl validate --rendered`)."""

from sitectl.schema.check import Problem, Result
from sitectl.schema.check import check as check_render
from sitectl.schema.venv import CURRENT, PREVIOUS


def releases() -> str:
    """Which releases' option lists the check knows, in words."""
    return (
        f"the {CURRENT.release()} services' options (with {PREVIOUS.release()}'s, to tell an "
        "option removed since from one that never existed)"
    )


__all__ = ["Problem", "Result", "check_render", "releases"]
