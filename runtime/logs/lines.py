"""One log line: the fixed fields, the invocation scope, the line's own fields; masked, and
short enough for FC to ship whole.

Field order is fixed: time, level, logger, message, the scope, fields already encoded (the
summary line's), then the line's own fields. The scope and the encoded fields are spliced in
as text; secrets are looked for in the finished line (a few substring tests) instead of in
every value. Whatever the path, the line is the one ``redact`` + ``encode_json`` would write.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from runtime.logs.encoding import encode_json, encode_raw, quote
from runtime.logs.masking import KEY_PREFIXES, mask_line, needs_redaction, redact
from runtime.logs.scope import SCOPE

# FC cuts a single log write at 128 KB, which would leave SLS half a JSON object.
MAX_LINE_CHARS = 120_000
_LONG_FIELDS = ("message", "exc_info", "stack_info")
_CORE_FIELDS = ("time", "level", "logger", "message", "request_id", "function", "qualifier", "version", "event")


def render_line(
    created: float, level: str, logger: str, message: str, extras: dict[str, Any], *, encoded: str = ""
) -> str:
    """One JSON log line: the fixed fields, the active scope, ``encoded``, then ``extras``;
    masked. ``encoded`` holds fields already encoded as ``"key":value,...`` (see ``emit``).

    >>> render_line(0.0, "INFO", "x", "hi", {"n": 1})
    '{"time":"1970-01-01T00:00:00.000Z","level":"INFO","logger":"x","message":"hi","n":1}'
    """
    active = SCOPE.get()
    if extras and needs_redaction(extras):
        extras = redact(extras, ())
    if active is not None and extras and not active.fields.keys().isdisjoint(extras):
        # An extra field overrides a scope field: merge, so no key appears twice.
        rest = {**active.fields, **_decoded(encoded), **extras}
        line = encode_json(_all_fields(created, level, logger, message, rest))
    else:
        if extras and not encoded and active is not None and not active.encoded:
            # The scope's first line (often its only one) encodes scope and extras in one
            # call, which is the same text as the two parts joined.
            fields = active.fields
            if needs_redaction(fields):
                fields = redact(fields, ())
            body = "," + encode_raw({**fields, **extras}) if fields else "," + encode_raw(extras)
        else:
            body = active.fragment if active is not None else ""
            if encoded:
                body += "," + encoded
            if extras:
                body += "," + encode_raw(extras)
        line = "".join(
            (
                '{"time":"',
                iso_time(created),
                '","level":',
                quote(level),
                ',"logger":',
                quote(logger),
                ',"message":',
                quote(message),
                body,
                "}",
            )
        )
    if len(line) > MAX_LINE_CHARS:
        # Mask before cutting: a cut through a secret would leave half of it.
        rest = {**(active.fields if active is not None else {}), **_decoded(encoded), **extras}
        data = _all_fields(created, level, logger, message, rest)
        line = _shorten(redact(data, active.secrets if active is not None else ()))
    tells = active.tells if active is not None else KEY_PREFIXES
    # A plain loop: any() over a generator costs more than the few substring tests.
    for tell in tells:
        if tell in line:
            return mask_line(line, tells)
    return line


_time_cache: tuple[int, str] = (-1, "")
# ".000Z" to ".999Z", looked up rather than formatted (formatting costs ~0.5 µs a line);
# one more ".999Z" for a float product that rounds up to 1000.
_MILLIS = (*(f".{ms:03d}Z" for ms in range(1000)), ".999Z")


def iso_time(created: float) -> str:
    """``2024-05-01T08:00:00.123Z``: UTC, milliseconds (the date part is cached per second).

    >>> iso_time(1714550400.5)
    '2024-05-01T08:00:00.500Z'
    """
    global _time_cache  # noqa: PLW0603 - a one-entry cache, replaced atomically
    second = math.floor(created)
    cached_second, prefix = _time_cache
    if cached_second != second:
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _time_cache = (second, prefix)
    return prefix + _MILLIS[int((created - second) * 1000)]


def _decoded(encoded: str) -> dict[str, Any]:
    return json.loads("{" + encoded + "}") if encoded else {}


def _all_fields(created: float, level: str, logger: str, message: str, rest: dict[str, Any]) -> dict[str, Any]:
    head = {"time": iso_time(created), "level": level, "logger": logger, "message": message}
    safe: dict[str, Any] = redact(rest, ())
    return head | safe


def _shorten(data: dict[str, Any]) -> str:
    """Cut the long text fields so the line survives FC's 128 KB write limit whole."""
    data["truncated"] = True
    budget = MAX_LINE_CHARS // (2 * len(_LONG_FIELDS))
    for key in _LONG_FIELDS:
        text = data.get(key)
        if isinstance(text, str) and len(text) > budget:
            data[key] = text[:budget] + f"... [{len(text) - budget} characters cut]"
    line = encode_json(data)
    if len(line) <= MAX_LINE_CHARS:
        return line
    # Huge extra fields: keep only what identifies the line.
    return encode_json({k: data[k] for k in _CORE_FIELDS if k in data} | {"truncated": True})
