"""Secrets out of rendered output, replaced by stable tokens.

A secret becomes `<redacted:XXXXXXXX>`: the first 8 hex digits of HMAC-SHA256(key = the vault
password, message = the secret). The same secret gives the same token in every render made
with the same vault password, so a diff of two renders shows an unchanged secret as unchanged
and a changed one as "changed (redacted)", without revealing either. Without a vault password
(a configuration with nothing encrypted), the key is empty: tokens still hide the value but a
guessable secret could be found by trying candidates.

What is a secret (the rules of sitectl.redact, with tokens instead of its fixed marker):
  - every known plaintext: the decrypted vault values of the environment, including each value
    of kolla's vault-encrypted passwords.yml, and the vault password itself;
  - the password of every URL's userinfo (`rabbit://user:password@host`, sitectl.redact's
    replace_url_passwords), known or not; its token is that of the percent-decoded password,
    so a known secret gives the same token in a URL as anywhere else;
  - every PEM block (-----BEGIN X----- ... -----END X-----), replaced whole; its token is
    computed over its base64 body only, so the same key gives the same token whether a file
    holds it raw, indented (YAML) or with escaped newlines (JSON);
  - in structured data (kayobe's variables), the value of a key that names a secret
    (sitectl.redact.is_secret_key: password, secret, private_key, token...) and key material
    under a key named *key;
  - in text files, the value of a `name = value` / `name: value` line whose name is such a key.
Binary files are replaced whole by the token of their bytes. Everything a render writes goes
through a Redactor: files with text() or binary(), kayobe's variables with data(), render.json
with values().
"""

import hashlib
import hmac
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from sitectl.redact import (
    is_secret_key,
    looks_like_key_material,
    replace_url_passwords,
    secrets_pattern,
)

TOKEN_PREFIX = "<redacted:"
TOKEN = re.compile(r"<redacted:[0-9a-f]{8}>")
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----.*?-----END \1-----", re.DOTALL)
_PEM_START = "-----BEGIN"
_PEM_BODY_NOISE = re.compile(r"\\n|\\r|\s|\"|'")
_KEY_NAME = re.compile(r"(^|[_.-])keys?$", re.IGNORECASE)
# `name = value`, `name: value`, `"name": "value",` (ini, YAML, JSON lines).
_KEY_LINE = re.compile(
    r"""^(?P<lead>\s*(?:-\s+)?(?P<q>["']?)(?P<key>[A-Za-z0-9_.\-]+)(?P=q)\s*[=:]\s*)"""
    r"""(?P<value>.*?)(?P<trail>\s*,?\s*)$"""
)
# Values a secret-named key may hold that are not secrets.
_NOT_A_SECRET = re.compile(
    r"""^(|null|none|~|true|false|yes|no|\||>|[|>][-+]?\d*|\{\}|\[\]|""|'')$""", re.IGNORECASE
)


class Redactor:
    """Replaces the secrets of one environment by their tokens."""

    def __init__(self, key: str | None, secrets: Iterable[str]) -> None:
        self._key = (key or "").encode()
        self._secrets = frozenset(secrets)
        self._learning = threading.Lock()
        self._pattern = secrets_pattern(self._secrets)

    def learn(self, secrets: Iterable[str]) -> None:
        """Also redact `secrets` (values a run made up, e.g. the password lookup's); safe
        from the threads of a render's parts."""
        with self._learning:
            new = self._secrets.union(secrets)
            if new != self._secrets:
                self._secrets = new
                self._pattern = secrets_pattern(new)

    def token(self, secret: str | bytes) -> str:
        message = secret if isinstance(secret, bytes) else secret.encode()
        digest = hmac.new(self._key, message, hashlib.sha256).hexdigest()
        return f"{TOKEN_PREFIX}{digest[:8]}>"

    # --- text -------------------------------------------------------------------------

    def text(self, text: str) -> str:
        """A text file's content with every secret replaced by its token."""
        return "".join(self._line(line) for line in self._string(text).splitlines(keepends=True))

    def _line(self, line: str) -> str:
        body = line.rstrip("\r\n")
        match = _KEY_LINE.match(body)
        if match is None or not is_secret_key(match.group("key")):
            return line
        value = match.group("value")
        inner = value
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            inner = value[1:-1]
        if _NOT_A_SECRET.match(inner) or TOKEN.fullmatch(inner) or inner.startswith("<render:"):
            return line
        replaced = value.replace(inner, self.token(inner), 1) if inner != value else None
        replaced = replaced or self.token(value)
        return f"{match.group('lead')}{replaced}{match.group('trail')}{line[len(body) :]}"

    def binary(self, data: bytes) -> str:
        return self.token(data) + "\n"

    # --- structured data ----------------------------------------------------------------

    def data(self, obj: Any) -> Any:
        """A copy of JSON-like data with secrets replaced by their tokens."""
        return self._data(obj, key="", hidden=False)

    def _data(self, obj: Any, key: str, hidden: bool) -> Any:
        if isinstance(obj, dict):
            return {
                (self._string(k) if isinstance(k, str) else k): self._data(
                    v, str(k), hidden or (isinstance(k, str) and is_secret_key(k))
                )
                for k, v in obj.items()
            }
        if isinstance(obj, list | tuple):
            return [self._data(item, key, hidden) for item in obj]
        if isinstance(obj, str):
            secret_here = hidden or (
                _KEY_NAME.search(key) is not None and looks_like_key_material(obj)
            )
            if obj and secret_here and not TOKEN.fullmatch(obj):
                return self.token(_PEM_BODY_NOISE.sub("", obj) if _PEM_START in obj else obj)
            return self._string(obj)
        if hidden and isinstance(obj, int | float) and not isinstance(obj, bool):
            return self.token(str(obj))
        return obj

    def values(self, obj: Any) -> Any:
        """A copy of JSON-like data with every known secret, PEM block and URL password
        replaced by its token, whatever the keys say (render.json: `generated_secrets` names
        secrets, and holds none)."""
        if isinstance(obj, dict):
            return {key: self.values(value) for key, value in obj.items()}
        if isinstance(obj, list | tuple):
            return [self.values(item) for item in obj]
        return self._string(obj) if isinstance(obj, str) else obj

    def _string(self, value: str) -> str:
        """`value` with its PEM blocks, URL passwords and known secrets as tokens."""
        value = _PEM_BLOCK.sub(lambda m: self.token(_PEM_BODY_NOISE.sub("", m.group(0))), value)
        start = value.find(_PEM_START)
        if start >= 0:  # a BEGIN without its END: hide everything from there on
            value = value[:start] + self.token(value[start:])
        if self._pattern is not None:
            value = self._pattern.sub(lambda m: self.token(m.group(0)), value)
        return replace_url_passwords(value, lambda password: self.token(unquote(password)))
