"""What Ansible code reads: the index of the variables a toolchain (kayobe, kolla-ansible) or a
site's own code names or builds at run time.

    from sitectl import readers
    toolchain = readers.toolchain_index()      # this environment's, cached per toolchain
    toolchain.kayobe.reads("kolla_enable_prometheus")        -> why, or None
    site = readers.build([readers.Source("site", repo / "ansible")])

Used by validate's variable-unread rule, and by anything that asks which variables one release
reads and another does not.
"""

from sitectl.readers.extract import NAME, Family, identifiers
from sitectl.readers.index import Index, Source, build, parse_yaml
from sitectl.readers.toolchain import ABSENT, Toolchain, kolla_templates, sources, versions
from sitectl.readers.toolchain import index as toolchain_index

__all__ = [
    "ABSENT",
    "NAME",
    "Family",
    "Index",
    "Source",
    "Toolchain",
    "build",
    "identifiers",
    "kolla_templates",
    "parse_yaml",
    "sources",
    "toolchain_index",
    "versions",
]
