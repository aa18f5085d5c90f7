"""Points in time as the log commands take them: ``-s/--start-time``, ``-e/--end-time`` and
``--since``, the way ``s logs`` reads them, plus the relative forms people type.

- an epoch timestamp, in milliseconds (``1611827290000``, what ``s logs`` shows) or seconds;
- an ISO 8601 time, with or without an offset (``2021-11-11T11:11:12+08:00``,
  ``2024-05-01T08:00:00Z``; without one it is UTC, as FC's log times are);
- a duration before now: ``90s``, ``10m``, ``2h``, ``1d`` (``ago`` may follow);
- ``now``.

Durations here mean "that long before now"; the lengths themselves (``--interval 30s``)
are parsed where the release commands read them.

>>> now = datetime(2024, 5, 1, 10, tzinfo=timezone.utc)
>>> parse_point("2h", now=now).isoformat()
'2024-05-01T08:00:00+00:00'
>>> parse_point("1714550400000").isoformat()
'2024-05-01T08:00:00+00:00'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from localfc.logstore.entries import parse_time

_AGO = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|m|h|d)(?:\s+ago)?")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_EPOCH_DIGITS = re.compile(r"\d{9,13}(?:\.\d+)?")
# 10^11 seconds is the year 5138: a larger number is milliseconds.
_MILLIS_ABOVE = 1e11
EXAMPLES = "1611827290000 (epoch ms), 2024-05-01T08:00:00+08:00, 10m, 2h or 1d (before now)"


class TimeFormatError(ValueError):
    """A time the log commands cannot read; the message shows what they take."""


def parse_point(text: str, *, now: datetime | None = None, flag: str = "time") -> datetime:
    """One point in time, in UTC (a text without an offset is read as UTC)."""
    value = text.strip()
    now = now or datetime.now(timezone.utc)
    if value.lower() == "now":
        return now
    ago = _AGO.fullmatch(value)
    if ago:
        return now - timedelta(seconds=float(ago["n"]) * _UNIT_SECONDS[ago["unit"]])
    if _EPOCH_DIGITS.fullmatch(value):
        number = float(value)
        return datetime.fromtimestamp(number / 1000 if number > _MILLIS_ABOVE else number, timezone.utc)
    when = parse_time(value)
    if when is None:
        raise TimeFormatError(f"{flag} {text!r}: expected {EXAMPLES}")
    return when.astimezone(timezone.utc)


@dataclass(frozen=True)
class TimeWindow:
    """``[start, end]``, either side open when None."""

    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def parse(
        cls, start: str | None = None, end: str | None = None, *, since: str | None = None, now: datetime | None = None
    ) -> TimeWindow:
        """From the flags: ``--since`` is a start by another name (both given: an error)."""
        if since is not None and start is not None:
            raise TimeFormatError("--since and -s/--start-time say the same thing: give one")
        now = now or datetime.now(timezone.utc)
        first = parse_point(since, now=now, flag="--since") if since is not None else None
        if start is not None:
            first = parse_point(start, now=now, flag="-s/--start-time")
        last = parse_point(end, now=now, flag="-e/--end-time") if end is not None else None
        if first is not None and last is not None and last < first:
            raise TimeFormatError(f"-e/--end-time {end!r} is before the start {first.isoformat()}")
        return cls(first, last)

    def __contains__(self, when: datetime) -> bool:
        return (self.start is None or when >= self.start) and (self.end is None or when <= self.end)
