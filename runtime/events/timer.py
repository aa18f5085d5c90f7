"""FC timer trigger events: ``{"triggerTime", "triggerName", "payload"}`` in, JSON text out.

The payload is text (s.yaml's ``triggerConfig.payload``); functions read it as JSON through
``payload_json``, the one place that parses it.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from runtime.errors import MalformedJSONError
from runtime.events.models import TimerEvent, TriggerKind
from runtime.events.trigger import Trigger


class TimerTrigger(Trigger):
    kind: ClassVar[TriggerKind] = "timer"

    @staticmethod
    def matches(doc: dict[str, Any]) -> bool:
        return "triggerTime" in doc and "triggerName" in doc

    @staticmethod
    def parse(doc: dict[str, Any]) -> TimerEvent:
        payload = doc.get("payload")
        return TimerEvent(
            trigger_name=str(doc.get("triggerName") or ""),
            trigger_time=str(doc.get("triggerTime") or ""),
            payload=payload if isinstance(payload, str) else "",
        )


def payload_json(event: TimerEvent) -> Any:
    """The timer's payload decoded from JSON; None when it has none; a 400 when it is not JSON.

    >>> payload_json(TimerEvent("nightly", "2024-05-01T00:00:00Z", '{"number": 7}'))
    {'number': 7}
    """
    text = event.payload.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise MalformedJSONError(f"payload of timer {event.trigger_name!r} is not valid JSON") from None
