"""FC timer schedules: 6-field cron (``sec min hour day month weekday``) and ``@every``.

FC's timer trigger takes ``cronExpression`` in either form, evaluated in UTC unless prefixed
with ``CRON_TZ=<IANA zone>``::

    0 0 4 * * *            04:00:00 every day
    0 */15 9-17 ? * MON-FRI   every 15 minutes from 09:00 to 17:45, weekdays
    @every 4m              every 4 minutes (units h, m, s; e.g. 1h30m)

Fields accept ``*``, ``?`` (day fields), lists ``a,b``, ranges ``a-b``, steps ``*/n``,
``a-b/n``, ``a/n``, month names ``JAN``–``DEC`` and weekday names ``SUN``–``SAT`` (0 or 7 =
Sunday). Like robfig/cron (which FC's syntax follows), when both day-of-month and weekday
are restricted a day matching either fires. ``L``, ``W`` and ``#`` are not supported.

>>> schedule = parse("0 30 2 * * *")
>>> schedule.next_after(datetime(2024, 5, 1, 3, 0, tzinfo=timezone.utc)).isoformat()
'2024-05-02T02:30:00+00:00'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from localfc.timeparse import TimeInputError, parse_duration

_MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
_DAYS = {name: i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
_EVERY_UNITS = ("h", "m", "s")  # what FC takes after @every
_SEARCH_YEARS = 5


class CronError(ValueError):
    """The expression is not a valid FC timer schedule; the message says which part."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int] | None = None


_FIELDS = (
    _Field("second", 0, 59),
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31),
    _Field("month", 1, 12, _MONTHS),
    _Field("day of week", 0, 7, _DAYS),
)


@dataclass(frozen=True)
class Every:
    """``@every <duration>``: fires every ``interval_s`` seconds, counted from ``start``."""

    interval_s: float
    start: datetime

    def next_after(self, moment: datetime) -> datetime:
        elapsed = (moment - self.start).total_seconds()
        periods = int(elapsed // self.interval_s) + 1 if elapsed >= 0 else 1
        return self.start + timedelta(seconds=periods * self.interval_s)


@dataclass(frozen=True)
class Cron:
    """A 6-field cron schedule."""

    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    days_restricted: bool
    weekdays_restricted: bool
    zone: tzinfo

    def _day_matches(self, moment: datetime) -> bool:
        in_month = moment.day in self.days
        in_week = (moment.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_month or in_week
        return in_month and in_week

    def next_after(self, moment: datetime) -> datetime:
        """The first firing time strictly after ``moment`` (an aware datetime), in UTC."""
        t = moment.astimezone(self.zone).replace(microsecond=0) + timedelta(seconds=1)
        limit = t + timedelta(days=366 * _SEARCH_YEARS)
        while t < limit:
            if t.month not in self.months:
                t = _month_start(t, 1)
                continue
            if not self._day_matches(t):
                t = (t + timedelta(days=1)).replace(hour=0, minute=0, second=0)
                continue
            if t.hour not in self.hours:
                t = (t + timedelta(hours=1)).replace(minute=0, second=0)
                continue
            if t.minute not in self.minutes:
                t = (t + timedelta(minutes=1)).replace(second=0)
                continue
            if t.second not in self.seconds:
                t += timedelta(seconds=1)
                continue
            return t.astimezone(timezone.utc)
        raise CronError("the schedule never fires")


Schedule = Cron | Every


def parse(expression: str, now: datetime | None = None) -> Schedule:
    """Parse an FC ``cronExpression`` (``now`` anchors ``@every``; default: the current time)."""
    text = expression.strip()
    zone: tzinfo = timezone.utc
    if text.startswith("CRON_TZ="):
        zone_name, _, text = text[len("CRON_TZ=") :].partition(" ")
        zone = _zone(zone_name)
        text = text.strip()
    if text.startswith("@every"):
        return Every(_every(text[len("@every") :]), now or datetime.now(timezone.utc))
    if text.startswith("@"):
        raise CronError(f"unsupported schedule {text!r}: use 6 cron fields or @every <duration>")
    parts = text.split()
    if len(parts) != 6:
        raise CronError(f"expected 6 fields (second minute hour day month weekday), got {len(parts)} in {expression!r}")
    values = [_parse_field(part, spec) for part, spec in zip(parts, _FIELDS, strict=True)]
    weekdays = frozenset(0 if d == 7 else d for d in values[5])
    return Cron(
        seconds=values[0],
        minutes=values[1],
        hours=values[2],
        days=values[3],
        months=values[4],
        weekdays=weekdays,
        days_restricted=parts[3] not in ("*", "?"),
        weekdays_restricted=parts[5] not in ("*", "?"),
        zone=zone,
    )


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except Exception:
        raise CronError(f"unknown time zone in CRON_TZ: {name!r}") from None


def _every(text: str) -> float:
    try:
        return parse_duration(text, units=_EVERY_UNITS)
    except TimeInputError as exc:
        raise CronError(f"@every needs a duration: {exc}") from None


def _parse_field(text: str, spec: _Field) -> frozenset[int]:
    out: set[int] = set()
    for item in text.split(","):
        if not item:
            raise CronError(f"empty list item in {spec.name} field {text!r}")
        base, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"bad step {step_text!r} in {spec.name} field")
            step = int(step_text)
        if base in ("*", "?"):
            if base == "?" and spec.name not in ("day of month", "day of week"):
                raise CronError(f"'?' is only allowed in the day fields, not in {spec.name}")
            low, high = spec.low, spec.high
        elif "-" in base:
            first, _, last = base.partition("-")
            low, high = _value(first, spec), _value(last, spec)
            if low > high:
                raise CronError(f"range {base!r} runs backwards in {spec.name} field")
        else:
            low = _value(base, spec)
            high = spec.high if slash else low
        out.update(range(low, high + 1, step))
    return frozenset(out)


def _value(text: str, spec: _Field) -> int:
    upper = text.upper()
    if spec.names and upper in spec.names:
        return spec.names[upper]
    if not text.isdigit():
        raise CronError(f"{text!r} is not a valid {spec.name}")
    number = int(text)
    if not spec.low <= number <= spec.high:
        raise CronError(f"{number} is out of range for {spec.name} ({spec.low}-{spec.high})")
    return number


def _month_start(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    return moment.replace(year=moment.year + month // 12, month=month % 12 + 1, day=1, hour=0, minute=0, second=0)
