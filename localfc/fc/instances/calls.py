"""The calls in flight on one instance, and which of them printed a given line: named in FC's
framing, in our JSON log line, or the only call in flight. Each call keeps its own recent
lines for the log tail (``x-fc-log-type: Tail``)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from localfc.fc.instances.outcome import CallOutcome

_FRAME_LINE = re.compile(r"^FC (?:Invoke|Initialize|PreStop) (?:Start|End) RequestId: ([^,\s]+)")
_JSON_REQUEST_ID = re.compile(r'"request_id"\s*:\s*"([^"\\]+)"')
# The call's own lines kept in memory for the log tail; the file has them all.
_TAIL_KEEP_BYTES = 16 * 1024


def framed_request_id(line: str) -> str:
    """The request id of one of FC's ``FC Invoke Start RequestId: ...`` lines, else ""."""
    match = _FRAME_LINE.match(line)
    return match.group(1) if match else ""


@dataclass
class PendingCall:
    call_id: int
    request_id: str
    qualifier: str
    done: threading.Event = field(default_factory=threading.Event)
    outcome: CallOutcome | None = None
    log_lines: list[str] = field(default_factory=list)
    log_bytes: int = 0

    def keep(self, line: str) -> None:
        """Keep ``line`` for the call's log tail (the oldest lines go past the limit)."""
        self.log_lines.append(line)
        self.log_bytes += len(line) + 1
        while self.log_bytes > _TAIL_KEEP_BYTES and len(self.log_lines) > 1:
            self.log_bytes -= len(self.log_lines.pop(0)) + 1


class CallsInFlight:
    """The pending calls of one instance, by call id and by request id.

    ``lock`` also guards the instance's own decision to take a call (``Instance.call`` checks
    that it is alive and adds the call under it); ``add`` and ``forget_locked`` expect it held.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._by_id: dict[int, PendingCall] = {}
        self._by_request: dict[str, PendingCall] = {}
        # Lines no call printed (preStop, a background thread) get the last call's qualifier.
        self.last_qualifier = ""

    def count(self) -> int:
        with self.lock:
            return len(self._by_id)

    def add(self, pending: PendingCall) -> None:
        self._by_id[pending.call_id] = pending
        self._by_request[pending.request_id] = pending
        self.last_qualifier = pending.qualifier

    def forget(self, pending: PendingCall) -> None:
        with self.lock:
            self.forget_locked(pending)

    def forget_locked(self, pending: PendingCall) -> None:
        self._by_id.pop(pending.call_id, None)
        if self._by_request.get(pending.request_id) is pending:
            del self._by_request[pending.request_id]

    def pop(self, call_id: int) -> PendingCall | None:
        """The call a result frame answers, no longer in flight; None if its caller gave up."""
        with self.lock:
            pending = self._by_id.pop(call_id, None)
            if pending is not None and self._by_request.get(pending.request_id) is pending:
                del self._by_request[pending.request_id]
            return pending

    def take_all(self) -> list[PendingCall]:
        """Every call still in flight (the instance is gone); none remain."""
        with self.lock:
            pending = list(self._by_id.values())
            self._by_id.clear()
            self._by_request.clear()
            return pending

    def attribute(self, line: str) -> PendingCall | None:
        """Which call printed ``line`` (with instanceConcurrency > 1 an unnamed line may stay
        unattributed)."""
        with self.lock:
            match = _FRAME_LINE.match(line)
            if match:
                return self._by_request.get(match.group(1))
            if line.startswith("{"):
                # A regex, not json.loads: this runs for every line the function prints.
                named = _JSON_REQUEST_ID.search(line)
                found = self._by_request.get(named.group(1)) if named else None
                if found is not None:
                    return found
            if len(self._by_id) == 1:
                return next(iter(self._by_id.values()))
            return None
