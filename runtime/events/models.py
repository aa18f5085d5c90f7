"""Every trigger event the runtime understands, as plain typed records — in one module.

Parsing lives next to each shape (``http.py``, ``oss.py``, ``timer.py``); ``recognise`` in
``__init__`` decides which shape a raw event is. Plain dataclasses rather than pydantic
models: they sit on the per-invocation hot path and need no validation beyond parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

TriggerKind = Literal["http", "oss", "timer", "invoke"]


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An FC 3.0 HTTP trigger event (format ``v1``)."""

    method: str
    path: str  # decoded: requestContext.http.path
    raw_path: str  # URL-encoded, as sent
    headers: dict[str, str]  # lower-case names; repeated headers arrive joined with commas
    query: dict[str, str]  # repeated values arrive joined with commas
    body: bytes
    source_ip: str = ""
    request_id: str = ""
    kind: TriggerKind = "http"

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


@dataclass(frozen=True, slots=True)
class OssRecord:
    """One record of an OSS trigger event. ``key`` is already decoded (see events/oss.py)."""

    event_name: str  # without the "oss:" prefix, e.g. ObjectCreated:PutObject
    bucket: str
    key: str
    size: int = 0
    etag: str = ""
    region: str = ""
    event_time: str = ""
    content_type: str = ""
    user_meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OssEvent:
    records: list[OssRecord]
    # Records that could not be parsed, as (index, reason): reported, never dropped silently.
    invalid: list[tuple[int, str]] = field(default_factory=list)
    kind: TriggerKind = "oss"


@dataclass(frozen=True, slots=True)
class TimerEvent:
    trigger_name: str
    trigger_time: str
    payload: str = ""
    kind: TriggerKind = "timer"


@dataclass(frozen=True, slots=True)
class DirectInvoke:
    """A direct invoke (``s invoke``, the SDK's InvokeFunction): the body is the input JSON."""

    payload: Any
    kind: TriggerKind = "invoke"


Event = HttpRequest | OssEvent | TimerEvent | DirectInvoke
