"""Everything the instances print, one JSON record per line in ``<state>/logs/<function>.jsonl``.

The record format is a contract with ``local_invoke.py logs`` and the release tooling::

    {"time": "2024-05-01T08:00:00.123Z", "function": "prime-checker", "qualifier": "LATEST",
     "version": "LATEST", "request_id": "…", "instance_id": "…", "stream": "stdout",
     "line": "FC Invoke Start RequestId: …"}

``line`` is exactly what the function printed (our JSON log lines, FC's framing lines, a
traceback line…), cut at 128 KB as FC cuts a log write. ``version`` is the version number
that ran, or ``LATEST``.

Rotation (the file used to grow without bound: 67 MB after 50,000 calls). When a write would
take ``<function>.jsonl`` past ``max_bytes`` (default 16 MiB), it is renamed
``<function>.jsonl.1`` (``.1`` to ``.2`` and so on first; the oldest, ``.<keep>``, is
deleted; default keep 3) and a new ``<function>.jsonl`` is started: at most
``(keep + 1) * max_bytes`` per function. Whole lines only: a batch never spans two files.

For readers (``localfc/logstore``): the history of a function, oldest first, is
``<function>.jsonl.<keep>`` … ``<function>.jsonl.1``, then ``<function>.jsonl``. A reader
following ``<function>.jsonl`` by offset that finds it shorter than its offset (or with a new
inode) has seen a rotation: the rest of what it was reading is in ``<function>.jsonl.1`` from
that offset on; the new file is read from 0. ``*.jsonl`` globs see current files only.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

MAX_LINE_BYTES = 128 * 1024
MAX_FILE_BYTES = 16 * 1024 * 1024
FILES_KEPT = 3


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
    """Appends records to one file per function, rotating it (see the module docstring);
    safe to call from many threads.

    >>> logs = InstanceLogs(Path(".localfc/logs"))            # doctest: +SKIP
    >>> logs.write("prime-checker", [log_record(...)])         # doctest: +SKIP
    """

    def __init__(self, directory: Path, *, max_bytes: int = MAX_FILE_BYTES, keep: int = FILES_KEPT) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.keep = max(0, keep)
        self._files: dict[str, IO[bytes]] = {}
        self._sizes: dict[str, int] = {}
        self._lock = threading.Lock()

    def path(self, function: str) -> Path:
        return self.directory / f"{function}.jsonl"

    def rotated(self, function: str, generation: int) -> Path:
        """``<function>.jsonl.<generation>``: 1 is the previous file, ``keep`` the oldest."""
        return self.directory / f"{function}.jsonl.{generation}"

    def write(self, function: str, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8", "replace")
        with self._lock:
            if function not in self._files:
                self._open(function)
            if self._sizes[function] and self._sizes[function] + len(data) > self.max_bytes:
                self._rotate(function)
                self._open(function)
            handle = self._files[function]
            # One write per batch, flushed at once: `logs --tail` readers see whole lines promptly.
            handle.write(data)
            handle.flush()
            self._sizes[function] += len(data)

    def _open(self, function: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        handle = self._files[function] = self.path(function).open("ab")
        self._sizes[function] = handle.seek(0, os.SEEK_END)  # a file left by an earlier run counts

    def _rotate(self, function: str) -> None:
        self._files.pop(function).close()
        self._sizes[function] = 0
        if self.keep == 0:
            self.path(function).unlink(missing_ok=True)
            return
        self.rotated(function, self.keep).unlink(missing_ok=True)
        for generation in range(self.keep - 1, 0, -1):
            older = self.rotated(function, generation)
            if older.exists():
                older.replace(self.rotated(function, generation + 1))
        self.path(function).replace(self.rotated(function, 1))

    def close(self) -> None:
        with self._lock:
            for handle in self._files.values():
                handle.close()
            self._files.clear()
