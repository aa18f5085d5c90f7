"""Credentials out of log lines: what is masked, and the cheap checks that say when to look.

Three kinds of values become ``***``: the invocation's own STS keys wherever they appear,
string fields whose name says secret/token/password, and Alibaba Cloud AccessKey-shaped
strings. Masking every value of every line would cost more than writing it, so the common
case is answered by set operations done in C (``needs_redaction``) and by a few substring
tests on the finished line (``secret_forms`` gives the strings to test for).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from runtime.logs.encoding import MAX_DEPTH, encode_raw, json_value, quote

MASK = "***"

# Names are split into words (snake, kebab, dotted and camelCase) so that "security_token"
# and "accessKeySecret" are masked while "tokens" or "token_count" (a number) are not.
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_SENSITIVE_WORDS = frozenset(
    {"secret", "secrets", "token", "password", "passwd", "passphrase", "pwd", "credential", "credentials"}
    | {"authorization", "signature", "sk"}
)
# Checked against the words joined together: "access_key_id", "AccessKey", "api-key".
_SENSITIVE_JOINED = ("accesskey", "apikey", "passw")
# Long-term AccessKey ids start with LTAI; STS ids with "STS.". Secrets have no prefix, so
# the invocation's own values are masked by equality instead (see ``secret_forms``).
_KEY_SHAPED = re.compile(r"\b(?:LTAI[0-9A-Za-z]{12,30}|STS\.[0-9A-Za-z]{16,})\b")
KEY_PREFIXES = ("LTAI", "STS.")

_sensitive_cache: dict[str, bool] = {}


def sensitive_name(name: str) -> bool:
    """True when a field called ``name`` holds a credential (``security_token``, ``apiKey``).

    >>> sensitive_name("accessKeySecret"), sensitive_name("token_count")
    (True, True)
    >>> sensitive_name("tokens")
    False
    """
    hit = _sensitive_cache.get(name)
    if hit is None:
        words = [w.lower() for w in _WORDS.findall(name)]
        joined = "".join(words)
        hit = bool(_SENSITIVE_WORDS.intersection(words)) or any(part in joined for part in _SENSITIVE_JOINED)
        if len(_sensitive_cache) > 4096:  # user-chosen names are unbounded; keep the cache small
            _sensitive_cache.clear()
        _sensitive_cache[name] = hit
    return hit


def redact(value: Any, secrets: tuple[str, ...], _depth: int = 0) -> Any:
    """Mask credentials inside ``value`` (strings, dicts and lists, recursively).

    A credential-named field is masked only when it holds text, so ``token_count: 5`` stays.
    Values that JSON cannot hold (objects, bytes, exceptions) are turned into JSON here,
    before masking, so a secret inside an object's ``str()`` is masked too.

    >>> redact({"security_token": "abc", "note": "key s3cr3t-value"}, ("s3cr3t-value",))
    {'security_token': '***', 'note': 'key ***'}
    """
    if isinstance(value, str):
        return _mask_text(value, secrets)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if _depth > MAX_DEPTH:
        return "[too deep]"
    depth = _depth + 1
    if isinstance(value, Mapping):  # dict, and read-only views such as MappingProxyType
        return {
            k: (
                MASK
                if isinstance(v, (str, bytes)) and v and isinstance(k, str) and sensitive_name(k)
                else redact(v, secrets, depth)
            )
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [redact(v, secrets, depth) for v in value]
    plain = bytes(value).decode("utf-8", "replace") if isinstance(value, (bytes, bytearray)) else json_value(value)
    return redact(plain, secrets, depth)


def _mask_text(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return _KEY_SHAPED.sub(MASK, text) if ("LTAI" in text or "STS." in text) else text


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})
_safe_names: set[str] = set()  # field names known not to name a credential


def needs_redaction(data: dict[Any, Any], depth: int = 0) -> bool:
    """Whether ``redact`` must run before encoding: a credential-named text field, or a
    value JSON cannot hold (its text form is made and checked by ``redact``)."""
    # The common case in two set operations done in C: known names, plain values.
    if data.keys() <= _safe_names and _PLAIN_TYPES.issuperset(map(type, data.values())):
        return False
    if depth > MAX_DEPTH:
        return True
    for key, value in data.items():
        named = isinstance(key, str) and sensitive_name(key)
        if isinstance(key, str) and not named:
            if len(_safe_names) > 4096:  # user-chosen names are unbounded; keep the set small
                _safe_names.clear()
            _safe_names.add(key)
        if _value_needs_redaction(value, named, depth):
            return True
    return False


def _value_needs_redaction(value: Any, named: bool, depth: int) -> bool:
    kind = type(value)
    if kind is str:
        return bool(value) and named
    if kind is dict:
        return needs_redaction(value, depth + 1)
    if kind is list or kind is tuple:
        return needs_redaction(dict(enumerate(value)), depth + 1)
    return kind not in _PLAIN_TYPES


def encode_fields(fields: dict[str, Any]) -> str:
    """``fields`` as ``"key":value,...`` for ``emit(encoded=...)``, credential-named ones masked.

    >>> encode_fields({"status": 200, "api_token": "abc"})
    '"status":200,"api_token":"***"'
    """
    return encode_raw(redact(fields, ()) if needs_redaction(fields) else fields)


_forms_cache: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = ((), (), KEY_PREFIXES)


def secret_forms(secrets: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The secrets worth masking, and the "tells" to look for in an encoded line: each
    secret as it appears there (JSON escapes some characters), longest first so that a
    secret containing another is masked whole, then the AccessKey prefixes. A warm instance
    sees the same keys invocation after invocation: the last answer is kept.
    """
    global _forms_cache  # noqa: PLW0603 - a one-entry cache, replaced atomically
    cached_secrets, kept, tells = _forms_cache
    if secrets != cached_secrets:
        # Only values long enough to be real keys: masking "" or "a" would mangle every line.
        kept = tuple(s for s in secrets if len(s) >= 6)
        forms = sorted({*kept, *(quote(s)[1:-1] for s in kept)}, key=len, reverse=True)
        tells = (*forms, *KEY_PREFIXES)
        _forms_cache = (secrets, kept, tells)
    return kept, tells


def mask_line(line: str, tells: tuple[str, ...]) -> str:
    """``line`` (encoded JSON) with every secret among ``tells`` and every AccessKey-shaped
    string masked; the mask holds no quote or backslash, so the line stays valid JSON."""
    for tell in tells[: len(tells) - len(KEY_PREFIXES)]:
        line = line.replace(tell, MASK)
    return _KEY_SHAPED.sub(MASK, line)
