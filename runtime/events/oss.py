"""FC OSS trigger events: ``{"events": [record, ...]}`` in, JSON text out (``OssTrigger``) —
and object-key decoding, in one place.

Whether FC URL-encodes ``oss.object.key`` is UNCONFIRMED (Alibaba's MNS notifications do,
examples in the FC docs show plain keys). ``key_candidates`` therefore returns the
percent-decoded key first and the key as received second; the OSS layer uses the first
that exists. ``unquote`` (not ``unquote_plus``) keeps a literal ``+`` intact either way.
"""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar
from urllib.parse import unquote

from runtime.events.models import OssEvent, OssRecord, TriggerKind
from runtime.events.trigger import Trigger

_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def is_oss(doc: dict[str, Any]) -> bool:
    records = doc.get("events")
    return (
        isinstance(records, list)
        and bool(records)
        and all(isinstance(r, dict) and (r.get("eventSource") == "acs:oss" or "oss" in r) for r in records)
    )


def key_candidates(key: str) -> list[str]:
    """The decoded key (if the key holds percent escapes that decode to UTF-8), then the raw one."""
    if not _PERCENT_ESCAPE.search(key):
        return [key]
    try:
        decoded = unquote(key, errors="strict")
    except UnicodeDecodeError:
        return [key]
    return [decoded, key] if decoded != key else [key]


def parse_oss(doc: dict[str, Any]) -> OssEvent:
    records: list[OssRecord] = []
    invalid: list[tuple[int, str]] = []
    for index, raw in enumerate(doc["events"]):
        try:
            records.append(_record(raw))
        except (KeyError, TypeError, ValueError) as exc:
            invalid.append((index, f"malformed OSS record: {type(exc).__name__}: {exc}"))
    return OssEvent(records=records, invalid=invalid)


def _record(raw: Any) -> OssRecord:
    oss = _mapping(_mapping(raw, "record")["oss"], "oss")
    obj = _mapping(oss["object"], "oss.object")
    key = obj["key"]
    if not isinstance(key, str) or not key:
        raise ValueError("object key must be a non-empty string")
    meta = _mapping(obj.get("objectMeta") or {}, "oss.object.objectMeta")
    user_meta = meta.get("userMeta") or {}
    return OssRecord(
        event_name=str(raw.get("eventName") or "").removeprefix("oss:"),
        bucket=str(_mapping(oss["bucket"], "oss.bucket")["name"]),
        key=key,  # kept as received; decoded by key_candidates where OSS is asked
        size=_size(obj.get("size")),
        etag=str(obj.get("eTag") or "").strip('"'),
        region=str(raw.get("region") or ""),
        event_time=str(raw.get("eventTime") or ""),
        content_type=str(meta.get("mimeType") or ""),
        user_meta={str(k): str(v) for k, v in user_meta.items()} if isinstance(user_meta, dict) else {},
    )


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{where} must be an object, not {type(value).__name__}")
    return value


def _size(value: Any) -> int:
    """A byte count: a whole number >= 0 (as a JSON number or digits); absent means 0."""
    if value is None or value == "":
        return 0
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"size must be a whole number of bytes, not {str(value)[:40]!r}")
    return value


class OssTrigger(Trigger):
    """An OSS trigger: its records, each parsed on its own (a malformed one is reported in
    ``OssEvent.invalid``, never dropped silently); the answer is JSON text."""

    kind: ClassVar[TriggerKind] = "oss"
    matches = staticmethod(is_oss)
    parse = staticmethod(parse_oss)
