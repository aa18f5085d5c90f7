"""Recognise a raw FC event (bytes) as one of the trigger shapes, and find the shape of its answer.

Each shape is a ``Trigger`` class next to its parsing: ``http.HttpTrigger``,
``oss.OssTrigger``, ``timer.TimerTrigger``, ``invoke.InvokeTrigger``; the records they parse
into are in ``models``.

>>> recognise(b'{"number": 7}', max_body_bytes=1024).kind
'invoke'
>>> trigger_of(None, b'{"requestContext": {"http": ...').kind  # too broken to parse
'http'
"""

from __future__ import annotations

import json
import json.scanner
from typing import TYPE_CHECKING, Any

from runtime.errors import MalformedJSONError, PayloadTooLargeError
from runtime.events.http import HttpTrigger
from runtime.events.invoke import InvokeTrigger
from runtime.events.models import DirectInvoke, Event, HttpRequest, OssEvent, OssRecord, TimerEvent
from runtime.events.oss import OssTrigger
from runtime.events.timer import TimerTrigger
from runtime.events.trigger import Trigger

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "DirectInvoke",
    "Event",
    "HttpRequest",
    "OssEvent",
    "OssRecord",
    "TimerEvent",
    "Trigger",
    "recognise",
    "trigger_of",
]

#: The trigger of each kind of event (``Event.kind``).
TRIGGERS: dict[str, type[Trigger]] = {
    trigger.kind: trigger for trigger in (HttpTrigger, OssTrigger, TimerTrigger, InvokeTrigger)
}
#: How a handled event of each kind is answered (``Trigger.answer``), by kind.
ANSWERS: dict[str, Callable[[str], Any]] = {kind: trigger.answer for kind, trigger in TRIGGERS.items()}

# The shapes' functions taken from their classes once: a class attribute lookup is several
# times the cost of a global's, and recognise() runs on every invocation.
_is_http, _parse_http = HttpTrigger.matches, HttpTrigger.parse
_is_oss, _parse_oss = OssTrigger.matches, OssTrigger.parse
_is_timer, _parse_timer = TimerTrigger.matches, TimerTrigger.parse
_parse_invoke = InvokeTrigger.parse

# An HTTP event wraps the body in JSON (base64 adds a third): allow for that before parsing.
_ENVELOPE_OVERHEAD = 64 * 1024


def recognise(raw: bytes | bytearray | str | None, max_body_bytes: int) -> Event:
    """Parse ``raw`` once and return the typed event; bad input raises a ``FunctionError``."""
    if raw is None:
        raw = b""
    size = len(raw)
    if size > max_body_bytes * 4 // 3 + _ENVELOPE_OVERHEAD:
        # Refuse before json.loads spends memory and time on it.
        raise PayloadTooLargeError(
            f"event is {size} bytes; this function accepts bodies of at most {max_body_bytes}",
            {"limit_bytes": max_body_bytes},
        )
    if not raw.strip():
        return DirectInvoke(payload=None)
    if type(raw) is bytes and raw[:1] == b"{" and raw[1:2] != b"\x00":
        # What json.loads would decode it as (UTF-8: an object's first byte is "{" and its
        # second is not NUL), without its encoding detection: this runs on every invocation.
        try:
            raw = raw.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError as exc:
            raise MalformedJSONError(f"event is not valid JSON: {_short(exc)}") from None
    try:
        doc: Any = _loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJSONError(f"event is not valid JSON: {_short(exc)}") from None
    except RecursionError:
        # json.loads recurses per nesting level: "[[[[..." must be a 400, not a 500.
        raise MalformedJSONError("event is not valid JSON: nested too deeply") from None
    if isinstance(doc, dict):
        if _is_http(doc):
            return _parse_http(doc, max_body_bytes)
        if _is_oss(doc):
            return _parse_oss(doc)
        if _is_timer(doc):
            return _parse_timer(doc)
    return _parse_invoke(doc, size, max_body_bytes)


def trigger_of(event: Event | None, raw: object) -> type[Trigger]:
    """The trigger whose answer shape fits ``event``; for an event that could not be parsed
    (None), the one its raw bytes look like, so that even its error has the right shape."""
    if event is not None:
        return TRIGGERS[event.kind]
    return HttpTrigger if HttpTrigger.sniff(raw) else InvokeTrigger


# json's C scanner, called directly: json.loads wraps it in two Python calls and two regex
# matches, ~3 µs of every invocation. What it does not take whole (leading or trailing
# text, no C scanner) goes through json.loads, which raises the error a caller sees.
_c_make_scanner = getattr(json.scanner, "c_make_scanner", None)
_scan_once = _c_make_scanner(json.JSONDecoder()) if _c_make_scanner is not None else None


def _loads(raw: bytes | bytearray | str) -> Any:
    """``json.loads(raw)``, faster for the text of a JSON document, as FC sends events."""
    if _scan_once is not None and type(raw) is str:
        try:
            doc, end = _scan_once(raw, 0)
        except StopIteration:  # no value at the start: json.loads says why
            pass
        else:
            if end == len(raw) or not raw[end:].strip(" \t\n\r"):
                return doc
    return json.loads(raw)


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 200 else text[:200] + "..."
