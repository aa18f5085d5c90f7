"""Strict reading of the control plane's input: JSON bodies and query numbers.

Every malformed input is a 400 ``InvalidArgument`` with a message that names the field, never
a 500: a body that is not JSON or not an object, a field of the wrong type, a number that is
not a whole number in range. The control-plane routes (functions, triggers, configs) read
their input only through these functions, so one module decides what "strict" means.

>>> json_object(b'{"functionName": "f"}')
{'functionName': 'f'}
>>> query_int({"limit": "20"}, "limit", default=10, low=1, high=100)
20
"""

from __future__ import annotations

import json
import math
from typing import Any

from localfc.fc.api import errors


def json_object(body: bytes, *, required: bool = True) -> dict[str, Any]:
    """The request body as a JSON object (``{}`` for an empty body when not ``required``)."""
    if not body.strip():
        if required:
            raise errors.invalid_argument("the request body is empty; send a JSON object")
        return {}
    try:
        doc = json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise errors.invalid_argument("the request body is not valid JSON") from None
    if not isinstance(doc, dict):
        raise errors.invalid_argument("the request body must be a JSON object")
    return doc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def query_int(query: dict[str, str], name: str, *, default: int, low: int, high: int) -> int:
    """A whole-number query parameter within ``[low, high]`` (``default`` when absent or empty)."""
    raw = query.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise errors.invalid_argument(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    return int(raw)


def string(doc: dict[str, Any], name: str, *, default: str | None = None, max_length: int = 0) -> str | None:
    """A string field (``default`` when absent or null)."""
    value = doc.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise errors.invalid_argument(f"{name} must be a string")
    if max_length and len(value) > max_length:
        raise errors.invalid_argument(f"{name} must be at most {max_length} characters")
    return value


def whole_number(doc: dict[str, Any], name: str, *, low: int, high: int) -> int | None:
    """A whole-number field within ``[low, high]`` (None when absent or null); ``3.0`` is 3."""
    value = doc.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise errors.invalid_argument(f"{name} must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise errors.invalid_argument(f"{name} must be a whole number, got {value:g}")
        value = int(value)
    if not low <= value <= high:
        raise errors.invalid_argument(f"{name} must be from {low} to {high}, got {value}")
    return int(value)


def mapping(doc: dict[str, Any], name: str) -> dict[str, Any] | None:
    """An object field (None when absent or null)."""
    value = doc.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise errors.invalid_argument(f"{name} must be an object")
    return value
