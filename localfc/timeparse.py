"""Durations and points in time as people write them: CLI flags and s.yaml's ``@every``.

One grammar for every duration the local tools read (``release --interval 30s``, ``release
status --since 10m``, ``logs --since 2h``, a timer's ``@every 1h30m``): one or more parts
``<number><unit>`` written together, units ``ms``, ``s``, ``m``, ``h``, ``d``, a positive total.
A caller may accept fewer units (``@every`` takes what FC takes: ``h``, ``m``, ``s``). A point
in time (``logs -s/-e/--since``, as ``s logs`` reads them) is an epoch timestamp in
milliseconds or seconds (``1611827290000``), ISO 8601 (``2024-05-01T08:00:00+08:00``; no zone
means UTC), a duration ago (``10m``, ``2h ago``) or ``now``. Errors say what was expected;
the caller names the flag.

>>> parse_duration("1h30m"), parse_duration("500ms"), parse_duration("1.5d")
(5400.0, 0.5, 129600.0)
>>> parse_since("2h", now=datetime(2024, 5, 1, 10, tzinfo=timezone.utc)).isoformat()
'2024-05-01T08:00:00+00:00'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection

DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
# "ms" before "m" and "s", so that "500ms" is one part.
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")


class TimeInputError(ValueError):
    """Text that is not the duration or the time it should be; the message says what was expected."""


def parse_duration(text: str, units: Collection[str] = DURATION_UNITS) -> float:
    """Seconds in ``30s``, ``10m``, ``1h30m``, ``1.5h``, ``500ms`` or ``1d`` (``units`` narrows the choice).

    >>> parse_duration("90s", units=("h", "m", "s"))
    90.0
    """
    stripped = text.strip()
    parts = _PART.findall(stripped)
    if not stripped or _PART.sub("", stripped) or any(unit not in units for _, unit in parts):
        allowed = ", ".join(u for u in DURATION_UNITS if u in units)
        raise TimeInputError(f"{stripped!r} is not a duration such as 30s, 10m or 1h30m (units: {allowed})")
    total = sum(float(number) * DURATION_UNITS[unit] for number, unit in parts)
    if total <= 0:
        raise TimeInputError(f"{stripped!r}: a duration must be longer than zero")
    return total


def parse_time(text: str) -> datetime | None:
    """``2024-05-01T08:00:00.123Z`` (or ``+08:00``, or no zone = UTC) as an aware datetime; None if unreadable."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


_EPOCH_DIGITS = re.compile(r"\d{9,13}(?:\.\d+)?")
# 10^11 seconds is the year 5138: a larger number is milliseconds (what `s logs` prints).
_MILLIS_ABOVE = 1e11
POINT_FORMS = "1611827290000 (epoch ms), 2024-05-01T08:00:00+08:00, or a duration ago like 90s, 10m, 2h, 1d"


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """A point in time, in UTC: a duration ago (``10m``, ``2h ago``), an epoch timestamp (ms
    or s), an ISO 8601 time, or ``now``."""
    value = text.strip()
    now = now or datetime.now(timezone.utc)
    if value.lower() == "now":
        return now
    try:
        return now - timedelta(seconds=parse_duration(value.removesuffix("ago").strip()))
    except TimeInputError:
        pass
    if _EPOCH_DIGITS.fullmatch(value):
        number = float(value)
        return datetime.fromtimestamp(number / 1000 if number > _MILLIS_ABOVE else number, timezone.utc)
    when = parse_time(value)
    if when is None:
        raise TimeInputError(f"{text!r}: expected {POINT_FORMS}")
    return when.astimezone(timezone.utc)


@dataclass(frozen=True)
class TimeWindow:
    """``[start, end]`` of ``logs -s/-e`` (``--since`` is a start by another name); either
    side open when None.

    >>> window = TimeWindow.parse("2h", "now", now=datetime(2024, 5, 1, 10, tzinfo=timezone.utc))
    >>> datetime(2024, 5, 1, 9, tzinfo=timezone.utc) in window
    True
    """

    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def parse(
        cls, start: str | None = None, end: str | None = None, *, since: str | None = None, now: datetime | None = None
    ) -> TimeWindow:
        if since is not None and start is not None:
            raise TimeInputError("--since and -s/--start-time say the same thing: give one")
        now = now or datetime.now(timezone.utc)
        first = _flagged("--since", since, now) if since is not None else None
        if start is not None:
            first = _flagged("-s/--start-time", start, now)
        last = _flagged("-e/--end-time", end, now) if end is not None else None
        if first is not None and last is not None and last < first:
            raise TimeInputError(f"-e/--end-time {end!r} is before the start {first.isoformat()}")
        return cls(first, last)

    def __contains__(self, when: datetime) -> bool:
        return (self.start is None or when >= self.start) and (self.end is None or when <= self.end)


def _flagged(flag: str, text: str, now: datetime) -> datetime:
    try:
        return parse_since(text, now)
    except TimeInputError as exc:
        raise TimeInputError(f"{flag} {exc}") from None
