"""The index of what a body of Ansible code reads: built from files, for a toolchain or for a
site's own code.

    index = build([Source("kayobe", kayobe_ansible_dir), ...])
    index.reads("kolla_enable_prometheus")   -> why it is read, or None

Read: every identifier the files mention (sitectl.readers.extract), the names their dynamic
lookups resolve to, anything a family of run-time names matches, and `<network>_<attribute>`
for the networks given to `reads` (kayobe's and kolla-ansible's network plugins build those
names from a network name and an attribute named in the plugins). `defined` holds the names the
code gives a value (role defaults and vars, group_vars, feature flags it resolves): the names a
misspelling is compared with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sitectl.readers.extract import (
    NAME,
    Built,
    Family,
    identifiers,
    jinja_built,
    loop_items,
    python_families,
)

TEXT_SUFFIXES = frozenset({".yml", ".yaml", ".j2", ".py", ".json", ".cfg", ".conf", ".ini", ""})
SKIPPED_DIRS = frozenset({"molecule", "tests", "__pycache__", ".git"})
DEFINING_DIRS = frozenset({"defaults", "vars", "group_vars", "host_vars"})
LOOP_KEYS = ("loop", "with_items", "with_list")
# A family with no literal part but `_` could be any name. Python plugins format such names
# only in kayobe's network filters (`"%s_%s" % (network, attribute)`), which `reads` resolves
# with the site's networks and the attributes the plugins name; in Jinja, one left after
# resolution makes the index unable to tell what is unread (Index.open_families).
OPEN = re.compile(r"^_?$")
RENAMED = re.compile(r"(?i)\[?deprecated name\]?:?\s+`?([A-Za-z_][A-Za-z0-9_]*)")
JINJA_CODE = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)


@dataclass(frozen=True)
class Source:
    """A tree of reader code: `name` says whose (kayobe, kolla-ansible, the site). Files are
    read only where they (links followed) lie inside `boundary` (default: the tree itself)."""

    name: str
    root: Path
    boundary: Path | None = None
    skipped: frozenset[str] = frozenset()  # file names that are not code (secrets)


@dataclass
class Index:
    names: set[str] = field(default_factory=set)
    families: list[Family] = field(default_factory=list)
    network_attributes: set[str] = field(default_factory=set)
    defined: set[str] = field(default_factory=set)
    open_families: list[Family] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)  # old name -> the name documented now

    def reads(self, name: str, networks: Iterable[str] = ()) -> str | None:
        """Why `name` is read (a short phrase), or None when nothing here reads it."""
        if name in self.names:
            return "named"
        for family in self.families:
            if family.matches(name):
                return f"built at run time as {family.pattern} ({family.where})"
        for network in networks:
            if name.startswith(f"{network}_") and name[len(network) + 1 :] in (
                self.network_attributes
            ):
                return f"an attribute of network {network}"
        return None

    def merged(self, other: Index) -> Index:
        return Index(
            self.names | other.names,
            self.families + other.families,
            self.network_attributes | other.network_attributes,
            self.defined | other.defined,
            self.open_families + other.open_families,
            {**self.renames, **other.renames},
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "names": sorted(self.names),
            "families": [family.__dict__ for family in self.families],
            "network_attributes": sorted(self.network_attributes),
            "defined": sorted(self.defined),
            "open_families": [family.__dict__ for family in self.open_families],
            "renames": self.renames,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Index:
        return cls(
            set(data["names"]),
            [Family(**family) for family in data["families"]],
            set(data["network_attributes"]),
            set(data["defined"]),
            [Family(**family) for family in data["open_families"]],
            dict(data["renames"]),
        )


def build(sources: Iterable[Source]) -> Index:
    sources = list(sources)
    files = [(source, path) for source in sources for path in _files(source)]
    texts = {path: _read(path) for _, path in files}
    parsed = _Parsed(texts)
    lists = _list_variables(parsed)
    index = Index()
    for source, path in files:
        text = texts[path]
        if text is None:
            continue
        where = f"{source.name}:{path.relative_to(source.root)}"
        index.names |= _mentioned(path, text, parsed)
        if path.suffix == ".py":
            index.network_attributes |= _quoted_names(text)
            index.families += [f for f in python_families(text, where) if _joined(f)]
            continue
        yaml_file = path.suffix in (".yml", ".yaml")
        built = list(jinja_built(text, where, lists, items=not yaml_file))
        if yaml_file:
            built += _task_loops(parsed[path], where, lists)
        for each in built:
            index.names.update(each.names)
            index.defined.update(each.names)
            if each.family is not None and _open(each.family):
                index.open_families.append(each.family)
            elif each.family is not None:
                index.families.append(each.family)
        index.defined |= _defined(path, parsed)
        index.renames.update(_renames(path, text))
    return index


def _joined(family: Family) -> bool:
    """A Python family that joins a name part with `_` (`"%s_ips" % net`, `"ansible_%s_"
    ...`): what plugins build variable names with; other formats and concatenations in Python
    (`'k' + key`, `"%s" % value`) build no variable's name."""
    return family.prefix.endswith("_") or (family.suffix.startswith("_") and family.suffix != "_")


