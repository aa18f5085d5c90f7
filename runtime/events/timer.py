"""FC timer trigger events: ``{"triggerTime", "triggerName", "payload"}``."""

from __future__ import annotations

from typing import Any

from runtime.events.models import TimerEvent


def is_timer(doc: dict[str, Any]) -> bool:
    return "triggerTime" in doc and "triggerName" in doc


def parse_timer(doc: dict[str, Any]) -> TimerEvent:
    payload = doc.get("payload")
    return TimerEvent(
        trigger_name=str(doc.get("triggerName") or ""),
        trigger_time=str(doc.get("triggerTime") or ""),
        payload=payload if isinstance(payload, str) else "",
    )
