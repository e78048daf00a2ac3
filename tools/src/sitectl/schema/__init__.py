"""Offline checks of rendered service config files against the options the services register
with oslo.config, at the pinned release (`sitectl validate --rendered`)."""

from sitectl.schema.check import Problem, Result
from sitectl.schema.check import check as check_render

__all__ = ["Problem", "Result", "check_render"]
