"""kolla-build's configuration and image tree, from kayobe's resolved variables.

`build_config` writes the same kolla-build.conf and template-override.j2 that kayobe's
`kolla-build` role writes (it renders kayobe's own templates with the resolved `kolla_*`
variables). `render` runs real `kolla-build --template-only` on it, offline and without a
container engine, and reads the image tree from the rendered Dockerfiles' FROM lines, as kolla's
own `KollaWorker.find_parents` does. Renders are cached under REPO/.cache/sitectl/images, keyed
by a hash of every input.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2

from sitectl import outdir
from sitectl.errors import SiteError
from sitectl.files import write_atomically
from sitectl.images import kolla_repos
from sitectl.progress import step
from sitectl.repo import cache_dir, venv_bin

CACHE_FORMAT = "sitectl-images-1"
CACHE_ENTRIES = 32
DEFAULT_ARCH = "x86_64"
# The host group kayobe builds container images on.
BUILDERS = "container-image-builders"
# The variables of kayobe's kolla-build role templates.
KOLLA_VARIABLES = (
    "kolla_base_distro",
    "kolla_base_distro_version",
    "kolla_base_arch",
    "kolla_docker_namespace",
    "kolla_docker_registry",
    "kolla_tag",
    "kolla_sources",
    "kolla_build_blocks",
    "kolla_build_customizations",
    "kolla_build_extra_config",
    "overcloud_container_image_regexes",
)


def kayobe_role_templates() -> Path:
    """kayobe's kolla-build role templates, installed with kayobe."""
    return Path(sys.prefix, "share", "kayobe", "ansible", "roles", "kolla-build", "templates")


def kolla_docker_dir() -> Path:
    """kolla's own image templates (docker/<group>/<image>/Dockerfile.j2)."""
    import kolla  # the real package, in this venv

    return Path(kolla.__file__).parent / "docker"


@dataclass(frozen=True)
class BuildConfig:
    """What kolla-build is given: kolla-build.conf, the template override kayobe generates from
    kolla_build_blocks/customizations, the site's template override files, the registry (a
    command-line option in kayobe) and which images the site builds."""

    conf: str
    template_override: str
    override_files: tuple[tuple[str, str], ...]  # (path as in the conf, content)
    registry: str | None
    site_regexes: tuple[str, ...]
    # "<release>-<distro>-<version>": what kayobe's default kolla_tag is made of; new build
    # tags start with it.
    tag_prefix: str = ""
    # kolla-build's repos.yaml override (kolla_repos.merged), or None: kolla's own repositories.
    repos_yaml: str | None = None

    def key(self) -> str:
        digest = hashlib.sha256()
        conf = self.conf
        for index, (path, _) in enumerate(self.override_files):  # where a checkout is: not an input
            conf = conf.replace(path, f"<template override {index}>")
        for part in (
            CACHE_FORMAT,
            metadata.version("kolla"),
            Path(__file__).read_text(encoding="utf-8"),  # the code that makes a Render
            conf,
            self.template_override,
            json.dumps([content for _, content in self.override_files]),
            self.registry or "",
            json.dumps(self.site_regexes),  # which images the site builds
            self.repos_yaml or "",
        ):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def image_prefix(self) -> str:
        """registry/namespace/: an image's canonical name without its name and tag."""
        default = self.conf_sections().get("DEFAULT", {})
        namespace = default.get("namespace", ["kolla"])[-1]
        return f"{self.registry}/{namespace}/" if self.registry else f"{namespace}/"

    def conf_sections(self) -> dict[str, dict[str, list[str]]]:
        """kolla-build.conf as {section: {option: [values]}} (repeated sections merge and
        repeated options accumulate, as in oslo.config)."""
        return parse_conf(self.conf)


def parse_conf(text: str) -> dict[str, dict[str, list[str]]]:
    sections: dict[str, dict[str, list[str]]] = {}
    current = sections.setdefault("DEFAULT", {})
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), {})
            continue
        name, _, value = line.partition("=")
        current.setdefault(name.strip().replace("-", "_"), []).append(value.strip())
    return sections


