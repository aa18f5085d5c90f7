"""Direct invokes (``s invoke``, the SDK's InvokeFunction): the event is the input JSON, and
so is the answer. Any event that is no other trigger's shape is one."""

from __future__ import annotations

from typing import Any, ClassVar

from runtime.errors import PayloadTooLargeError
from runtime.events.models import DirectInvoke, TriggerKind
from runtime.events.trigger import Trigger


class InvokeTrigger(Trigger):
    kind: ClassVar[TriggerKind] = "invoke"

    @staticmethod
    def parse(doc: Any, size: int, max_body_bytes: int) -> DirectInvoke:
        """``doc`` (already decoded from ``size`` bytes) as the input of a direct invoke."""
        if size > max_body_bytes:
            raise PayloadTooLargeError(
                f"event is {size} bytes; this function accepts at most {max_body_bytes}",
                {"limit_bytes": max_body_bytes},
            )
        return DirectInvoke(payload=doc)
