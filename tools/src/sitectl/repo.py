"""Where things are: the repository root and the paths sitectl uses inside it."""

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from sitectl.errors import SiteError

MARKER = Path("etc", "kayobe")


def is_repo(path: Path) -> bool:
    return (path / MARKER).is_dir()


def find_repo(
    explicit: Path | None = None, env: Mapping[str, str] = os.environ, cwd: Path | None = None
) -> Path:
    """The repository to work on: --repo, else the launcher's ($SITECTL_REPO), else the first
    directory upwards from the working directory that holds etc/kayobe."""
    if explicit is None and env.get("SITECTL_REPO"):
        explicit = Path(env["SITECTL_REPO"])
    if explicit is not None:
        root = explicit.expanduser().absolute()
        if not is_repo(root):
            raise SiteError(f"{root} is not a Kayobe configuration repository (no {MARKER}/).")
        return root
    start = (cwd or Path.cwd()).absolute()
    for directory in (start, *start.parents):
        if is_repo(directory):
            return directory
    raise SiteError(
        f"no Kayobe configuration repository (a directory holding {MARKER}/) at or above "
        f"{start}; run sitectl inside one, or pass --repo PATH."
    )


def kayobe_config_dir(repo: Path) -> Path:
    """KAYOBE_CONFIG_PATH: the base configuration."""
    return repo / MARKER


def environments_dir(repo: Path) -> Path:
    """Where kayobe looks for environments: etc/kayobe/environments, which here is a symlink to
    REPO/environments (returned as the target, so that messages name the real files)."""
    linked = kayobe_config_dir(repo) / "environments"
    if linked.is_symlink() and linked.is_dir():
        return Path(os.path.normpath(linked.parent / os.readlink(linked)))
    return linked if linked.is_dir() else repo / "environments"


# What sitectl itself keeps in a repository (never configuration, never committed): its cache,
# the toolchain, default report directories, generated pipelines, gitlab-ci-local's state.
STATE = (".cache", ".venv", "reports", "generated", ".gitlab-ci-local")
_IGNORE_ALL = "# Made by sitectl: nothing in this directory belongs in git.\n*\n"


def cache_dir(repo: Path, *parts: str) -> Path:
    """REPO/.cache/...: safe to delete at any time, and ignored by git whatever the
    repository's .gitignore says (see ignored())."""
    return ignored(repo / ".cache").joinpath(*parts)


def ignored(directory: Path) -> Path:
    """`directory`, with a .gitignore that ignores everything in it (as pytest does for its
    .pytest_cache): sitectl's state must not show in `git status` or reach a commit of an
    operator's repository that does not list it."""
    marker = directory / ".gitignore"
    if not marker.exists():
        directory.mkdir(parents=True, exist_ok=True)
        marker.write_text(_IGNORE_ALL, encoding="utf-8")
    return directory


def venv_bin() -> Path:
    """The bin/ directory of the virtualenv sitectl runs in (kayobe, ansible-playbook...)."""
    return Path(sys.prefix) / "bin"
