"""How each invocation ended, from its log lines: the one failure rule that ``logs --stats``,
``logs --type fail``, ``release status`` and the progressive canary all apply.

A request counts once, from whichever of these lines shows up for it:

- our runtime's summary line (``"event": "invocation"``): it **failed** when its ``status``
  is 5xx or its ``error_type`` is ``UnhandledInvocationError``; a 4xx is **rejected** (the
  caller's bad input, not the version's fault);
- FC's ``FC Invoke End RequestId: <id>`` line: failed when it ends in ``, Error: …`` (an
  exception outside our runtime, a timeout, a crash: ``serve`` writes that line itself when
  it kills an instance);
- FC's ``FC Initialize End RequestId: <id>, Error: …``: the initializer failed, and so did
  the invocation that triggered it. A successful initializer is not an invocation.

A request seen through several lines is failed when any of them says so.

>>> from localfc.logstore.entries import fc_entry
>>> book = Outcomes()
>>> outcome = book.add(fc_entry({"request_id": "r1", "line": "FC Invoke End RequestId: r1, Error: boom"}))
>>> outcome.failed, outcome.reason, outcome.version
(True, 'boom', 'LATEST')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import datetime

    from localfc.logstore.entries import Entry

LATEST_LABEL = "LATEST"
# "FC Invoke End RequestId: <id>" or "FC Initialize End RequestId: <id>, Error: ..."
_FRAME_END = re.compile(r"^FC (Invoke|Initialize) End RequestId: ([^,\s]+)(, Error(?::\s*(.*))?)?")


def summary_failed(summary: dict[str, Any]) -> bool:
    """The rule for one of our summary lines: 5xx or an unhandled error."""
    status = summary.get("status")
    if isinstance(status, int) and not isinstance(status, bool) and status >= 500:
        return True
    error_type = summary.get("error_type") or summary.get("errorType") or ""
    return error_type == "UnhandledInvocationError"


def _rejected(summary: dict[str, Any]) -> bool:
    status = summary.get("status")
    return isinstance(status, int) and not isinstance(status, bool) and 400 <= status < 500


@dataclass
class Outcome:
    """One invocation as its lines describe it."""

    request_id: str
    function: str
    qualifier: str
    version: str  # a version number, or LATEST
    instance_id: str
    time: datetime
    failed: bool = False
    rejected: bool = False  # 4xx
    status: int | None = None
    duration_ms: float | None = None
    cold_start: bool = False
    reason: str = ""  # why it failed, when a line says


@dataclass(frozen=True)
class _Signal:
    failed: bool
    summary: dict[str, Any] | None = None
    reason: str = ""


def _signal(entry: Entry) -> tuple[str, _Signal] | None:
    """What one entry says about an invocation's outcome: (request id, signal), or None."""
    if entry.origin != "fc":
        return None
    if entry.is_summary:
        doc = entry.doc or {}
        request_id = entry.request_id or str(doc.get("request_id") or "")
        reason = str(doc.get("error_code") or doc.get("error_type") or "") if summary_failed(doc) else ""
        return request_id, _Signal(summary_failed(doc), doc, reason)
    frame = _FRAME_END.match(entry.line) if entry.doc is None else None
    if frame is None:
        return None
    kind, request_id, error, detail = frame.groups()
    if kind == "Initialize" and not error:
        return None  # a successful initializer is not a call
    return request_id, _Signal(bool(error), None, (detail or "").strip())


class Outcomes:
    """Folds entries into one ``Outcome`` per request, incrementally (``add`` as lines come).

    Requests without an id (a hand-written line) each count as their own invocation.
    """

    def __init__(self) -> None:
        self.by_request: dict[str, Outcome] = {}
        self._anonymous = 0

    def add(self, entry: Entry) -> Outcome | None:
        """Take one entry into account; the request's outcome when the entry spoke of one."""
        found = _signal(entry)
        if found is None:
            return None
        request_id, signal = found
        if not request_id:
            self._anonymous += 1
            request_id = f"#anonymous-{self._anonymous}"
        outcome = self.by_request.get(request_id)
        if outcome is None:
            outcome = self.by_request[request_id] = Outcome(
                request_id=request_id,
                function=entry.function,
                qualifier=entry.qualifier,
                version=entry.version or LATEST_LABEL,
                instance_id=entry.instance_id,
                time=entry.time,
            )
        if signal.failed and not outcome.failed:
            outcome.failed, outcome.reason = True, signal.reason
        if signal.summary is not None:
            _take_summary(outcome, signal.summary)
        return outcome

    def extend(self, entries: Iterable[Entry]) -> Outcomes:
        for entry in entries:
            self.add(entry)
        return self

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.by_request.values())

    def failed_requests(self) -> set[str]:
        return {rid for rid, o in self.by_request.items() if o.failed}


def _take_summary(outcome: Outcome, summary: dict[str, Any]) -> None:
    status = summary.get("status")
    if isinstance(status, int) and not isinstance(status, bool):
        outcome.status = status
    outcome.rejected = _rejected(summary)
    duration = summary.get("duration_ms")
    if isinstance(duration, (int, float)) and not isinstance(duration, bool):
        outcome.duration_ms = float(duration)
    outcome.cold_start = summary.get("cold_start") is True
