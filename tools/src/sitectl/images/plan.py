"""The image build planner: which Kolla images a change (BASE..HEAD) must rebuild, and why.

A change reaches images through their inputs: the site's template overrides
(kolla-images/templates/*.j2), kolla-build's configuration as kayobe resolves it (base
distribution and tag, namespace, registry, tag, sources, kolla_build_blocks...: anything under
etc/kayobe/ or environments/, including the tag pin file) and the kolla version pinned in
requirements.txt. Both sides are rendered with real `kolla-build --template-only`; an image is
*changed* when its Dockerfile or its kolla-build sources differ, and every changed image brings
all its descendants in kolla's image tree. Only images the site builds are planned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sitectl import git, vault
from sitectl.dump import dump
from sitectl.environments import discover, layering
from sitectl.errors import SiteError
from sitectl.images import ipa_plan, kolla, kolla_repos, requirements
from sitectl.images.model import Plan, Reason, Selected
from sitectl.progress import note
from sitectl.render import dump_sealed
from sitectl.repo import cache_dir

TEMPLATES_DIR = "kolla-images/templates/"
REQUIREMENTS = requirements.FILES
# Files that are never image inputs even inside input directories.
DOC_SUFFIXES = (".md", ".rst", ".txt")
BLOCK = re.compile(r"{%-?\s*block\s+(\w+)\s*-?%}(.*?){%-?\s*endblock", re.DOTALL)
SET = re.compile(r"{%-?\s*set\s+(\w+)\s*=(.*?)-?%}", re.DOTALL)


def is_image_input(path: str) -> bool:
    if path in REQUIREMENTS:
        return True
    if path.endswith(DOC_SUFFIXES) or path.rsplit("/", 1)[-1].startswith("README"):
        return False
    return path.startswith(("kolla-images/", "etc/kayobe/", "environments/"))


def checkout(repo: Path, ref: str) -> Path:
    """A clean checkout of REF (a git worktree, kept under .cache by commit so that its kayobe
    dump stays cached)."""
    sha = git.resolve(repo, ref)
    path = cache_dir(repo, "sitectl", "images", "trees", sha)
    if not (path / ".git").exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        git.git(repo, "worktree", "prune")
        git.git(repo, "worktree", "add", "--detach", "--force", str(path), sha)
    return path


def builder_variables(
    repo: Path, env: str | None, vault_password_file: Path | None, sealed: bool = False
) -> Mapping[str, Any]:
    """The resolved variables of the host kayobe builds images on: a container-image builder,
    else (an environment without a seed, such as an all-in-one) a controller. `sealed`: of a
    sealed copy, without the vault password (render.dump_sealed)."""
    pattern = f"{kolla.BUILDERS}:controllers"
    if sealed:
        hosts = dump_sealed(repo, env, lambda copy: dump(copy, env, hosts=pattern))
    else:
        hosts = dump(repo, env, hosts=pattern, vault_password_file=vault_password_file)
    builders = [h for h in sorted(hosts) if kolla.BUILDERS in hosts[h].get("group_names", ())]
    return hosts[(builders or sorted(hosts))[0]]


def site_render(
    tree: Path,
    env: str | None,
    vault_password_file: Path | None,
    cache_repo: Path | None = None,
    sealed: bool = False,
) -> tuple[kolla.BuildConfig, kolla.Render]:
    """kolla-build's config and render for a checkout (`tree`), cached in cache_repo's .cache."""
    config = kolla.build_config(builder_variables(tree, env, vault_password_file, sealed))
    return config, kolla.render(cache_repo or tree, config)


def template_names(text: str) -> dict[str, str]:
    """Blocks and set variables defined in a template override: {name: body}."""
    found = {f"block {m.group(1)}": m.group(2).strip() for m in BLOCK.finditer(text)}
    found.update({f"set {m.group(1)}": m.group(2).strip() for m in SET.finditer(text)})
    return found


def changed_template_names(before: str, after: str) -> set[str]:
    old, new = template_names(before), template_names(after)
    return {n for n in old.keys() | new.keys() if old.get(n) != new.get(n)}


def kolla_template_blocks(template_dir: str) -> set[str]:
    path = kolla.kolla_docker_dir() / template_dir / "Dockerfile.j2"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return set()
    return {m.group(1) for m in re.finditer(r"{%-?\s*block\s+(\w+)", text)}


def name_reaches(name: str, image: kolla.Image, all_images: Iterable[str]) -> bool:
    """Whether a block/set name of an override is this image's: a block of its own kolla
    template (other than `labels`/`footer`, which every image has), or a name that starts with
    the image's name (`neutron_server_footer`, `neutron_server_packages_append`), the longest
    such image name winning (neutron_base_x is neutron-base's, not neutron's)."""
    kind, _, ident = name.partition(" ")
    owners = [n for n in all_images if ident.startswith(n.replace("-", "_") + "_")]
    if owners:
        return max(owners, key=len) == image.name
    shared = ("labels", "footer")
    return (
        kind == "block"
        and ident not in shared
        and ident in kolla_template_blocks(image.template_dir)
    )


def plan(
    repo: Path,
    env: str | None,
    base: str,
    head: str,
    vault_password_file: Path | None = None,
    requested: str | None = None,
    sealed: bool = False,
) -> Plan:
    """requested: a regex (kolla-build's, matched anywhere in a name) of images to build
    whatever the change, e.g. for a security rebuild from a web-triggered pipeline. sealed:
    without the vault password (each checkout's dump is of a sealed copy)."""
    layering(discover(repo), env)  # an unknown environment fails here, before git
    wanted = _compile(requested)
    files = git.changed_files(repo, base, head)
    inputs = [f for f in files if is_image_input(f)]
    result = Plan(
        environment=env,
        base=base,
        head=head,
        changed_files=files,
        inputs=inputs,
        images=[],
        requested=requested,
    )
    if not inputs and wanted is None:
        note("images", f"{len(files)} files changed, none an image input: nothing to build")
        return result
    # kayobe will run: the password is checked here, on the operator's repository (a
    # checkout under .cache would name itself in the advice, a place that is sitectl's).
    if not sealed:
        vault.unlock(repo, env, vault_password_file)
        vault_password_file = vault.password_file_for_checkouts(repo, vault_password_file)

    head_tree = checkout(repo, head)
    pins = {ref: _requirements(repo, ref) for ref in (base, head)}
    old_pin, new_pin = (requirements.pin(pins[ref], "kolla") for ref in (base, head))
    direct: dict[str, list[Reason]] = {}
    if not inputs:
        _, head_render = site_render(head_tree, env, vault_password_file, repo, sealed)
    elif old_pin != new_pin:
        # Only the head can be rendered with the kolla installed here: kolla's own templates
        # changed, so every image is changed at the root of the tree.
        _, head_render = site_render(head_tree, env, vault_password_file, repo, sealed)
        requirement_files = tuple(f for f in inputs if f in REQUIREMENTS)
        reason = Reason(f"kolla {old_pin} -> {new_pin} (kolla's own templates)", requirement_files)
        direct = {n: [reason] for n, i in head_render.images.items() if i.parent is None}
    else:
        base_tree = checkout(repo, base)
        # Both sides at once: each is a kayobe run and a kolla-build run (subprocesses).
        with ThreadPoolExecutor(max_workers=2) as pool:
            head_job = pool.submit(site_render, head_tree, env, vault_password_file, repo, sealed)
            base_job = pool.submit(site_render, base_tree, env, vault_password_file, repo, sealed)
            head_config, head_render = head_job.result()
            base_config, base_render = base_job.result()
        direct = compare(
            repo, base, head, inputs, base_config, base_render, head_config, head_render
        )
        _add_newly_built(direct, base_render, head_render, inputs)
    if wanted is not None:
        _add_requested(direct, head_render, wanted, requested or "")

    result.images = select(head_render, direct)
    if inputs:  # (the checkouts' dumps are cached: the renders above made them)
        result.ipa = ipa_plan.changes(
            inputs,
            builder_variables(checkout(repo, base), env, vault_password_file, sealed),
            builder_variables(head_tree, env, vault_password_file, sealed),
            pins[base],
            pins[head],
        )
    return result


def _add_newly_built(
    direct: dict[str, list[Reason]],
    base_render: kolla.Render,
    head_render: kolla.Render,
    inputs: Sequence[str],
) -> None:
    """Images the head builds and the base did not (a service was enabled): nothing of them
    changed, but no image of theirs has been built for this site yet."""
    config_files = tuple(f for f in inputs if f not in REQUIREMENTS)
    for name in sorted(set(head_render.site_images) - set(base_render.site_images)):
        reason = Reason(
            "the environment now deploys it (overcloud_container_image_regexes)", config_files
        )
        direct.setdefault(name, []).append(reason)


def _compile(requested: str | None) -> re.Pattern[str] | None:
    if not requested:
        return None
    try:
        return re.compile(requested)
    except re.error as e:
        raise SiteError(
            f"the requested images {requested!r} are not a valid regular expression ({e}); "
            "give one as kolla-build takes them, e.g. '^nova-' or 'neutron-(server|base)'."
        ) from None


def _add_requested(
    direct: dict[str, list[Reason]], render: kolla.Render, wanted: re.Pattern[str], text: str
) -> None:
    site = sorted(render.site_images)
    matched = [name for name in site if wanted.search(name)]
    if not matched:
        raise SiteError(
            f"the requested images {text!r} match none of the {len(site)} images this "
            "environment builds; list them with: sitectl images render ENV"
        )
    for name in matched:
        direct.setdefault(name, []).append(Reason(f"requested ({text})", ()))


def _requirements(repo: Path, ref: str) -> str:
    return "\n".join(_show(repo, ref, name) for name in REQUIREMENTS)


def compare(
    repo: Path,
    base: str,
    head: str,
    inputs: Sequence[str],
    base_config: kolla.BuildConfig,
    base_render: kolla.Render,
    head_config: kolla.BuildConfig,
    head_render: kolla.Render,
) -> dict[str, list[Reason]]:
    """Directly changed images, each with the reasons found."""
    config_files = tuple(
        f for f in inputs if not f.startswith(TEMPLATES_DIR) and f not in REQUIREMENTS
    )
    template_files = [f for f in inputs if f.startswith(TEMPLATES_DIR)]
    changed_names: dict[str, set[str]] = {}
    for path in template_files:
        changed_names[path] = changed_template_names(
            _show(repo, base, path), _show(repo, head, path)
        )

    old_default = _defaults(base_config)
    new_default = _defaults(head_config)
    default_diff = [
        f"[DEFAULT] {k}: {_fmt(old_default.get(k))} -> {_fmt(new_default.get(k))}"
        for k in sorted(old_default.keys() | new_default.keys())
        if old_default.get(k) != new_default.get(k)
    ]
    generated_override_changed = base_config.template_override != head_config.template_override
    repos = kolla_repos.changes(base_config.repos_yaml, head_config.repos_yaml)

    direct: dict[str, list[Reason]] = {}
    for name, image in head_render.images.items():
        old = base_render.images.get(name)
        reasons: list[Reason] = []
        if old is None or old.dockerfile != image.dockerfile:
            reasons += _dockerfile_reasons(
                image,
                old,
                repos,
                changed_names,
                head_render.images,
                default_diff,
                generated_override_changed,
                config_files,
                inputs,
            )
        old_sources = old.sources if old else {}
        if old_sources != image.sources:
            sections = sorted(
                s
                for s in old_sources.keys() | image.sources.keys()
                if old_sources.get(s) != image.sources.get(s)
            )
            reasons.append(Reason(f"kolla-build sources [{'], ['.join(sections)}]", config_files))
        if reasons:
            direct[name] = reasons
    return direct


def _dockerfile_reasons(
    image: kolla.Image,
    old: kolla.Image | None,
    repos: Mapping[str, frozenset[str]],
    changed_names: Mapping[str, set[str]],
    all_images: Iterable[str],
    default_diff: Sequence[str],
    generated_override_changed: bool,
    config_files: tuple[str, ...],
    inputs: Sequence[str],
) -> list[Reason]:
    if old is None:
        return [Reason("image newly built by kolla-build", tuple(inputs))]
    reasons = []
    moved = sorted(
        name
        for name, urls in repos.items()
        if any(url in image.dockerfile or url in old.dockerfile for url in urls)
    )
    if moved:
        reasons.append(Reason(f"kolla-build repositories {', '.join(moved)}", config_files))
    for path, names in changed_names.items():
        mine = sorted(n for n in names if name_reaches(n, image, all_images))
        if mine:
            reasons.append(Reason(f"template override {', '.join(mine)}", (path,)))
    if default_diff:
        reasons.append(Reason("kolla-build.conf " + "; ".join(default_diff), config_files))
    if generated_override_changed and not reasons:
        reasons.append(Reason("kolla_build_blocks / kolla_build_customizations", config_files))
    if not reasons:
        # Changed by something the rules above do not name (an override block shared by every
        # image, a macro): say so with every changed input.
        shared = sorted({n for names in changed_names.values() for n in names})
        what = f"template override {', '.join(shared)}" if shared else "rendered Dockerfile"
        reasons.append(Reason(what, tuple(changed_names) or tuple(inputs)))
    return reasons


def select(render: kolla.Render, direct: Mapping[str, list[Reason]]) -> list[Selected]:
    """Changed images and all their descendants, among the images the site builds, in tree
    order (parents first), each with its paths to the changed ancestors."""
    site = set(render.site_images)
    selected: list[Selected] = []
    for name in tree_order(render):
        if name not in site:
            continue
        chain = render.ancestry(name)
        paths = []
        for index, ancestor in enumerate(chain):
            if ancestor in direct:
                paths.append((chain[: index + 1], direct[ancestor]))
        if paths:
            selected.append(Selected(name=name, paths=paths))
    return selected


def tree_order(render: kolla.Render) -> list[str]:
    children = render.children()
    roots = sorted(n for n, i in render.images.items() if i.parent is None)
    order: list[str] = []
    todo = list(roots)
    while todo:
        name = todo.pop(0)
        order.append(name)
        todo += children[name]
    return order


def _show(repo: Path, ref: str, path: str) -> str:
    try:
        return git.git(repo, "show", f"{ref}:{path}").stdout
    except SiteError:
        return ""


def _defaults(config: kolla.BuildConfig) -> dict[str, list[str]]:
    defaults = dict(config.conf_sections().get("DEFAULT", {}))
    defaults.pop("template_override", None)  # compared through the rendered Dockerfiles
    if config.registry:
        defaults["registry"] = [config.registry]
    return defaults


def _fmt(values: Iterable[str] | None) -> str:
    return "(unset)" if values is None else ",".join(values)
