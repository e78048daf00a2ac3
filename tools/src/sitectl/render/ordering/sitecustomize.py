"""Reproducible host order in the renders' Ansible.

ansible-core lists the hosts of a group that has nested child groups (`groups['all']`, kolla's
`nova-compute` through kayobe's `compute` and the site's compute groups) by walking the group
tree through Python sets of Group objects. Group has no __hash__ of its own, so those sets
iterate in memory-address order, and the same inventory lists its hosts in a different order
from one run to the next. A render would then differ from the last one in every host list,
and the config diff would report changes nobody made.

Here Group is hashed by its name instead. Equality stays identity (two groups are equal only
when they are the same object, which has one name), so the hash stays valid; with the fixed
PYTHONHASHSEED of every render the walk, and the host order, are the same on every run.
Ansible still picks one of the orders it could pick on a real run: nothing else changes.

Nothing is imported here: Ansible's modules run in processes that must find the `ansible`
package of their own payload, so the change is made when a process imports the group module.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

GROUP_MODULE = "ansible.inventory.group"


class _GroupHashing(importlib.abc.MetaPathFinder):
    """Finds GROUP_MODULE the usual way, then hashes its Group by name once it has run."""

    def find_spec(
        self,
        name: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if name != GROUP_MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            group = getattr(module, "Group", None)
            if group is not None and group.__hash__ is object.__hash__:
                group.__hash__ = lambda self: hash(self.name)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


sys.meta_path.insert(0, _GroupHashing())