def _unresolved(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value


def build_config(variables: Mapping[str, Any], config_path: str = "/kolla-build") -> BuildConfig:
    """kolla-build's input from one builder host's resolved variables (kayobe's dump)."""
    missing = [n for n in ("kolla_base_distro", "kolla_tag") if n not in variables]
    if missing:
        raise SiteError(f"the resolved configuration has no {', '.join(missing)}.")
    values = {name: variables.get(name) for name in KOLLA_VARIABLES}
    # kayobe's kolla-build.yml playbook: kolla_base_tag is the distribution version.
    values["kolla_base_tag"] = variables.get("kolla_base_distro_version")
    if values["kolla_base_arch"] in (None, "") or _unresolved(values["kolla_base_arch"]):
        values["kolla_base_arch"] = DEFAULT_ARCH  # ansible_facts.architecture: not in a dump
    values["kolla_sources"] = values["kolla_sources"] or {}
    values["kolla_build_blocks"] = values["kolla_build_blocks"] or {}
    values["kolla_build_customizations"] = values["kolla_build_customizations"] or {}
    values["kolla_build_config_path"] = config_path
    values["kayobe_managed"] = "This file is managed by Kayobe."
    repos_yaml = kolla_repos.merged(variables)
    if repos_yaml is not None:
        values["kolla_build_repos_yaml_path"] = f"{config_path}/repos.yml"
    if values["kolla_build_extra_config"] in (None, ""):
        values.pop("kolla_build_extra_config")
    for name, value in values.items():
        if _unresolved(value):
            raise SiteError(f"{name} did not resolve: {value!r}")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(kayobe_role_templates())),
        keep_trailing_newline=True,
        trim_blocks=True,  # as Ansible's template module
        undefined=jinja2.StrictUndefined,
    )
    env.filters["to_json"] = json.dumps
    env.filters["zip"] = lambda a, b: zip(a, b, strict=False)
    conf = env.get_template("kolla/kolla-build.conf").render(values)
    override = env.get_template("template-override.j2.j2").render(values)
    override_files = []
    for path in parse_conf(conf).get("DEFAULT", {}).get("template_override", []):
        if path == f"{config_path}/template-override.j2":
            continue
        try:
            override_files.append((path, Path(path).read_text(encoding="utf-8")))
        except OSError as e:
            raise SiteError(f"template override {path} cannot be read: {e.strerror}") from None
    regexes = tuple(grep_to_python(r) for r in values["overcloud_container_image_regexes"] or ())
    return BuildConfig(
        conf=conf,
        template_override=override,
        override_files=tuple(override_files),
        registry=values["kolla_docker_registry"] or None,
        site_regexes=regexes,
        repos_yaml=repos_yaml,
        tag_prefix="-".join(
            str(variables.get(n))
            for n in ("kolla_openstack_release", "kolla_base_distro", "kolla_base_distro_version")
        ),
    )


def grep_to_python(regex: str) -> str:
    r"""kayobe's image regexes are written for a shell (`neutron-\(server\|metadata-agent\)`):
    what kolla-build receives once the shell has removed the backslashes."""
    return re.sub(r"\\([()|])", r"\1", regex)


@dataclass
class Image:
    name: str
    parent: str | None  # None: the base image, whose FROM is the distribution's image
    dockerfile: str
    template_dir: str  # relative to kolla's docker/ (e.g. neutron/neutron-server)
    sources: dict[str, dict[str, list[str]]] = field(default_factory=dict)


