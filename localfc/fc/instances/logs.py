"""Everything the instances print, one JSON record per line in ``<state>/logs/<function>.jsonl``.

The record format is a contract with ``local_invoke.py logs`` and the release tooling::

    {"time": "2024-05-01T08:00:00.123Z", "function": "prime-checker", "qualifier": "LATEST",
     "version": "LATEST", "request_id": "…", "instance_id": "…", "stream": "stdout",
     "line": "FC Invoke Start RequestId: …"}

``line`` is exactly what the function printed (our JSON log lines, FC's framing lines, a
traceback line…), cut at 128 KB as FC cuts a log write. ``version`` is the version number
that ran, or ``LATEST``.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

MAX_LINE_BYTES = 128 * 1024


def utc_now_text() -> str:
    """ISO 8601 UTC with milliseconds, e.g. ``2024-05-01T08:00:00.123Z``."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def log_record(
    *,
    function: str,
    qualifier: str,
    version: str,
    request_id: str,
    instance_id: str,
    stream: str,
    line: str,
    time: str | None = None,
) -> dict[str, Any]:
    if len(line) > MAX_LINE_BYTES // 4 and len(line.encode("utf-8", "replace")) > MAX_LINE_BYTES:
        line = line.encode("utf-8", "replace")[:MAX_LINE_BYTES].decode("utf-8", "ignore")
    return {
        "time": time or utc_now_text(),
        "function": function,
        "qualifier": qualifier,
        "version": version or "LATEST",
        "request_id": request_id,
        "instance_id": instance_id,
        "stream": stream,
        "line": line,
    }


class InstanceLogs:
    """Appends records to one file per function; safe to call from many threads.

    >>> logs = InstanceLogs(Path(".localfc/logs"))            # doctest: +SKIP
    >>> logs.write("prime-checker", [log_record(...)])         # doctest: +SKIP
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files: dict[str, IO[str]] = {}
        self._lock = threading.Lock()

    def path(self, function: str) -> Path:
        return self.directory / f"{function}.jsonl"

    def write(self, function: str, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        with self._lock:
            handle = self._files.get(function)
            if handle is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                handle = self._files[function] = self.path(function).open("a", encoding="utf-8")
            # One write per batch, flushed at once: `logs --tail` readers see whole lines promptly.
            handle.write(text)
            handle.flush()

    def close(self) -> None:
        with self._lock:
            for handle in self._files.values():
                handle.close()
            self._files.clear()
