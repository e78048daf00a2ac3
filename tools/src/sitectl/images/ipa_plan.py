"""Whether a change must rebuild the IPA image: what reaches kayobe's IPA build.

The IPA build (`kayobe overcloud deployment image build`) is driven by kayobe's ipa_*
variables (elements, packages, versions, distribution) and by the diskimage-builder and
ironic-python-agent-builder releases pinned in requirements.txt. The resolved variables of both
sides come from real `kayobe configuration dump` (redacted, cached); the pins from git.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sitectl.images.model import Reason
from sitectl.images.requirements import FILES as REQUIREMENTS
from sitectl.images.requirements import pin

VARIABLE_PREFIX = "ipa_"
BUILDER_PACKAGES = ("diskimage-builder", "ironic-python-agent-builder")


def builds_ipa(variables: Mapping[str, Any]) -> bool:
    return str(variables.get("ipa_build_images", False)).lower() in ("true", "yes", "1")


def changes(
    inputs: Sequence[str],
    base_vars: Mapping[str, Any],
    head_vars: Mapping[str, Any],
    base_requirements: str,
    head_requirements: str,
) -> list[Reason]:
    """Why the IPA image must be rebuilt ([] when it need not be, or is not built here)."""
    if not builds_ipa(head_vars):
        return []
    reasons = []
    names = sorted(
        name
        for name in base_vars.keys() | head_vars.keys()
        if name.startswith(VARIABLE_PREFIX) and base_vars.get(name) != head_vars.get(name)
    )
    if names:
        config_files = tuple(f for f in inputs if f not in REQUIREMENTS)
        reasons.append(Reason(f"kayobe's {', '.join(names)}", config_files))
    for package in BUILDER_PACKAGES:
        old, new = pin(base_requirements, package), pin(head_requirements, package)
        if old != new:
            files = tuple(f for f in inputs if f in REQUIREMENTS)
            reasons.append(Reason(f"{package} {old or '(unpinned)'} -> {new}", files))
    return reasons
