"""Take secrets out of configuration data before it is printed, cached or reported.

A value is replaced by MARKER when
  (a) its key (or the key of any container above it) names a secret: password, passwd,
      passphrase, secret, private_key, token (as the last word), unless a later word says
      the value is about the secret (…_path, …_file, …_length…); or its key ends in `key`
      and the value looks like key material; or the value holds PEM content (`-----BEGIN`);
  (b) and in every other string, each occurrence of a known secret plaintext (e.g. a
      decrypted vault value, at least MIN_SECRET_LENGTH long) is replaced by MARKER.
The password of a URL's userinfo (`scheme://user:password@host`, each host of a
comma-separated list) is a secret wherever it is: url_passwords() finds them (to learn them
from encrypted files), replace_url_passwords() hides them (render output, the config diff).
Booleans, None, empty strings and the structure itself are kept, so redacted dumps still diff.
"""

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote

MARKER = "<redacted>"
MIN_SECRET_LENGTH = 4
LONG_SECRET = 4096  # longer known secrets are looked for by their start (secrets_pattern)

_SECRET_KEY = re.compile(r"pass(word|wd|phrase)|secret|private_?key|(^|[_.-])tokens?$", re.I)
# A later word that makes the name about a secret rather than the secret itself:
# ssh_private_key_path, openstack_auth_password_required_params, keystone_password_length,
# keystone's [identity] password_hash_algorithm.
_ABOUT_A_SECRET = frozenset(
    {
        *("path", "paths", "file", "files", "dir", "directory", "name", "names", "params"),
        *("enabled", "required", "length", "type", "user", "username", "method", "backend"),
        *("policy", "format", "provider", "expiration", "ttl", "algorithm", "rounds"),
    }
)
_KEY_NAME = re.compile(r"(^|[_.-])keys?$", re.IGNORECASE)
# Long, unbroken base64/hex-ish text with both letters and digits: a Fernet key, an API key...
_KEY_MATERIAL = re.compile(r"(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9+/=_-]{20,}")
PEM = "-----BEGIN"
# What any redaction leaves in place of a secret: MARKER, or a token `<redacted:…>`.
_HIDDEN = r"<redacted[^<>\s/]*>"
# A URL's scheme and authority (up to the path, query or fragment): `rabbit://u:p@h1,u:p@h2`;
# it may hold secrets already hidden.
_URL_AUTHORITY = re.compile(
    rf"\b([a-z][a-z0-9+.-]*://)((?:[^/?#\s\"'<>]|{_HIDDEN})+)", re.IGNORECASE
)


def is_secret_key(key: str) -> bool:
    """Whether a variable or key name says its value is secret."""
    match = _SECRET_KEY.search(key)
    if match is None:
        return False
    words_after = re.split(r"[_.-]", key[match.end() :].lower())
    return _ABOUT_A_SECRET.isdisjoint(words_after)


def looks_like_key_material(value: str) -> bool:
    return not value.startswith("/") and bool(_KEY_MATERIAL.fullmatch(value))


def url_passwords(text: str) -> Iterator[str]:
    """The password of every URL's userinfo in `text`, as written and, when it differs,
    percent-decoded."""
    found: list[str] = []

    def keep(password: str) -> str:
        found.append(password)
        return password

    replace_url_passwords(text, keep)
    for password in found:
        yield password
        if unquote(password) != password:
            yield unquote(password)


def replace_url_passwords(text: str, replace: Callable[[str], str]) -> str:
    """`text` with the password of every URL's userinfo replaced by `replace(password)`
    (but a password already hidden)."""

    def authority(match: re.Match[str]) -> str:
        hosts = match.group(2).split(",")
        return match.group(1) + ",".join(_userinfo_password(host, replace) for host in hosts)

    return _URL_AUTHORITY.sub(authority, text) if "://" in text else text


def _userinfo_password(host: str, replace: Callable[[str], str]) -> str:
    """One `user:password@host` of an authority with its password replaced."""
    userinfo, at, address = host.rpartition("@")
    user, colon, password = userinfo.partition(":")
    if not (at and colon and password) or re.fullmatch(_HIDDEN, password):
        return host
    return f"{user}:{replace(password)}@{address}"


def secrets_pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any known secret, longest first; None when there is none to find.

    A secret longer than LONG_SECRET (a large file decrypted whole) is looked for by its start:
    those characters and as many as the rest of the secret has after them match (the secret
    itself, where it is whole). As a literal it would take minutes and gigabytes to compile."""
    usable = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=lambda s: (-len(s), s))
    return re.compile("|".join(map(_secret_regex, usable))) if usable else None


def _secret_regex(secret: str) -> str:
    if len(secret) <= LONG_SECRET:
        return re.escape(secret)
    return re.escape(secret[:LONG_SECRET]) + f"[\\s\\S]{{0,{len(secret) - LONG_SECRET}}}"


def redact_text(text: str, secrets: Iterable[str] | re.Pattern[str] | None) -> str:
    """`text` with every occurrence of a known secret replaced by MARKER."""
    pattern = secrets if isinstance(secrets, re.Pattern | None) else secrets_pattern(secrets)
    return pattern.sub(MARKER, text) if pattern else text


def redact(obj: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of JSON-like `obj` (dicts, lists, scalars) with secrets replaced by MARKER."""
    return _redact(obj, secrets_pattern(secrets), key="", hidden=False)


def _redact(obj: Any, pattern: re.Pattern[str] | None, key: str, hidden: bool) -> Any:
    if isinstance(obj, dict):
        return {
            redact_text(k, pattern) if isinstance(k, str) else k: _redact(
                v, pattern, str(k), hidden or (isinstance(k, str) and is_secret_key(k))
            )
            for k, v in obj.items()
        }
    if isinstance(obj, list | tuple):
        return [_redact(item, pattern, key, hidden) for item in obj]
    if isinstance(obj, str):
        if obj and (
            hidden
            or PEM in obj
            or (_KEY_NAME.search(key) is not None and looks_like_key_material(obj))
        ):
            return MARKER
        return redact_text(obj, pattern)
    if hidden and isinstance(obj, int | float) and not isinstance(obj, bool):
        return MARKER
    return obj
