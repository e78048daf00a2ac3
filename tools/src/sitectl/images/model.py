"""What the image planner decides: the images to build, the IPA image, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sitectl.environments import label


@dataclass
class Reason:
    """Why an image is directly changed: what differs, and the changed files behind it."""

    what: str
    files: tuple[str, ...]

    def text(self) -> str:
        if not self.files:  # asked for, or no single file to blame
            return self.what
        return f"{', '.join(self.files)} changed: {self.what}"


@dataclass
class Selected:
    name: str
    # Each path runs from this image up to a directly changed ancestor (or itself).
    paths: list[tuple[list[str], list[Reason]]] = field(default_factory=list)

    def why(self) -> list[str]:
        lines = []
        for path, reasons in self.paths:
            chain = " <- ".join(path)
            lines += [f"{chain} ({reason.text()})" for reason in reasons]
        return lines


@dataclass
class Plan:
    environment: str | None  # None: the base configuration
    base: str
    head: str
    changed_files: list[str]
    inputs: list[str]  # changed files that are image inputs
    images: list[Selected]
    ipa: list[Reason] = field(default_factory=list)  # why the IPA image is rebuilt, if it is
    requested: str | None = None  # a regex of images asked for whatever changed

    @property
    def names(self) -> list[str]:
        return [image.name for image in self.images]

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "base": self.base,
            "head": self.head,
            "changed_files": self.changed_files,
            "image_inputs": self.inputs,
            "requested": self.requested,
            "images": [{"name": i.name, "why": i.why()} for i in self.images],
            "ipa": [reason.text() for reason in self.ipa],
        }

    @property
    def empty(self) -> bool:
        return not self.images and not self.ipa

    def text(self) -> str:
        lines = [f"Image build plan for {label(self.environment)}: {self.base}..{self.head}"]
        if self.requested:
            lines.append(f"Requested: images matching {self.requested!r}.")
        if self.empty:
            what = (
                "no changed file is an image input"
                if not self.inputs
                else ("the image inputs that changed reach no image the site builds")
            )
            lines.append(f"Nothing to build: {what} ({len(self.changed_files)} files changed).")
            return "\n".join(lines) + "\n"
        count = len(self.images)
        if count:
            lines.append(f"{count} image{'s' if count > 1 else ''} to build, because:")
            lines += [f"  {root}: {why}" for root, why in self.causes()]
            lines.append("The images, parents first (each one's chains: --format json):")
            lines += [f"  {image.name} ({self._how(image)})" for image in self.images]
        if self.ipa:
            lines.append("The IPA image to build:")
            lines += [f"      {reason.text()}" for reason in self.ipa]
        return "\n".join(lines) + "\n"

    def causes(self) -> list[tuple[str, str]]:
        """(directly changed image, why), once each, in plan order."""
        found: dict[tuple[str, str], None] = {}
        for image in self.images:
            for path, reasons in image.paths:
                found.update(((path[-1], reason.text()), None) for reason in reasons)
        return list(found)

    @staticmethod
    def _how(image: Selected) -> str:
        roots = list(dict.fromkeys(path[-1] for path, _ in image.paths))
        inherited = [root for root in roots if root != image.name]
        parts = ["changed"] if image.name in roots else []
        parts += [f"from {', '.join(inherited)}"] if inherited else []
        return "; ".join(parts)
