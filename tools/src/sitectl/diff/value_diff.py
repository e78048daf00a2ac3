"""Changes between two JSON-like values (kayobe variables, kolla globals, inventory variables,
INI keys), each made safe to show: secrets become "changed (redacted)", lists say which items
came and went."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from sitectl.diff import secrets
from sitectl.diff.model import ValueChange


@dataclass(frozen=True)
class SameChange:
    """A change as a hashable key: equal for every host (or file) that changed the same way."""

    name: str
    kind: str
    old: str | None
    new: str | None
    secret: bool
    note: str

    @classmethod
    def of(cls, change: ValueChange, name: str | None = None) -> "SameChange":
        return cls(
            change.name if name is None else name,
            change.kind,
            change.old,
            change.new,
            change.secret,
            change.note,
        )

    def change(self) -> ValueChange:
        return ValueChange(
            name=self.name,
            kind=self.kind,
            old=self.old,
            new=self.new,
            secret=self.secret,
            note=self.note,
        )


def value_changes(old: Any, new: Any, path: str) -> Iterator[tuple[str, ValueChange]]:
    """Changes between two JSON-like values, down through mappings: (path, display-safe
    change). Lists and scalars are compared whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in new:
                yield sub, value_change(sub, "removed", old[key], None)
            elif key not in old:
                yield sub, value_change(sub, "added", None, new[key])
            else:
                yield from value_changes(old[key], new[key], sub)
        return
    if old != new:
        yield path, value_change(path, "changed", old, new)


def value_change(name: str, kind: str, old: Any, new: Any) -> ValueChange:
    """One change, display-safe."""
    old_text = None if kind == "added" else _show_value(old)
    new_text = None if kind == "removed" else _show_value(new)
    shown_old, shown_new, secret_only = secrets.show_pair(old_text, new_text)
    note = _list_note(old, new) if kind == "changed" else ""
    if secret_only or _all_secret(old_text, new_text):
        return ValueChange(name=name, kind=kind, secret=True)
    return ValueChange(name=name, kind=kind, old=shown_old, new=shown_new, note=note)


def _all_secret(old: str | None, new: str | None) -> bool:
    """Both sides are nothing but secrets (e.g. an added password): show no value at all."""
    values = [v for v in (old, new) if v is not None]
    return bool(values) and all(secrets.is_token_only(v.strip('"')) for v in values)


def _show_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _list_note(old: Any, new: Any) -> str:
    """For two lists (or comma-separated strings): the items added and removed."""
    items = []
    for value in (old, new):
        if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
            items.append([str(v) for v in value])
        elif isinstance(value, str) and "," in value:
            items.append([v.strip() for v in value.split(",")])
        else:
            return ""
    before, after = items
    added = [v for v in after if v not in before]
    removed = [v for v in before if v not in after]
    if not added and not removed:
        return "same items, new order"
    parts = [f"+{secrets.show(v)}" for v in added] + [f"-{secrets.show(v)}" for v in removed]
    return ", ".join(parts)


def yaml_text(data: dict[str, Any] | None) -> str:
    if not data:
        return ""
    return yaml.safe_dump(data, sort_keys=True, default_flow_style=False, width=100)
