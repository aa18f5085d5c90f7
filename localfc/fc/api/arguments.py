"""Strict parsing of FC API arguments: query numbers and choices, JSON bodies, body fields.

Every operation of the local FC API reads what the caller sent through these functions, so a
bad argument is a ``400 InvalidArgument`` in FC's error shape (``{"Code", "Message",
"RequestId"}``), never a 500 and never a traceback. Use them in every new operation::

    from localfc.fc.api import arguments

    query = request.query()
    limit = arguments.integer(query, "limit", default=20, low=1, high=100)
    direction = arguments.choice(query, "direction", ("FORWARD", "BACKWARD"), default="BACKWARD")
    doc = arguments.json_object(request.body)                       # {} for an empty body
    description = arguments.string(doc, "description", default="", max_length=256)
    memory = arguments.number(doc, "memorySize", low=128, high=32768, integral=True)

The rules, and why:
- a number in the query is ASCII digits only, at most 18 of them: ``str.isdigit`` also accepts
  ``"²"`` (which ``int`` then refuses: the 500 this module exists to prevent) and
  Arabic-Indic digits (which ``int`` silently reads); FC's front end is written in Go, whose
  ``strconv`` reads ASCII digits only;
- a JSON body is UTF-8, at most ``max_bytes`` long, nested at most ``MAX_JSON_DEPTH`` deep
  (a deep body would otherwise reach Python's recursion limit: a 500), without ``NaN`` or
  ``Infinity`` (not JSON; Go refuses them), and an object at the top;
- a number in a JSON body is a JSON number, not a boolean and not a string, finite, in range;
- a string field is a string, of bounded length.

UNCONFIRMED: FC does not publish its size and depth limits for control-plane bodies; the
defaults below are generous for every documented request shape and refuse only what no
client sends.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any

from localfc.fc.api import errors

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "boolean",
    "choice",
    "integer",
    "json_object",
    "number",
    "string",
]

MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")


def integer(query: Mapping[str, str], name: str, *, default: int, low: int = 0, high: int = 2**63 - 1) -> int:
    """The query parameter ``name`` as an int in ``[low, high]``; ``default`` when absent or empty.

    >>> integer({"limit": "50"}, "limit", default=20, low=1, high=100)
    50
    >>> integer({"limit": "²"}, "limit", default=20, low=1, high=100)
    Traceback (most recent call last):
    ...
    localfc.fc.api.errors.ApiError: InvalidArgument: limit must be a whole number from 1 to 100, got '²'
    """
    raw = query.get(name, "")
    if raw == "":
        return default
    if not _ASCII_DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise errors.invalid_argument(f"{name} must be a whole number from {low} to {high}, got {_shown(raw)}")
    return int(raw)


def choice(query: Mapping[str, str], name: str, allowed: Iterable[str], *, default: str) -> str:
    """The query parameter ``name``, which must be one of ``allowed`` (exact case)."""
    raw = query.get(name, "")
    if raw == "":
        return default
    options = list(allowed)
    if raw not in options:
        raise errors.invalid_argument(f"{name} must be one of {', '.join(options)}, got {_shown(raw)}")
    return raw


def boolean(query: Mapping[str, str], name: str, *, default: bool) -> bool:
    """``true`` / ``false`` (any case) in the query."""
    raw = query.get(name, "")
    if raw == "":
        return default
    if raw.lower() not in ("true", "false"):
        raise errors.invalid_argument(f"{name} must be true or false, got {_shown(raw)}")
    return raw.lower() == "true"


def json_object(body: bytes, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> dict[str, Any]:
    """The request body as a JSON object; ``{}`` for an empty body.

    >>> json_object(b'{"description": "v2"}')
    {'description': 'v2'}
    >>> json_object(b"[" * 5000 + b"]" * 5000)
    Traceback (most recent call last):
    ...
    localfc.fc.api.errors.ApiError: InvalidArgument: the request body nests deeper than 32 levels
    """
    if len(body) > max_bytes:
        raise errors.invalid_argument(f"the request body is over {max_bytes} bytes")
    if not body.strip():
        return {}
    try:
        doc = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:
        raise _too_deep(max_depth) from None
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise errors.invalid_argument("the request body is not valid UTF-8 JSON") from None
    if _depth(doc) > max_depth:
        raise _too_deep(max_depth)
    if not isinstance(doc, dict):
        raise errors.invalid_argument("the request body must be a JSON object")
    return doc


def string(doc: Mapping[str, Any], key: str, *, default: str | None = None, max_length: int = 65536) -> str | None:
    """A string field of a JSON body; ``default`` when absent or null."""
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


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth(doc: Any) -> int:
    """Nesting depth of a parsed document, without recursion (its input may be adversarial)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in node if isinstance(child, (dict, list)))
    return deepest


def _too_deep(max_depth: int) -> errors.ApiError:
    return errors.invalid_argument(f"the request body nests deeper than {max_depth} levels")


def _shown(raw: str) -> str:
    """The bad value for the message: quoted, and short (it comes from the caller)."""
    return repr(raw if len(raw) <= 40 else raw[:40] + "…")
