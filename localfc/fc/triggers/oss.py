"""OSS triggers: match each object event of the local OSS against the oss triggers of s.yaml
and invoke the matching functions asynchronously with FC's OSS event.

A trigger matches when the bucket is the one of its ``sourceArn``, the event is one of its
``events`` (``oss:ObjectCreated:*`` matches every ``ObjectCreated:`` event) and the key starts
with ``filter.key.prefix`` and ends with ``filter.key.suffix``. The key in the event is the
object key as stored (not URL-encoded). An event that matches no trigger is logged as such.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from localfc.fc import samples

if TYPE_CHECKING:
    from localfc.fc.async_queue import AsyncQueues
    from localfc.fc.console import Console
    from localfc.project.syaml.model import Project
    from localfc.services.oss.events import ObjectEvent


_MULTIPART_STEPS = frozenset(
    {"ObjectCreated:InitiateMultipartUpload", "ObjectCreated:UploadPart", "ObjectCreated:UploadPartCopy"}
)


@dataclass(frozen=True)
class OssTrigger:
    function_name: str
    trigger_name: str
    bucket: str
    events: tuple[str, ...]  # with the "oss:" prefix, as in s.yaml
    prefix: str
    suffix: str
    qualifier: str
    region: str

    def matches(self, event_name: str, bucket: str, key: str) -> bool:
        if bucket != self.bucket or not key.startswith(self.prefix) or not key.endswith(self.suffix):
            return False
        wanted = "oss:" + event_name.removeprefix("oss:")
        return any(wanted == e or (e.endswith(":*") and wanted.startswith(e[:-1])) for e in self.events)


def oss_triggers(project: Project) -> list[OssTrigger]:
    found = []
    for _, props in project.functions():
        for trigger in props.triggers:
            if trigger.triggerType != "oss":
                continue
            config = trigger.oss()
            found.append(
                OssTrigger(
                    function_name=props.functionName,
                    trigger_name=trigger.triggerName,
                    bucket=trigger.oss_bucket,
                    events=tuple(config.events),
                    prefix=config.filter.key.prefix,
                    suffix=config.filter.key.suffix,
                    qualifier=trigger.qualifier or "LATEST",
                    region=props.region,
                )
            )
    return found


def oss_event_payload(event: ObjectEvent, region: str) -> bytes:
    """FC's ``{"events": [record]}`` for one object event."""
    record = samples.oss_record(
        event.bucket,
        event.key,
        event_name=event.event_name,
        size=event.size,
        etag=event.etag,
        content_type=event.content_type or "application/octet-stream",
        user_meta=event.user_meta,
        region=region,
        source_ip=event.source_ip,
    )
    if event.request_id:
        record["responseElements"]["requestId"] = event.request_id
    return json.dumps(samples.oss_event(record), ensure_ascii=False).encode("utf-8")


class OssEventRouter:
    """The ``on_event`` callback given to the local OSS.

    It runs in the OSS request's thread before the client gets its answer, so it only
    queues work: the function runs in the async queue's threads.
    """

    def __init__(self, triggers: list[OssTrigger], queues: AsyncQueues, console: Console) -> None:
        self.triggers = triggers
        self.queues = queues
        self.console = console

    def __call__(self, event: ObjectEvent) -> None:
        matched = [t for t in self.triggers if t.matches(event.event_name, event.bucket, event.key)]
        if not matched:
            if event.event_name in _MULTIPART_STEPS:
                return  # steps of an upload, not uploads: saying so for each part is noise
            self.console.note(f"oss {event.event_name} {event.bucket}/{event.key}: no trigger matches")
            return
        for trigger in matched:
            try:
                self.queues.submit(
                    trigger.function_name, trigger.qualifier, oss_event_payload(event, trigger.region), source="oss"
                )
            except Exception as exc:
                self.console.note(
                    f"oss {event.bucket}/{event.key}: trigger {trigger.function_name}/{trigger.trigger_name}"
                    f" could not be invoked: {exc}"
                )
