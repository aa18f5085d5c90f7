"""Durations and points in time as people write them: CLI flags and s.yaml's ``@every``.

One grammar for every duration the local tools read (``release --interval 30s``, ``release
status --since 10m``, ``logs --since 2h``, a timer's ``@every 1h30m``): one or more parts
``<number><unit>`` written together, units ``ms``, ``s``, ``m``, ``h``, ``d``, a positive total.
A caller may accept fewer units (``@every`` takes what FC takes: ``h``, ``m``, ``s``). A point
in time is ISO 8601 (``2024-05-01T08:00:00Z``; no zone means UTC) or, for ``--since``, a
duration ago. Errors say what was expected; the caller names the flag.

>>> parse_duration("1h30m"), parse_duration("500ms"), parse_duration("1.5d")
(5400.0, 0.5, 129600.0)
>>> parse_since("2h", now=datetime(2024, 5, 1, 10, tzinfo=timezone.utc)).isoformat()
'2024-05-01T08:00:00+00:00'
"""

from __future__ import annotations

import re
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


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """A duration ago (``10m``, ``2h``, ``1d``) or an ISO 8601 time."""
    try:
        return (now or datetime.now(timezone.utc)) - timedelta(seconds=parse_duration(text))
    except TimeInputError:
        pass
    when = parse_time(text)
    if when is None:
        raise TimeInputError(f"{text!r}: expected a duration like 90s, 10m, 2h, 1d or a time like 2024-05-01T08:00:00Z")
    return when
