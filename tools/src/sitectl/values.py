"""Tolerant readers for resolved configuration values.

A rule must never crash on what a broken configuration resolves to: each reader returns None
(or an empty container) for a value of the wrong type or shape, and the `net-invalid` and
similar rules report such values instead.
"""

import ipaddress
from collections.abc import Mapping
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

TRUE_STRINGS = frozenset({"yes", "on", "true", "1", "y", "t"})


def text(value: Any) -> str | None:
    """A non-empty string (stripped), else None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def is_set(value: Any) -> bool:
    """Whether a value was given at all (None and "" mean "not set", as in kayobe)."""
    return value is not None and value != ""


def strings(value: Any) -> list[str]:
    """The non-empty strings of a list (anything else: none)."""
    if not isinstance(value, list):
        return []
    return [item.strip() for item in value if isinstance(item, str) and item.strip()]


def mapping(value: Any) -> Mapping[str, Any]:
    """A dict with string keys, else {}."""
    if not isinstance(value, dict):
        return {}
    return {key: item for key, item in value.items() if isinstance(key, str)}


def dicts(value: Any) -> list[Mapping[str, Any]]:
    """The dicts of a list."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def integer(value: Any) -> int | None:
    """An int, or a string of digits, as int (booleans are not integers here)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def truthy(value: Any) -> bool:
    """Ansible's `| bool`."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    if isinstance(value, str):
        return value.strip().lower() in TRUE_STRINGS
    return False


def ip(value: Any) -> IPAddress | None:
    """An IP address, or None when `value` is not one."""
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def network(value: Any) -> IPNetwork | None:
    """A CIDR as a network (host bits ignored), or None when `value` is not one."""
    if not isinstance(value, str) or "/" not in value:
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def contains(net: IPNetwork, address: IPAddress) -> bool:
    return address.version == net.version and address in net


def overlaps(a: IPNetwork, b: IPNetwork) -> bool:
    return a.version == b.version and a.overlaps(b)


def show(value: Any) -> str:
    """A value for a message: strings bare, anything else as its repr, shortened."""
    shown = value if isinstance(value, str) else repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."
