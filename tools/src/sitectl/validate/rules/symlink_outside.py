"""symlink-outside: a symbolic link of the configuration leads outside the repository.

kayobe and kolla-ansible follow links, so a link out of the repository (absolute, climbing out
with `../`, or a chain of links that ends outside, dangling or not) puts a file of whichever
machine runs them into the configuration: into a render's output and cache, and into the
config diff's report. sitectl refuses to render or diff such a configuration
(sitectl.config_tree decides, for every command alike); this rule names each such link that
kayobe reads for the environment: every one of the configuration (etc/kayobe and what it
links to, ansible/...) but those in the directories of environments outside its layering.
A link that stays inside the repository is fine, absolute or relative.

Example of bad input::

    # a symbolic link, committed or not:
    environments/site/kolla/config/nova/vendordata.json -> /etc/shadow
    etc/kayobe/kolla/config/nova/nova.conf -> ../../../../../../etc/nova/nova.conf
"""

from collections.abc import Iterator

from sitectl import config_tree
from sitectl.repo import environments_dir
from sitectl.validate.files import FileContext, relative
from sitectl.validate.finding import Finding
from sitectl.validate.stages import FILES

ID = "symlink-outside"
DESCRIPTION = "a symbolic link of the configuration leads outside the repository"
STAGE = FILES

HINT = config_tree.ADVICE


def check(ctx: FileContext) -> Iterator[Finding]:
    names = [name for name in config_tree.working_tree_files(ctx.repo) if _read(ctx, name)]
    tree = config_tree.DiskTree(ctx.repo)
    for escape in config_tree.escapes(tree, names, config_tree.roots(ctx.repo)):
        yield Finding(ID, ctx.environment, None, escape.link, None, escape.problem(), HINT)


def _read(ctx: FileContext, name: str) -> bool:
    """Whether kayobe reads `name` (relative to the repository) for this environment: any
    configuration file but those of environments outside its layering."""
    if not config_tree.is_configuration(name):
        return False
    environments = relative(ctx.repo, environments_dir(ctx.repo)) + "/"
    if not name.startswith(environments):
        return True
    layers = ctx.layering if ctx.layering is not None else (ctx.environment,)
    return name.removeprefix(environments).split("/", 1)[0] in layers
