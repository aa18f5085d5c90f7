"""How ``local_invoke.py logs`` prints one collected line: time, function, qualifier@version,
level, the message with its extra fields, and the request id.

>>> from localfc.logstore.entries import fc_entry
>>> render(fc_entry({"time": "2024-05-01T08:00:00Z", "function": "f", "qualifier": "LATEST",
...     "version": "LATEST", "request_id": "r", "line": "hello"}))
'2024-05-01T08:00:00.000Z  f  LATEST  -       hello  [r]'
"""

from __future__ import annotations

import json
from datetime import timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from localfc.logstore.entries import Entry

# Shown as the line itself; the extra fields of a JSON line follow its message.
_NOT_EXTRAS = frozenset(
    {"time", "level", "logger", "message", "request_id", "function", "qualifier", "version", "cold_start", "phase"}
)
_SUMMARY_KEYS = ("status", "duration_ms", "trigger", "operation", "error_code", "metrics")


def render(entry: Entry) -> str:
    """One readable line: time, function, qualifier@version, level, message, request id."""
    stamp = entry.time.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    where = (
        entry.qualifier
        if entry.qualifier == entry.version or not entry.version
        else f"{entry.qualifier}@{entry.version}"
    )
    text = _text(entry)
    suffix = f"  [{entry.request_id}]" if entry.request_id and entry.request_id not in text else ""
    return f"{stamp}  {entry.function or '-'}  {where or '-'}  {entry.level:<7} {text}{suffix}"


def _text(entry: Entry) -> str:
    doc = entry.doc
    if doc is None:
        return entry.line
    if entry.origin != "fc":
        fields = {k: v for k, v in doc.items() if k not in ("event", "request_id", "function", "qualifier", "version")}
        return f"{doc.get('event', 'event')} ({entry.origin[4:]}) {_pairs(fields)}".rstrip()
    message = str(doc.get("message", ""))
    if entry.is_summary:
        fields = {k: doc[k] for k in _SUMMARY_KEYS if k in doc}
        if doc.get("cold_start"):
            fields["cold_start"] = True
    else:
        fields = {k: v for k, v in doc.items() if k not in _NOT_EXTRAS and k != "exc_info"}
    text = f"{message} {_pairs(fields)}".rstrip()
    if isinstance(doc.get("exc_info"), str):
        text += "\n" + str(doc["exc_info"])
    return text


def _pairs(fields: dict[str, Any]) -> str:
    parts = [
        f"{k}={v if isinstance(v, (str, int, float)) else json.dumps(v, ensure_ascii=False)}" for k, v in fields.items()
    ]
    text = " ".join(parts)
    return text if len(text) <= 300 else text[:297] + "..."
