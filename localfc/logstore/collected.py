"""What the local FC and the local SLS collected, read back for ``local_invoke.py logs``.

Two kinds of JSONL files under the state directory (``.localfc/`` next to s.yaml):

``logs/<function>.jsonl``, written by ``serve`` (localfc/fc/instances/logs.py), one
record per printed line::

    {"time": "2024-05-01T08:00:00.123Z", "function": "prime-checker", "qualifier": "prod",
     "version": "3", "request_id": "…", "instance_id": "…", "stream": "stdout", "line": "…"}

``sls/<project>/<logstore>.jsonl``, written by the local SLS receiver (localfc/services/sls), one
record per shipped business event::

    {"time": "…", "project": "…", "logstore": "…", "topic": "…", "source": "…",
     "tags": {}, "contents": {"event": "…", "request_id": "…", "function": "…", …}}

``line`` is usually one of our JSON log lines (docs/log-schema.md); the invocation summary
lines (``"event":"invocation"``) give ``stats`` its figures.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from localfc.timeparse import parse_time

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_END_WITH_ERROR = re.compile(r"^FC (?:Invoke|Initialize) End RequestId: .*Error")
_INVOKE_START = "FC Invoke Start RequestId:"
# Shown as the line itself; the extra fields of a JSON line follow its message.
_NOT_EXTRAS = frozenset(
    {"time", "level", "logger", "message", "request_id", "function", "qualifier", "version", "cold_start", "phase"}
)
_SUMMARY_KEYS = ("status", "duration_ms", "trigger", "operation", "error_code", "metrics")


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

    @property
    def level(self) -> str:
        if self.origin != "fc":
            return "EVENT"
        if self.doc is not None:
            return str(self.doc.get("level") or "-")
        if _END_WITH_ERROR.match(self.line):
            return "ERROR"
        # Our runtime logs to stdout; what lands on stderr is a traceback or a warning.
        return "STDERR" if self.stream == "stderr" else "-"

    @property
    def is_summary(self) -> bool:
        return self.doc is not None and self.origin == "fc" and self.doc.get("event") == "invocation"

    @property
    def is_error(self) -> bool:
        """Error lines: ERROR/CRITICAL, stderr, a summary with status >= 400, FC's "End ... Error"."""
        if self.level in ("ERROR", "CRITICAL", "STDERR"):
            return True
        status = self.doc.get("status") if self.is_summary and self.doc is not None else None
        return isinstance(status, int) and status >= 400


def fc_entry(record: dict[str, Any]) -> Entry | None:
    """An entry from a ``serve`` record; None when the record is not one."""
    line = record.get("line")
    if not isinstance(line, str):
        return None
    doc = _json_object(line)
    scope = doc or {}
    return Entry(
        time=parse_time(str(record.get("time", ""))) or parse_time(str(scope.get("time", ""))) or _EPOCH,
        function=str(record.get("function") or scope.get("function") or ""),
        qualifier=str(record.get("qualifier") or scope.get("qualifier") or ""),
        version=str(record.get("version") or scope.get("version") or ""),
        request_id=str(record.get("request_id") or scope.get("request_id") or ""),
        stream=str(record.get("stream") or "stdout"),
        line=line,
        raw=record,
        doc=doc,
    )


def sls_entry(record: dict[str, Any]) -> Entry | None:
    """An entry from a record of the local SLS receiver's journal."""
    contents = record.get("contents")
    if not isinstance(contents, dict):
        return None
    return Entry(
        time=parse_time(str(record.get("time", ""))) or _EPOCH,
        function=str(contents.get("function") or record.get("topic") or ""),
        qualifier=str(contents.get("qualifier") or ""),
        version=str(contents.get("version") or ""),
        request_id=str(contents.get("request_id") or ""),
        stream="sls",
        line=json.dumps(contents, ensure_ascii=False),
        raw=record,
        doc=contents,
        origin=f"sls:{record.get('project', '')}/{record.get('logstore', '')}",
    )


def _json_object(line: str) -> dict[str, Any] | None:
    if not line.startswith("{"):
        return None
    try:
        doc = json.loads(line)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


