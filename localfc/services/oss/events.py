"""Object events: what the owner of an OssServer sees of each successful mutation.

The local FC turns these into OSS trigger invocations. Event names are OSS's without the
``oss:`` prefix. The callback runs in the request's thread after the change is stored and
before the client gets its answer, so a client that saw its PUT succeed can rely on the
callback having run; it must be quick (queue the work) and whatever it raises is logged,
never returned to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["EventCallback", "ObjectEvent", "deliver"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ObjectEvent:
    """One object mutation, e.g. ``ObjectCreated:PutObject`` of ``bucket/key``.

    ``etag`` is upper-case hex without quotes (as OSS events carry it); ``size`` is the
    object's size (the part's for ``UploadPart``; 0 for removals and
    ``InitiateMultipartUpload``).

    >>> ObjectEvent("ObjectRemoved:DeleteObject", "b", "k", 0, "", "", {}, "R1", "127.0.0.1").key
    'k'
    """

    event_name: str
    bucket: str
    key: str
    size: int
    etag: str
    content_type: str
    user_meta: dict[str, str] = field(hash=False)
    request_id: str
    source_ip: str


EventCallback = Callable[[ObjectEvent], None]


def deliver(callback: EventCallback | None, events: list[ObjectEvent]) -> None:
    if callback is None:
        return
    for item in events:
        try:
            callback(item)
        except Exception:
            # The object is stored either way: a failing observer must not fail the request.
            logger.exception("on_event callback failed for %s %s/%s", item.event_name, item.bucket, item.key)
