"""Where the site set an option: the INI files of its kolla config overrides
(etc/kayobe/kolla/config and each layered environment's kolla/config), which kolla-ansible
merges over its own templates."""

from __future__ import annotations

from pathlib import Path

from sitectl import environments
from sitectl.repo import environments_dir, kayobe_config_dir


class SiteSources:
    """Where the site's kolla config overrides (etc/kayobe/kolla/config and each layered
    environment's kolla/config) set an option: the INI files kolla-ansible merges."""

    def __init__(self, repo: Path, env: str | None) -> None:
        known = environments.discover(repo)
        roots = [kayobe_config_dir(repo) / "kolla" / "config"]
        roots += [
            environments_dir(repo) / e / "kolla" / "config"
            for e in environments.layering(known, env)
        ]
        self.repo = repo
        self.files = [
            p
            for root in roots
            if root.is_dir()
            for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix in (".conf", ".ini")
        ]

    def find(self, name: str, section: str, option: str) -> tuple[str, int] | None:
        """The last site file (in kolla-ansible's merge order: later layers win) that sets
        [section] option, for a rendered file called `name`."""
        hit = None
        stem = Path(name).stem
        for path in self.files:
            if path.name not in (name, "global.conf") and not path.name.startswith(stem):
                continue
            line = _line_of(path, section, option)
            if line is not None:
                hit = (path.relative_to(self.repo).as_posix(), line)
        return hit


def _line_of(path: Path, section: str, option: str) -> int | None:
    """The line of `option` in [section] of an INI file (of the [section] header when
    option is empty)."""
    current = "DEFAULT"
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            if not option and current == section:
                return number
        elif option and current == section and line.split("=", 1)[0].strip() == option:
            return number
    return None