def _open(family: Family) -> bool:
    return bool(OPEN.match(family.prefix) and OPEN.match(family.suffix))


def _task_loops(data: Any, where: str, lists: dict[str, tuple[str, ...]]) -> Iterator[Built]:
    """Lookups by loop item (`vars[item]`) in the tasks of a YAML file, resolved with each
    task's own loop: its literal items, or the list variable it loops over."""
    if isinstance(data, list):
        for item in data:
            yield from _task_loops(item, where, lists)
        return
    if not isinstance(data, dict):
        return
    loop_key = next((key for key in LOOP_KEYS if key in data), None)
    if loop_key is not None:
        loop = data[loop_key]
        items = loop_items(loop)
        if items is None and isinstance(loop, str):
            named = re.fullmatch(r"\s*\{\{\s*([A-Za-z_]\w*)\s*\}\}\s*", loop)
            items = lists.get(named[1]) if named else None
        body = "\n".join(_strings({k: v for k, v in data.items() if k != loop_key}))
        task = f"{where} (task {data.get('name', '?')})"
        yield from jinja_built(body, task, {**lists, "item": items} if items else lists)
    for value in data.values():
        if isinstance(value, (list, dict)):
            yield from _task_loops(value, where, lists)


def _files(source: Source) -> Iterator[Path]:
    root = source.root
    if not root.is_dir() or not root.resolve().is_relative_to((source.boundary or root).resolve()):
        return
    inside = (source.boundary or root).resolve()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).parts
        if SKIPPED_DIRS & set(relative) or path.name in source.skipped or not path.is_file():
            continue
        if not path.resolve().is_relative_to(inside):
            continue  # a link out of the tree: not this code's
        if path.suffix in TEXT_SUFFIXES or "group_vars" in relative or "host_vars" in relative:
            yield path


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


class _AnyTagLoader(yaml.SafeLoader):
    pass


_AnyTagLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def parse_yaml(text: str) -> Any:
    """YAML text parsed with every tag (`!vault`, `!unsafe`) read as None; None when it is
    not YAML."""
    try:
        return yaml.load(text, Loader=_AnyTagLoader)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return None


class _Parsed(dict[Path, Any]):
    """Each file's text parsed as YAML (None: not YAML), once per build however many
    questions are asked of it."""

    def __init__(self, texts: dict[Path, str | None]) -> None:
        super().__init__()
        self.texts = texts

    def __missing__(self, path: Path) -> Any:
        text = self.texts.get(path)
        self[path] = data = None if text is None else parse_yaml(text)
        return data


def _strings(data: Any) -> Iterator[str]:
    """Every key and string value of parsed YAML (its comments are gone)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item)


def _mentioned(path: Path, text: str, parsed: _Parsed) -> set[str]:
    """The identifiers a file can read: a YAML file's keys and values (not its comments); a
    template's expressions and statements (not its literal text, which is output); anything
    else whole."""
    if path.suffix == ".j2" or ("templates" in path.parts and path.suffix != ".py"):
        return identifiers(" ".join(f"{a} {b}" for a, b in JINJA_CODE.findall(text)))
    if path.suffix in (".yml", ".yaml") or {"group_vars", "host_vars"} & set(path.parts):
        data = parsed[path]
        if data is not None:
            return identifiers("\n".join(_strings(data)))
    return identifiers(text)


def _list_variables(parsed: _Parsed) -> dict[str, tuple[str, ...]]:
    """Variables the code defines as a literal list of names (kayobe's kolla_feature_flags):
    what a loop over them can build."""
    found: dict[str, tuple[str, ...]] = {}
    for path, text in parsed.texts.items():
        if text is None or (path.suffix not in (".yml", ".yaml") and "group_vars" not in str(path)):
            continue
        data = parsed[path]
        for key, value in data.items() if isinstance(data, dict) else ():
            if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                found.setdefault(str(key), tuple(value))
    return found


def _defined(path: Path, parsed: _Parsed) -> set[str]:
    """Top-level keys of role defaults and vars, group_vars and host_vars."""
    if not DEFINING_DIRS & set(path.parts):
        return set()
    data = parsed[path]
    return {str(k) for k in data if NAME.match(str(k))} if isinstance(data, dict) else set()


def _renames(path: Path, text: str) -> dict[str, str]:
    """Old names the code documents for its variables: `# [DEPRECATED NAME] old` (or
    `# Deprecated name: old`) in the comment above `new:` in defaults, vars or group_vars."""
    if not DEFINING_DIRS & set(path.parts):
        return {}
    found, olds = {}, []
    for line in text.splitlines():
        if line.startswith("#"):
            olds += RENAMED.findall(line)
            continue
        defined = re.match(r"^([A-Za-z_][A-Za-z0-9_]*):", line)
        if defined:
            found.update({old: defined[1] for old in olds})
        olds = []
    return found


def _quoted_names(text: str) -> set[str]:
    """Names a Python plugin quotes: the attributes `net_attr(context, name, 'cidr')` reads."""
    return {m[1] for m in re.finditer(r"""['"]([A-Za-z_][A-Za-z0-9_]*)['"]""", text)}
