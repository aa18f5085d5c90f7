"""Per-version invocation and error counts, the one place ``release status`` and the
progressive canary get them from.

Locally they come from the log ``serve`` writes, ``.localfc/logs/<function>.jsonl``: one JSON
record per line (``time, function, qualifier, version, request_id, instance_id, stream,
line``) where ``line`` is what the function printed. A request counts once, from whichever
of these shows up: our runtime's summary line (``"event": "invocation"``, ``status``) or FC's
``FC Invoke End RequestId: …`` framing line, which serve also writes for timeouts and crashes.
It is an error when the status is 5xx, the framing line says ``Error``, or the initializer
failed for it. A 4xx is the caller's bad input, not the version's fault.

On FC the same summary lines are in SLS; ``sls_query`` gives the query to run there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

LATEST_LABEL = "LATEST"
# "FC Invoke End RequestId: <id>" or "FC Initialize End RequestId: <id>, Error: ..."
_FRAME_END = re.compile(r"^FC (Invoke|Initialize) End RequestId: ([^,\s]+)(, Error)?")


@dataclass
class VersionCounts:
    """Invocations of one version and how many of them failed."""

    invocations: int = 0
    errors: int = 0

    @property
    def error_rate(self) -> float:
        return self.errors / self.invocations if self.invocations else 0.0


class InvocationLog:
    """Counts per version from one function's local log, read incrementally.

    ``since`` (epoch seconds) ignores older invocations; ``qualifier`` keeps only the calls
    made through that qualifier (an alias, say). ``poll()`` reads what was appended since the
    last poll and returns the running totals.

    >>> log = InvocationLog(Path(".localfc/logs/prime-checker.jsonl"), qualifier="prod")  # doctest: +SKIP
    >>> log.poll()["2"].error_rate                                                       # doctest: +SKIP
    0.0
    """

    def __init__(self, path: Path, since: float | None = None, qualifier: str | None = None) -> None:
        self.path = path
        self.since = since
        self.qualifier = qualifier
        self.counts: dict[str, VersionCounts] = {}
        self._offset = 0
        self._partial = b""
        self._counted: set[str] = set()  # request ids already counted
        self._failed: set[str] = set()  # ... and those counted as errors

    def poll(self) -> dict[str, VersionCounts]:
        try:
            with self.path.open("rb") as handle:
                handle.seek(0, 2)
                if handle.tell() < self._offset:  # truncated or replaced: start over
                    self._offset, self._partial, self.counts = 0, b"", {}
                    self._counted, self._failed = set(), set()
                handle.seek(self._offset)
                data = handle.read()
                self._offset = handle.tell()
        except FileNotFoundError:
            return self.counts
        chunk = self._partial + data
        complete, _, self._partial = chunk.rpartition(b"\n")  # a line still being written waits
        for raw in complete.splitlines():
            self._count(raw)
        return self.counts

    def _count(self, raw: bytes) -> None:
        try:
            record = json.loads(raw)
        except ValueError:
            return
        if not isinstance(record, dict):
            return
        raw_line = record.get("line")
        summary = _inner(raw_line)
        if summary.get("event") == "invocation":
            request_id, failed = str(record.get("request_id") or summary.get("request_id") or ""), is_error(summary)
        else:
            frame = _FRAME_END.match(raw_line) if isinstance(raw_line, str) else None
            if frame is None or (frame.group(1) == "Initialize" and not frame.group(3)):
                return  # not about an invocation's outcome (a successful initializer is not a call)
            request_id, failed = frame.group(2), bool(frame.group(3))
        if (
            self.qualifier is not None
            and str(record.get("qualifier") or summary.get("qualifier") or "") != self.qualifier
        ):
            return
        if self.since is not None:
            when = _epoch(record.get("time", summary.get("time")))
            if when is not None and when < self.since:
                return
        version = str(record.get("version") or summary.get("version") or "") or LATEST_LABEL
        counts = self.counts.setdefault(version, VersionCounts())
        if not request_id or request_id not in self._counted:
            counts.invocations += 1
            if request_id:
                self._counted.add(request_id)
        if failed and (not request_id or request_id not in self._failed):
            counts.errors += 1
            if request_id:
                self._failed.add(request_id)


def count_invocations(
    log_file: Path, since: float | None = None, qualifier: str | None = None
) -> dict[str, VersionCounts]:
    """Totals per version (``"LATEST"`` for unversioned calls) from a local log file."""
    return InvocationLog(log_file, since, qualifier).poll()


def log_file(state_dir: Path, function_name: str) -> Path:
    """Where ``serve`` writes a function's log."""
    return state_dir / "logs" / f"{function_name}.jsonl"


def is_error(line: dict[str, Any]) -> bool:
    status = line.get("status")
    if isinstance(status, int) and not isinstance(status, bool) and status >= 500:
        return True
    error_type = line.get("error_type") or line.get("errorType") or ""
    return error_type == "UnhandledInvocationError"


def sls_query(function_name: str) -> str:
    """The SLS query that gives the same counts on FC (the ``message`` field needs an index
    with analytics enabled; our summary lines are JSON inside it)."""
    return (
        f'__topic__: "FCLogs:{function_name}" and invocation | '
        "SELECT json_extract_scalar(message, '$.version') AS version, count(*) AS invocations, "
        "count_if(cast(json_extract_scalar(message, '$.status') AS bigint) >= 500) AS errors "
        "WHERE json_extract_scalar(message, '$.event') = 'invocation' "
        "GROUP BY version ORDER BY version"
    )


def _inner(line: Any) -> dict[str, Any]:
    if isinstance(line, dict):
        return line
    if isinstance(line, str) and line.startswith("{"):
        try:
            doc = json.loads(line)
        except ValueError:
            return {}
        return doc if isinstance(doc, dict) else {}
    return {}


def _epoch(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value / 1000 if value > 1e11 else float(value)  # milliseconds or seconds
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None