@dataclass
class Selection:
    """Which entries to show; empty fields select everything."""

    functions: frozenset[str] = frozenset()
    request_id: str = ""
    qualifier: str = ""
    since: datetime | None = None
    errors_only: bool = False

    def matches(self, entry: Entry) -> bool:
        if self.functions and entry.function not in self.functions:
            return False
        if self.request_id and entry.request_id != self.request_id:
            return False
        if self.qualifier and self.qualifier not in (entry.qualifier, entry.version):
            return False
        if self.since is not None and entry.time < self.since:
            return False
        return not self.errors_only or entry.is_error


class LogFiles:
    """The JSONL files under a state directory, read whole or followed as they grow."""

    def __init__(self, root: Path, functions: Iterable[str] = ()) -> None:
        self.root = root
        self.functions = frozenset(functions)
        self._offsets: dict[Path, int] = {}
        self._partial: dict[Path, bytes] = {}

    def paths(self) -> list[tuple[Path, str]]:
        """``(path, kind)`` with kind ``fc`` or ``sls``; only the selected functions' fc files."""
        found: list[tuple[Path, str]] = []
        logs_dir = self.root / "logs"
        if logs_dir.is_dir():
            found += [
                (p, "fc") for p in sorted(logs_dir.glob("*.jsonl")) if not self.functions or p.stem in self.functions
            ]
        sls_dir = self.root / "sls"
        if sls_dir.is_dir():
            found += [(p, "sls") for p in sorted(sls_dir.glob("*/*.jsonl"))]
        return found

    def read_new(self) -> list[Entry]:
        """Entries written since the last call (everything, the first time; files that
        appeared since included), oldest first."""
        entries: list[Entry] = []
        for path, kind in self.paths():
            entries += self._read_new(path, kind)
        entries.sort(key=lambda e: e.time)
        return entries

    def _read_new(self, path: Path, kind: str) -> list[Entry]:
        try:
            size = path.stat().st_size
            offset = self._offsets.get(path, 0)
            if size < offset:  # truncated or replaced: start again
                offset, self._partial[path] = 0, b""
            if size == offset:
                return []
            with path.open("rb") as handle:
                handle.seek(offset)
                data = self._partial.pop(path, b"") + handle.read(size - offset)
        except OSError:
            return []
        self._offsets[path] = size
        complete, _, rest = data.rpartition(b"\n")
        if rest:  # a line still being written: keep it for the next poll
            self._partial[path] = rest
        make = fc_entry if kind == "fc" else sls_entry
        entries = []
        for raw_line in complete.split(b"\n") if complete else []:
            record = _json_object(raw_line.decode("utf-8", "replace").strip())
            entry = make(record) if record is not None else None
            if entry is not None:
                entries.append(entry)
        return entries


def render(entry: Entry) -> str:
    """One readable line: time, function, qualifier@version, level, message, request id."""
    stamp = entry.time.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    where = (
        entry.qualifier
        if entry.qualifier == entry.version or not entry.version
        else f"{entry.qualifier}@{entry.version}"
    )
    text = _text(entry)
    suffix = f"  [{entry.request_id}]" if entry.request_id and entry.request_id not in text else ""
    return f"{stamp}  {entry.function or '-'}  {where or '-'}  {entry.level:<7} {text}{suffix}"


def _text(entry: Entry) -> str:
    doc = entry.doc
    if doc is None:
        return entry.line
    if entry.origin != "fc":
        fields = {k: v for k, v in doc.items() if k not in ("event", "request_id", "function", "qualifier", "version")}
        return f"{doc.get('event', 'event')} ({entry.origin[4:]}) {_pairs(fields)}".rstrip()
    message = str(doc.get("message", ""))
    if entry.is_summary:
        fields = {k: doc[k] for k in _SUMMARY_KEYS if k in doc}
        if doc.get("cold_start"):
            fields["cold_start"] = True
    else:
        fields = {k: v for k, v in doc.items() if k not in _NOT_EXTRAS and k != "exc_info"}
    text = f"{message} {_pairs(fields)}".rstrip()
    if isinstance(doc.get("exc_info"), str):
        text += "\n" + str(doc["exc_info"])
    return text


