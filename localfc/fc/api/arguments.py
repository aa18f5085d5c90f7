"""Strict reading of the control plane's input: JSON bodies and query numbers.

Every malformed input is a 400 ``InvalidArgument`` that names the field, never a 500: a body
that is not UTF-8 JSON or not an object, a field of the wrong type, a number that is not a
whole number in range. The control-plane routes (functions, triggers, configs) read their
input only through these functions. The names and signatures are those of the hardening
work's shared parser (same module path), which replaces this one at merge.

>>> json_object(b'{"functionName": "f"}')
{'functionName': 'f'}
>>> integer({"limit": "20"}, "limit", default=10, low=1, high=100)
20
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any

from localfc.fc.api import errors

if TYPE_CHECKING:
    from collections.abc import Mapping

MAX_JSON_BYTES = 1024 * 1024
_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")


def json_object(body: bytes, *, max_bytes: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """The request body as a JSON object; ``{}`` for an empty body."""
    if len(body) > max_bytes:
        raise errors.invalid_argument(f"the request body is over {max_bytes} bytes")
    if not body.strip():
        return {}
    try:
        doc = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:
        raise errors.invalid_argument("the request body nests too deep") from None
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise errors.invalid_argument("the request body is not valid UTF-8 JSON") from None
    if not isinstance(doc, dict):
        raise errors.invalid_argument("the request body must be a JSON object")
    return doc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def integer(query: Mapping[str, str], name: str, *, default: int, low: int = 0, high: int = 2**63 - 1) -> int:
    """A whole-number query parameter in ``[low, high]`` (``default`` when absent or empty);
    ASCII digits only (``str.isdigit`` would let ``"²"`` through to a 500)."""
    raw = query.get(name, "")
    if raw == "":
        return default
    if not _ASCII_DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise errors.invalid_argument(f"{name} must be a whole number from {low} to {high}, got {raw[:40]!r}")
    return int(raw)


def string(doc: Mapping[str, Any], key: str, *, default: str | None = None, max_length: int = 65536) -> str | None:
    """A string field of a JSON body (``default`` when absent or null)."""
    value = doc.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise errors.invalid_argument(f"{key} must be a string")
    if len(value) > max_length:
        raise errors.invalid_argument(f"{key} must be at most {max_length} characters long")
    return value


def number(
    doc: Mapping[str, Any],
    key: str,
    *,
    default: float | None = None,
    low: float = -math.inf,
    high: float = math.inf,
    integral: bool = False,
) -> float | None:
    """A numeric field of a JSON body in ``[low, high]`` (a whole number if ``integral``)."""
    value = doc.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise errors.invalid_argument(f"{key} must be a number")
    if integral and value != int(value):
        raise errors.invalid_argument(f"{key} must be a whole number, got {value}")
    if not low <= value <= high:
        raise errors.invalid_argument(f"{key} must be from {low:g} to {high:g}, got {value:g}")
    return int(value) if integral else value