@dataclass
class Render:
    """kolla's image tree and Dockerfiles for one BuildConfig."""

    images: dict[str, Image]
    site_images: tuple[str, ...]  # the images the site builds, and their ancestors

    def children(self) -> dict[str, list[str]]:
        tree: dict[str, list[str]] = {name: [] for name in self.images}
        for image in self.images.values():
            if image.parent:
                tree[image.parent].append(image.name)
        return {name: sorted(kids) for name, kids in tree.items()}

    def descendants(self, name: str) -> list[str]:
        tree = self.children()
        found: list[str] = []
        todo = list(tree[name])
        while todo:
            child = todo.pop(0)
            found.append(child)
            todo += tree[child]
        return found

    def ancestry(self, name: str) -> list[str]:
        """name, its parent, ... up to base."""
        chain = [name]
        while (parent := self.images[chain[-1]].parent) is not None:
            chain.append(parent)
        return chain

    def to_json(self) -> dict[str, Any]:
        return {
            "images": {
                n: {
                    "parent": i.parent,
                    "dockerfile": i.dockerfile,
                    "template_dir": i.template_dir,
                    "sources": i.sources,
                }
                for n, i in self.images.items()
            },
            "site_images": list(self.site_images),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Render:
        images = {n: Image(name=n, **fields) for n, fields in data["images"].items()}
        return cls(images=images, site_images=tuple(data["site_images"]))


DOCKERFILES = outdir.kind("rendered Dockerfile tree")


def render(repo: Path, config: BuildConfig, keep_dir: Path | None = None) -> Render:
    """Real `kolla-build --template-only` over every image, cached by the inputs' hash.

    keep_dir: also leave the rendered tree (docker/<...>/<image>/Dockerfile) there.
    """
    if keep_dir is not None:
        keep_dir = outdir.check(keep_dir, DOCKERFILES)
    key = config.key()
    cached_file = cache_dir(repo, "sitectl", "images") / f"{key}.json"
    if keep_dir is None:
        try:
            data = json.loads(cached_file.read_text(encoding="utf-8"))
            if data.get("format") == CACHE_FORMAT:
                return Render.from_json(data["render"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    with tempfile.TemporaryDirectory(prefix="sitectl-kolla-") as tmp:
        work = Path(tmp)
        result = _run_kolla(config, work)
        if keep_dir is not None:
            with outdir.replacing(keep_dir, DOCKERFILES) as staging:
                shutil.copytree(work / "work" / "docker", staging, dirs_exist_ok=True)
    _write_cache(cached_file, {"format": CACHE_FORMAT, "render": result.to_json()})
    return result


def write_config(config: BuildConfig, directory: Path) -> Path:
    """kolla-build.conf, kayobe's generated template-override.j2 and the merged repos.yml in
    `directory`, with the conf pointing at those copies; returns the conf's path."""
    directory.mkdir(parents=True, exist_ok=True)
    generated = directory / "template-override.j2"
    generated.write_text(config.template_override, encoding="utf-8")
    # The conf names kayobe's config path for these files: point it here.
    conf = re.sub(
        r"^template_override=.*/template-override\.j2$",
        f"template_override={generated}",
        config.conf,
        count=1,
        flags=re.MULTILINE,
    )
    if config.repos_yaml is not None:
        repos = directory / "repos.yml"
        repos.write_text(config.repos_yaml, encoding="utf-8")
        conf = re.sub(r"^repos_yaml=.*$", f"repos_yaml={repos}", conf, count=1, flags=re.MULTILINE)
    path = directory / "kolla-build.conf"
    path.write_text(conf, encoding="utf-8")
    return path


def _run_kolla(config: BuildConfig, work: Path) -> Render:
    conf = write_config(config, work / "config")
    command = [
        str(venv_bin() / "kolla-build"),
        "--config-file",
        str(conf),
        "--template-only",
        "--work-dir",
        str(work / "work"),
        "--logs-dir",
        str(work / "logs"),
    ]
    if config.registry:
        command += ["--registry", config.registry]
    with step("images", "kolla-build --template-only (every image)"):
        proc = subprocess.run(
            command, capture_output=True, text=True, check=False, env=_quiet_env()
        )
    if proc.returncode != 0:
        raise SiteError(
            "kolla-build --template-only failed:", proc.stderr.strip().splitlines()[-20:]
        )
    return read_tree(work / "work" / "docker", config)


def _quiet_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DOCKER_HOST", None)  # never talk to an engine, even if one is configured
    env["DOCKER_HOST"] = "unix:///nonexistent/sitectl-no-engine.sock"
    return env


FROM_LINE = re.compile(r"^FROM\s+(\S+)", re.MULTILINE | re.IGNORECASE)


def read_tree(docker_dir: Path, config: BuildConfig) -> Render:
    """Images and parents from rendered Dockerfiles, matched on canonical names as kolla does."""
    sections = config.conf_sections()
    default = sections.get("DEFAULT", {})
    namespace = default.get("namespace", ["kolla"])[-1]
    if config.registry:
        namespace = f"{config.registry}/{namespace}"
    tag = default.get("tag", ["latest"])[-1]
    found: dict[str, tuple[str, str, str]] = {}
    for dockerfile in sorted(docker_dir.rglob("Dockerfile")):
        text = dockerfile.read_text(encoding="utf-8")
        match = FROM_LINE.search(text)
        found[dockerfile.parent.name] = (
            match.group(1) if match else "",
            text,
            dockerfile.parent.relative_to(docker_dir).as_posix(),
        )
    canonical = {f"{namespace}/{name}:{tag}": name for name in found}
    images = {}
    for name, (parent_ref, text, template_dir) in found.items():
        images[name] = Image(
            name=name,
            parent=canonical.get(parent_ref),
            dockerfile=text,
            template_dir=template_dir,
            sources=image_sources(name, sections),
        )
    site = site_images(images, config.site_regexes)
    return Render(images=images, site_images=site)


def image_sources(name: str, sections: Mapping[str, Mapping[str, list[str]]]) -> dict:
    """The conf sections kolla reads for an image: NAME, NAME-plugin-*, NAME-additions-*."""
    pattern = re.compile(rf"^{re.escape(name)}(-plugin-.+|-additions-.+)?$")
    return {s: dict(v) for s, v in sorted(sections.items()) if pattern.match(s)}


def site_images(images: Mapping[str, Image], regexes: Iterable[str]) -> tuple[str, ...]:
    """The images the site builds (kolla's regex match, as in KollaWorker.filter_images) and
    their ancestors, which kolla builds with them."""
    regexes = list(regexes)
    if not regexes:
        return tuple(sorted(images))
    pattern = re.compile("(" + "|".join(regexes) + ")")
    chosen: set[str] = set()
    for name in images:
        if pattern.search(name):
            current: str | None = name
            while current is not None and current not in chosen:
                chosen.add(current)
                current = images[current].parent
    return tuple(sorted(chosen))


def _write_cache(path: Path, content: Mapping[str, Any]) -> None:
    write_atomically(path, json.dumps(content, sort_keys=True))
    olds = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in olds[CACHE_ENTRIES:]:
        old.unlink(missing_ok=True)