def _pairs(fields: dict[str, Any]) -> str:
    parts = [
        f"{k}={v if isinstance(v, (str, int, float)) else json.dumps(v, ensure_ascii=False)}" for k, v in fields.items()
    ]
    text = " ".join(parts)
    return text if len(text) <= 300 else text[:297] + "..."


@dataclass
class VersionStats:
    """Figures for one function version, from its invocation summary lines."""

    function: str
    version: str
    qualifiers: set[str] = field(default_factory=set)
    durations: list[float] = field(default_factory=list)
    invocations: int = 0
    server_errors: int = 0  # 5xx, or the invocation died without a summary (FC "End ... Error")
    client_errors: int = 0  # 4xx: the caller's input was refused
    cold_starts: int = 0

    @property
    def error_rate(self) -> float:
        return self.server_errors / self.invocations if self.invocations else 0.0

    def percentile(self, fraction: float) -> float | None:
        """Nearest-rank percentile of the durations (None without any)."""
        if not self.durations:
            return None
        ordered = sorted(self.durations)
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "version": self.version,
            "qualifiers": sorted(self.qualifiers),
            "invocations": self.invocations,
            "errors_5xx": self.server_errors,
            "errors_4xx": self.client_errors,
            "error_rate": round(self.error_rate, 4),
            "cold_starts": self.cold_starts,
            "p50_ms": self.percentile(0.5),
            "p99_ms": self.percentile(0.99),
            "max_ms": max(self.durations) if self.durations else None,
        }


def stats(entries: Iterable[Entry]) -> list[VersionStats]:
    """Per function and version: invocations, error rates, cold starts, p50/p99 duration.

    An invocation is a summary line; one that died without one (a timeout, a crash) counts
    from FC's ``FC Invoke End RequestId: … Error`` line as a server error.
    """
    summaries: dict[str, Entry] = {}
    died: dict[str, Entry] = {}
    for entry in entries:
        if entry.origin != "fc":
            continue
        if entry.is_summary:
            summaries[entry.request_id or f"#{len(summaries)}"] = entry
        elif entry.doc is None and entry.line.startswith("FC Invoke End") and _END_WITH_ERROR.match(entry.line):
            died[entry.request_id] = entry
    table: dict[tuple[str, str], VersionStats] = {}

    def row(entry: Entry) -> VersionStats:
        key = (entry.function, entry.version or "LATEST")
        if key not in table:
            table[key] = VersionStats(*key)
        found = table[key]
        found.invocations += 1
        if entry.qualifier:
            found.qualifiers.add(entry.qualifier)
        return found

    for entry in summaries.values():
        found = row(entry)
        doc = entry.doc or {}
        status = doc.get("status")
        if isinstance(status, int) and status >= 500:
            found.server_errors += 1
        elif isinstance(status, int) and status >= 400:
            found.client_errors += 1
        duration = doc.get("duration_ms")
        if isinstance(duration, (int, float)) and not isinstance(duration, bool):
            found.durations.append(float(duration))
        if doc.get("cold_start") is True:
            found.cold_starts += 1
    for request_id, entry in died.items():
        if request_id not in summaries:
            row(entry).server_errors += 1
    return sorted(table.values(), key=lambda s: (s.function, _version_order(s.version)))


def _version_order(version: str) -> tuple[int, int, str]:
    return (0, int(version), "") if version.isdigit() else (1, 0, version)


def stats_table(rows: list[VersionStats]) -> Iterator[str]:
    """The rows as an aligned text table."""
    header = (
        "FUNCTION",
        "VERSION",
        "QUALIFIERS",
        "CALLS",
        "5XX",
        "ERROR%",
        "4XX",
        "COLD",
        "P50_MS",
        "P99_MS",
        "MAX_MS",
    )
    body = [
        (
            r.function,
            r.version,
            ",".join(sorted(r.qualifiers)) or "-",
            str(r.invocations),
            str(r.server_errors),
            f"{r.error_rate * 100:.1f}",
            str(r.client_errors),
            str(r.cold_starts),
            _ms(r.percentile(0.5)),
            _ms(r.percentile(0.99)),
            _ms(max(r.durations) if r.durations else None),
        )
        for r in rows
    ]
    widths = [max(len(cells[i]) for cells in (header, *body)) for i in range(len(header))]
    for cells in (header, *body):
        yield "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
