"""Every normalisation applied to rendered text, in one place.

A render runs in private scratch directories with a throwaway SSH key, so a few values in
kayobe's variables and kolla's files would change from one run (or machine) to the next
although the configuration did not. Each is replaced by a fixed placeholder, before secrets
are redacted (so that the throwaway key gets a stable token). The list, in the order applied:

  <render:repo>             the configuration being rendered (a snapshot of the ref or of the
                            working tree, in a scratch directory)
  <render:kolla-config>     KOLLA_CONFIG_PATH of the run (kayobe writes globals.yml, passwords
                            and the inventory there; a scratch directory)
  <render:node-config>      the directory the host's service configuration is generated into
                            (`--node-config-dir`; /etc/kolla on a real host)
  <render:home>             $HOME of the run (a scratch directory holding the throwaway key)
  <render:stand-ins>        the render harness's stand-ins (tools/src/sitectl/render/standins)
  <render:scratch>          anything else in the run's scratch directory
  <render:venv>             the toolchain's virtualenv (machine-dependent path)
  <render:ssh-private-key>  the throwaway SSH key standing in for the operator's own
  <render:ssh-public-key>   (kayobe passes ~/.ssh/id_rsa[.pub] to kolla as kolla_ssh_key)
  __omit_place_holder__     Ansible's `omit` value carries a random suffix in each run
Timestamps: neither kayobe's dump nor kolla-ansible's genconfig writes any (checked on full
renders of every environment here); render.json holds none and timing goes to stderr only.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PLACEHOLDER = "<render:{}>"
_OMIT = re.compile(r"__omit_place_holder__[0-9a-f]+")


@dataclass(frozen=True)
class Normaliser:
    """Replaces run-specific paths and key material by fixed placeholders.

    `paths` maps a placeholder name to the directory it stands for (most specific first: a
    path inside another is replaced before it); `literals` maps a placeholder name to an exact
    text (the throwaway key's halves).
    """

    paths: Mapping[str, Path]
    literals: Mapping[str, str] = field(default_factory=dict)

    def text(self, text: str) -> str:
        for name, value in self.literals.items():
            if value:
                text = text.replace(value, PLACEHOLDER.format(name))
        # Longest first, so that a directory inside another keeps its own name.
        for name, path in sorted(self.paths.items(), key=lambda item: -len(str(item[1]))):
            text = _replace_path(text, str(path), PLACEHOLDER.format(name))
        return _OMIT.sub("__omit_place_holder__", text)

    def data(self, obj: object) -> object:
        if isinstance(obj, dict):
            return {
                (self.text(k) if isinstance(k, str) else k): self.data(v) for k, v in obj.items()
            }
        if isinstance(obj, list | tuple):
            return [self.data(item) for item in obj]
        if isinstance(obj, str):
            return self.text(obj)
        return obj


def _replace_path(text: str, path: str, placeholder: str) -> str:
    """Replace `path` where it is a whole path or a path's leading part (not /a/bc for /a/b)."""
    if not path or path == "/":
        return text
    return re.sub(re.escape(path) + r"(?=/|[^\w.\-]|$)", lambda _: placeholder, text)
