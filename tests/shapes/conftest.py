"""The shaped configurations (builder.py), built once per session, and their renders.

Every render goes to one render cache of the session, so the tests share them: each shape's
keystone render of `main` is made once, whatever test asks first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from sitectl.render import passwords, render

from .builder import PASSWORD, SHAPES, Shape, commit, git

SERVICES = ["keystone"]  # cheap, and it reads kolla passwords, SSH keys and the database


@dataclass(frozen=True)
class Built:
    shape: Shape
    repo: Path
    password_file: Path
    cache: Path  # the session's render cache

    def render(self, env: str | None, ref: str = "main", **options: object) -> Path:
        options.setdefault("services", SERVICES)
        options.setdefault("vault_password_file", self.password_file)
        return render(self.repo, env, ref=ref, cache_dir=self.cache, **options)  # type: ignore[arg-type]

    def branch(self, name: str, files: dict[str, str | None], start: str = "main") -> str:
        """A branch off `start` that writes (or, for None, deletes) `files`; its commit."""
        git(self.repo, "checkout", "-q", "-b", name, start)
        try:
            for relative, text in files.items():
                path = self.repo / relative
                if text is None:
                    path.unlink()
                else:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(text)
            return commit(self.repo, f"change on {name}")
        finally:
            git(self.repo, "checkout", "-q", "main")

    def secrets(self) -> set[str]:
        """The shape's own vaulted plaintexts, the vault password, and every generated
        stand-in password: none may appear in any output."""
        pool, _ = passwords.pool(self.cache)
        found = set(self.shape.secrets) | {PASSWORD}
        for value in pool.values():
            leaves = value.values() if isinstance(value, dict) else [value]
            found |= {str(leaf) for leaf in leaves if leaf is not None and len(str(leaf)) >= 8}
        return found


@pytest.fixture(scope="session")
def shapes_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shapes")


@pytest.fixture(scope="session")
def render_cache(shapes_root: Path) -> Path:
    return shapes_root / "render-cache"


def _build(name: str, root: Path, cache: Path) -> Built:
    password_file = root / f"{name}.vault-password"
    password_file.write_text(PASSWORD + "\n")
    repo = SHAPES[name].build(root / name)
    (repo / ".gitignore").write_text(".cache/\n")
    commit(repo, "ignore caches")
    return Built(SHAPES[name], repo, password_file, cache)


@pytest.fixture(scope="session")
def flat(shapes_root: Path, render_cache: Path) -> Built:
    return _build("flat", shapes_root, render_cache)


@pytest.fixture(scope="session")
def nested(shapes_root: Path, render_cache: Path) -> Built:
    return _build("nested", shapes_root, render_cache)


@pytest.fixture(scope="session")
def shape(request: pytest.FixtureRequest) -> Iterator[Built]:
    """Parametrised indirectly with a shape's name."""
    yield request.getfixturevalue(request.param)


def read_yaml(path: Path) -> object:
    return yaml.safe_load(path.read_text())
