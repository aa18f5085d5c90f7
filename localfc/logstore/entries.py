"""One collected log line as an ``Entry``, from either of the two JSONL files the local FC
keeps under its state directory (``.localfc/`` next to s.yaml).

``logs/<function>.jsonl``, written by ``serve`` (localfc/fc/instances/logs.py), one record
per printed line::

    {"time": "2024-05-01T08:00:00.123Z", "function": "prime-checker", "qualifier": "prod",
     "version": "3", "request_id": "…", "instance_id": "…", "stream": "stdout", "line": "…"}

``sls/<project>/<logstore>.jsonl``, written by the local SLS receiver (localfc/services/sls),
one record per shipped business event::

    {"time": "…", "project": "…", "logstore": "…", "topic": "…", "source": "…",
     "tags": {}, "contents": {"event": "…", "request_id": "…", "function": "…", …}}

``line`` is usually one of our JSON log lines (docs/log-schema.md) or one of FC's framing
lines (``FC Invoke End RequestId: …``); what they say about an invocation's outcome is
``outcomes.py``'s business, not this module's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from localfc.timeparse import parse_time

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
END_WITH_ERROR = re.compile(r"^FC (?:Invoke|Initialize) End RequestId: .*Error")


@dataclass
class Entry:
    """One collected line, from either source, with the fields the filters use."""

    time: datetime
    function: str
    qualifier: str
    version: str
    request_id: str
    stream: str  # stdout | stderr | sls
    line: str  # what the function printed, or the shipped event as JSON
    raw: dict[str, Any]  # the record as stored, for --json
    doc: dict[str, Any] | None = None  # the parsed JSON log line (or the shipped contents)
    origin: str = "fc"  # fc | sls:<project>/<logstore>
    instance_id: str = ""

    @property
    def level(self) -> str:
        if self.origin != "fc":
            return "EVENT"
        if self.doc is not None:
            return str(self.doc.get("level") or "-")
        if END_WITH_ERROR.match(self.line):
            return "ERROR"
        # Our runtime logs to stdout; what lands on stderr is a traceback or a warning.
        return "STDERR" if self.stream == "stderr" else "-"

    @property
    def is_summary(self) -> bool:
        """Our runtime's one summary line per invocation (``"event": "invocation"``)."""
        return self.doc is not None and self.origin == "fc" and self.doc.get("event") == "invocation"

    @property
    def is_error(self) -> bool:
        """An error *line*: ERROR/CRITICAL, stderr, a summary with status >= 400, FC's
        "End ... Error". Whether an *invocation* failed is ``outcomes.py``'s rule."""
        if self.level in ("ERROR", "CRITICAL", "STDERR"):
            return True
        status = self.doc.get("status") if self.is_summary and self.doc is not None else None
        return isinstance(status, int) and status >= 400


def fc_entry(record: dict[str, Any]) -> Entry | None:
    """An entry from a ``serve`` record; None when the record is not one."""
    value = record.get("line")
    doc: dict[str, Any] | None
    if isinstance(value, dict):  # a record written by hand with the JSON line inlined
        line, doc = json.dumps(value, ensure_ascii=False), value
    elif isinstance(value, str):
        line, doc = value, json_object(value)
    else:
        return None
    scope = doc or {}
    return Entry(
        time=parse_time(str(record.get("time", ""))) or parse_time(str(scope.get("time", ""))) or EPOCH,
        function=str(record.get("function") or scope.get("function") or ""),
        qualifier=str(record.get("qualifier") or scope.get("qualifier") or ""),
        version=str(record.get("version") or scope.get("version") or ""),
        request_id=str(record.get("request_id") or scope.get("request_id") or ""),
        stream=str(record.get("stream") or "stdout"),
        line=line,
        raw=record,
        doc=doc,
        instance_id=str(record.get("instance_id") or scope.get("instance_id") or ""),
    )


def sls_entry(record: dict[str, Any]) -> Entry | None:
    """An entry from a record of the local SLS receiver's journal."""
    contents = record.get("contents")
    if not isinstance(contents, dict):
        return None
    return Entry(
        time=parse_time(str(record.get("time", ""))) or EPOCH,
        function=str(contents.get("function") or record.get("topic") or ""),
        qualifier=str(contents.get("qualifier") or ""),
        version=str(contents.get("version") or ""),
        request_id=str(contents.get("request_id") or ""),
        stream="sls",
        line=json.dumps(contents, ensure_ascii=False),
        raw=record,
        doc=contents,
        origin=f"sls:{record.get('project', '')}/{record.get('logstore', '')}",
        instance_id=str(contents.get("instance_id") or ""),
    )


def json_object(line: str) -> dict[str, Any] | None:
    """``line`` parsed when it is a JSON object, else None (cheap for non-JSON lines)."""
    if not line.startswith("{"):
        return None
    try:
        doc = json.loads(line)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None
