"""Ansible's `password` lookup as sitectl's kayobe runs (dumps and renders) see it
(ANSIBLE_LOOKUP_PLUGINS, set by sitectl.kayobe.environment; never for `sitectl kayobe`).

`lookup('password', FILE)` reads FILE, or, when FILE does not exist, makes up a random password
and writes it there. sitectl works on configurations where such a file (kept out of git by the
site, or made on the deploy host) does not exist: every render would make up a new value, every
config diff would show secrets changed that no commit touched, and a dump would write files
into the operator's repository.

Here a FILE that exists is read by Ansible's own lookup, as always. For one that does not, the
value comes from Ansible's own lookup on /dev/null (which writes nothing) with a seed of its
own, unless the term gives one: an HMAC of FILE's path inside the configuration (ROOT_VARIABLE),
keyed by SEED_KEY_VARIABLE (the vault password). The same file gets the same stand-in value in
every run on both sides of a diff, and nothing is written. Each value made up is appended to
GENERATED_VARIABLE's file, so that sitectl redacts it like any secret.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from ansible.plugins.loader import lookup_loader
from ansible.plugins.lookup import LookupBase

SEED_KEY_VARIABLE = "SITECTL_LOOKUP_SEED_KEY"
ROOT_VARIABLE = "SITECTL_LOOKUP_ROOT"
GENERATED_VARIABLE = "SITECTL_LOOKUP_GENERATED"


def seed(path: str, root: str, key: str) -> str:
    """The seed for `path`: keyed, and the same wherever the configuration was copied."""
    relative = os.path.relpath(path, root) if path.startswith(root + os.sep) else path
    return hmac.new(key.encode(), relative.encode(), hashlib.sha256).hexdigest()


class LookupModule(LookupBase):
    def run(self, terms: list[Any], variables: Any = None, **kwargs: Any) -> list[Any]:
        builtin = lookup_loader.get(
            "ansible.builtin.password", loader=self._loader, templar=self._templar
        )
        key, root = os.environ.get(SEED_KEY_VARIABLE), os.environ.get(ROOT_VARIABLE, "")
        values: list[Any] = []
        for term in terms:
            text = str(term)
            relpath = text.split(" ", 1)[0]
            path = self._loader.path_dwim(relpath)
            if os.path.exists(path):
                values += builtin.run([text], variables, **kwargs)
                continue
            parameters = text[len(relpath) :]
            if key and "seed=" not in parameters and "seed" not in kwargs:
                parameters += f" seed={seed(path, root, key)}"
            found = builtin.run([f"/dev/null{parameters}"], variables, **kwargs)
            _record(found)
            values += found
        return values


def _record(values: list[Any]) -> None:
    target = os.environ.get(GENERATED_VARIABLE)
    if not target:
        return
    with open(target, "a", encoding="utf-8") as handle:
        for value in values:
            handle.write(f"{value}\n")
