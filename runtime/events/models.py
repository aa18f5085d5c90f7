"""Every trigger event the runtime understands, as plain typed records — in one module.

Parsing lives next to each shape (``http.py``, ``oss.py``, ``timer.py``); ``recognise`` in
``__init__`` decides which shape a raw event is. Named tuples rather than pydantic models or
frozen dataclasses: they sit on the per-invocation hot path and need no validation beyond
parsing, and a named tuple is built several times faster than a frozen dataclass (and its
class, at import, about five times faster: cold starts count too).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

TriggerKind = Literal["http", "oss", "timer", "invoke"]

_NO_META: Mapping[str, str] = MappingProxyType({})


class HttpRequest(NamedTuple):
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


class OssRecord(NamedTuple):
    """One record of an OSS trigger event. ``key`` is as received (see events/oss.py)."""

    event_name: str  # without the "oss:" prefix, e.g. ObjectCreated:PutObject
    bucket: str
    key: str
    size: int = 0
    etag: str = ""
    region: str = ""
    event_time: str = ""
    content_type: str = ""
    user_meta: Mapping[str, str] = _NO_META


class OssEvent(NamedTuple):
    records: Sequence[OssRecord]
    # Records that could not be parsed, as (index, reason): reported, never dropped silently.
    invalid: Sequence[tuple[int, str]] = ()
    kind: TriggerKind = "oss"


class TimerEvent(NamedTuple):
    trigger_name: str
    trigger_time: str
    payload: str = ""
    kind: TriggerKind = "timer"


class DirectInvoke(NamedTuple):
    """A direct invoke (``s invoke``, the SDK's InvokeFunction): the body is the input JSON."""

    payload: Any
    kind: TriggerKind = "invoke"


Event = HttpRequest | OssEvent | TimerEvent | DirectInvoke
