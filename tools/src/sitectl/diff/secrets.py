"""Secrets in a config diff: compared, never shown.

Render output carries secrets as tokens `<redacted:XXXXXXXX>` (an HMAC of the value): the same
token on both sides is an unchanged secret, a different one a changed secret. The diff compares
tokens and shows none of them: every token is displayed as `<redacted>`, and a change that only
touches tokens reads "changed (redacted)".

Defence in depth: anything in the render output that still looks like a secret (a value under a
secret-named key, key material, PEM blocks, `user:password@` in URLs, vault text) is turned into a
local token before comparing (`guard_*`), by the same rules as sitectl.redact, so it too can only
show as "changed (redacted)". `scrub()` is the last pass over every artifact before it is written.
"""

import hashlib
import re
from collections.abc import Iterable
from typing import Any

from sitectl import redact

TOKEN = re.compile(r"<redacted:[A-Za-z0-9+/=_-]{4,64}>")
SHOWN = redact.MARKER  # how any secret is displayed: "<redacted>"
NEW_SECRET = "<redacted, changed>"  # a head-side secret that differs from the base side
CHANGED = "changed (redacted)"
ADDED = "added (redacted)"
REMOVED = "removed (redacted)"

_PEM_BLOCK = re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?(-----END [A-Z0-9 ]+-----|\Z)", re.S)
_VAULT_TEXT = re.compile(r"\$ANSIBLE_VAULT;[^\n]*(\n[ \t]*[0-9a-fA-F]+)*")
_ASSIGNMENT = re.compile(r"^(\s*[\"']?)([A-Za-z0-9_.-]+)([\"']?\s*[=:]\s*)(.*?)(\s*)$")
_FILE_OF_KEYS = re.compile(r"\.(pem|key|crt|cert|p12|pfx|jks|keystore)$|(^|/)fernet-keys?/", re.I)


def local_token(value: str) -> str:
    """A token for a secret the render left in clear (compared like render's, never shown)."""
    return f"<redacted:{hashlib.sha256(b'sitectl-diff\0' + value.encode()).hexdigest()[:12]}>"


def is_token_only(value: str) -> bool:
    """A value that is nothing but tokens (and separators): already safe to compare."""
    return value == SHOWN or (bool(TOKEN.search(value)) and not TOKEN.sub("", value).strip(" ,;"))


# --- guarding what the render wrote ---------------------------------------------------------


def guard_data(obj: Any, key: str = "", hidden: bool = False) -> Any:
    """A copy of JSON-like data (a kayobe host's variables, kolla globals) in which every value
    sitectl.redact would hide, and is not a token already, is a local token instead."""
    if isinstance(obj, dict):
        return {
            guard_text_line(k) if isinstance(k, str) else k: guard_data(
                v, str(k), hidden or (isinstance(k, str) and redact.is_secret_key(k))
            )
            for k, v in obj.items()
        }
    if isinstance(obj, list | tuple):
        return [guard_data(item, key, hidden) for item in obj]
    if isinstance(obj, str):
        if not obj or is_token_only(obj):
            return obj
        if hidden or redact.redact({key: obj})[key] == SHOWN:
            return SHOWN if obj.lstrip().startswith("$ANSIBLE_VAULT;") else local_token(obj)
        return guard_text_line(obj)
    if hidden and isinstance(obj, int | float) and not isinstance(obj, bool):
        return local_token(repr(obj))
    return obj


def guard_text_line(line: str) -> str:
    """One line (or short string) with URL passwords and vault text tokenised."""
    line = _VAULT_TEXT.sub(SHOWN, line)
    return redact.replace_url_passwords(line, local_token)


def is_secret_file(path: str, text: str) -> bool:
    """A file whose whole content is secret: keys, certificates, PEM bundles, vault files."""
    return bool(_FILE_OF_KEYS.search(path)) or "-----BEGIN" in text or "$ANSIBLE_VAULT;" in text


def guard_text(path: str, text: str) -> str:
    """A config file's text, safe to compare and (after show()) to display.

    A secret file becomes one token line (changed content = changed token). Otherwise every
    `key = value` / `key: value` line whose key names a secret, or whose value is key material
    under a *key name, gets its value tokenised, and URL passwords and vault text likewise."""
    if is_secret_file(path, text):
        if text.lstrip().startswith("$ANSIBLE_VAULT;"):
            return SHOWN + "\n"  # vault salts differ on every encryption: never noise
        return local_token(_PEM_BLOCK.sub(lambda m: m.group(0).strip(), text)) + "\n"
    return "".join(_guard_line(line) for line in text.splitlines(keepends=True))


def _guard_line(line: str) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    match = _ASSIGNMENT.match(body)
    if match:
        lead, key, sep, value, trail = match.groups()
        unquoted = value.strip("\"'")
        if unquoted and not is_token_only(unquoted):
            hidden = redact.redact({key: unquoted})[key] == SHOWN
            if hidden:
                return f"{lead}{key}{sep}{local_token(unquoted)}{trail}{ending}"
    return guard_text_line(body) + ending


# --- showing ------------------------------------------------------------------------------


def show(text: str) -> str:
    """Text for display: every token as <redacted>."""
    return TOKEN.sub(SHOWN, text)


def has_secret(text: str) -> bool:
    return bool(TOKEN.search(text)) or SHOWN in text


def show_pair(old: str | None, new: str | None) -> tuple[str | None, str | None, bool]:
    """(old, new) for display, and whether the change is only in secrets.

    Head-side tokens the base side lacks read <redacted, changed>."""
    if old is None or new is None:
        return (None if old is None else show(old), None if new is None else show(new), False)
    known = set(TOKEN.findall(old))
    shown_new = TOKEN.sub(lambda m: SHOWN if m.group(0) in known else NEW_SECRET, new)
    secret_only = TOKEN.sub(SHOWN, old) == TOKEN.sub(SHOWN, new) and old != new
    return show(old), shown_new, secret_only


def show_lines(base: Iterable[str], head: Iterable[str]) -> tuple[list[str], list[str]]:
    """Both sides of a file for a line diff: base tokens as <redacted>, head tokens the base
    file does not hold as <redacted, changed> (so a changed secret is a changed line)."""
    base = list(base)
    known = {token for line in base for token in TOKEN.findall(line)}
    head_shown = [
        TOKEN.sub(lambda m: SHOWN if not base or m.group(0) in known else NEW_SECRET, line)
        for line in head
    ]
    return [show(line) for line in base], head_shown


def scrub(text: str, secrets: re.Pattern[str] | None = None) -> str:
    """The last pass over an artifact before it is written: no token, PEM block, vault text or
    known secret plaintext survives, whatever a bug upstream let through."""
    text = TOKEN.sub(SHOWN, text)
    text = _PEM_BLOCK.sub(SHOWN, text)
    text = _VAULT_TEXT.sub(SHOWN, text)
    return redact.redact_text(text, secrets)
