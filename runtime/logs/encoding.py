"""JSON as the log lines write it: compact, non-ASCII kept, odd values turned into text.

The fast path: json's C encoder is built once here (``JSONEncoder.encode`` builds a new one
per call, which is half the cost of encoding a small dict), and a field set is encoded as
``"key":value,...`` so that parts encoded once (the invocation scope, the summary's repeating
fields) can be spliced into a line. Nothing here masks credentials: ``masking`` does, before.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import math
import traceback
from types import TracebackType
from typing import Any

# Values nested deeper than this are cut ("[too deep]") rather than failing the line.
MAX_DEPTH = 32


def json_value(value: Any) -> Any:
    """A JSON-able stand-in for a value JSON cannot hold (the encoders' ``default``).

    Dates and times in ISO 8601, exceptions as ``Type: message``, enums by value, types by
    name, dataclasses as dicts; anything else as ``str()``.

    >>> json_value(datetime.date(2024, 5, 1)), json_value(ValueError("bad"))
    ('2024-05-01', 'ValueError: bad')
    """
    result: Any
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        result = value.isoformat()
    elif isinstance(value, BaseException):
        result = f"{type(value).__name__}: {value}"
    elif isinstance(value, TracebackType):
        result = "".join(traceback.format_tb(value)).strip()
    elif isinstance(value, enum.Enum):
        result = value.value
    elif isinstance(value, type):
        result = value.__name__
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = dataclasses.asdict(value)
    else:
        try:
            result = str(value)
        except Exception:  # a broken __str__ must not cost the line
            result = f"<{type(value).__name__}>"
    return result


encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=json_value).encode
"""Compact JSON as the log lines use it (non-ASCII kept, odd types as text)."""

quote = json.encoder.encode_basestring
"""A string as a JSON string literal, quotes included."""

# Without a circular-reference check (markers=None) a self-containing value raises
# RecursionError, and ``encode_json`` takes over.
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_fast_chunks = (
    _c_make_encoder(None, json_value, quote, None, ":", ",", False, False, False)
    if _c_make_encoder is not None
    else None
)


def encode_raw(fields: dict[str, Any]) -> str:
    """``fields`` as ``"k":v,...`` (a JSON object without its braces), unmasked.

    NaN and infinity (not JSON: SLS would drop the line) become text, and a value that
    contains itself is cut, rather than losing the line.

    >>> encode_raw({"n": 1, "x": float("nan")})
    '"n":1,"x":"nan"'
    """
    try:
        if _fast_chunks is not None:
            return "".join(_fast_chunks(fields, 0))[1:-1]
        return encode_json(fields)[1:-1]
    except (RecursionError, ValueError):
        return encode_json(_plain(fields, 0))[1:-1]


def _plain(value: Any, depth: int) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if depth > MAX_DEPTH:
        return "[too deep]"
    if isinstance(value, dict):
        return {k: _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in value]
    return value
