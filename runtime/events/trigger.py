"""What every trigger shape has: how its events are recognised and parsed, and how the answer
to them looks — input and output of a shape in one class, as Mangum has one class per
platform event.

One subclass per shape: ``http.HttpTrigger`` (FC's HTTP response struct), and
``oss.OssTrigger``, ``timer.TimerTrigger``, ``invoke.InvokeTrigger``, which answer with JSON
text, as FC hands a string result back to the caller.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from runtime.errors import FunctionError
    from runtime.events.models import TriggerKind


def json_text(body: dict[str, Any]) -> str:
    """``body`` as the compact JSON text of an answer (non-ASCII kept).

    >>> json_text({"ok": True, "city": "Zürich"})
    '{"ok":true,"city":"Zürich"}'
    """
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


class Trigger:
    """A shape of event; answers are JSON text unless a subclass says otherwise."""

    kind: ClassVar[TriggerKind]

    @staticmethod
    def answer(body: str) -> Any:
        """The answer FC returns for a handled event whose result is the JSON text ``body``."""
        return body

    @staticmethod
    def error(error: FunctionError, request_id: str) -> Any:
        """The answer for a failed invocation: ``{"error": {...}, "request_id": ...}``."""
        return json_text(error.to_body(request_id))
