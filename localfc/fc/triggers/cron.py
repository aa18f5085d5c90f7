"""FC timer schedules: 6-field cron (``sec min hour day month weekday``) and ``@every``.

FC's timer trigger takes ``cronExpression`` in either form, evaluated in UTC unless prefixed
with ``CRON_TZ=<IANA zone>``::

    0 0 4 * * *               04:00:00 every day
    0 */15 9-17 ? * MON-FRI   every 15 minutes from 09:00 to 17:45, weekdays
    @every 4m                 every 4 minutes (units h, m, s; e.g. 1h30m: localfc/timeparse.py)

What FC accepts is checked here, field by field, with messages that name the field: ``*``,
``?`` (day fields only), lists ``a,b``, ranges ``a-b``, steps ``*/n``, ``a-b/n``, ``a/n``,
month names ``JAN``–``DEC`` and weekday names ``SUN``–``SAT`` (0 or 7 = Sunday). FC's
documented syntax has no ``L``, ``W`` or ``#`` (nor a year field), so they are refused here
although croniter knows them. When to fire is croniter's (seconds first; when both day of
month and weekday are restricted a day matching either fires, as in robfig/cron, which FC's
syntax follows; time zones with DST: a time in the skipped hour fires when the gap ends, one in
the repeated hour fires in both). A schedule that can never fire (``30 FEB``) is refused when
parsed, so ``validate`` reports it.

>>> schedule = parse("0 30 2 * * *")
>>> schedule.next_after(datetime(2024, 5, 1, 3, 0, tzinfo=timezone.utc)).isoformat()
'2024-05-02T02:30:00+00:00'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from localfc.timeparse import TimeInputError, parse_duration

_MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
_DAYS = {name: i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
_EVERY_UNITS = ("h", "m", "s")  # what FC takes after @every
_ITEM = re.compile(r"(?:(?P<any>[*?])|(?P<low>[0-9A-Za-z]+)(?:-(?P<high>[0-9A-Za-z]+))?)(?:/(?P<step>[0-9]+))?")
_NO_SUCH_SYNTAX = re.compile(r"[LW#]|^H", re.IGNORECASE)


class CronError(ValueError):
    """The expression is not a valid FC timer schedule; the message says which part."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int] | None = None
    question_mark: bool = False


_FIELDS = (
    _Field("second", 0, 59),
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31, question_mark=True),
    _Field("month", 1, 12, _MONTHS),
    _Field("day of week", 0, 7, _DAYS, question_mark=True),
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
    """A 6-field cron schedule (already checked against FC's syntax) in ``zone``."""

    fields: str
    zone: tzinfo

    def next_after(self, moment: datetime) -> datetime:
        """The first firing time strictly after ``moment`` (an aware datetime), in UTC."""
        # croniter (and python-dateutil under it) cost ~0.1 s to import: only timers pay it.
        from croniter import CroniterBadDateError, CroniterError, croniter  # noqa: PLC0415

        try:
            fires = croniter(self.fields, moment.astimezone(self.zone), second_at_beginning=True).get_next(datetime)
        except CroniterBadDateError:
            raise CronError("the schedule never fires (no such date, e.g. 30 FEB)") from None
        except CroniterError as exc:  # syntax _check_field let through and croniter does not take
            raise CronError(f"{self.fields!r} is not a schedule croniter can compute: {exc}") from None
        return fires.astimezone(timezone.utc)


Schedule = Cron | Every


def parse(expression: str, now: datetime | None = None) -> Schedule:
    """Parse an FC ``cronExpression`` (``now`` anchors ``@every``; default: the current time)."""
    now = now or datetime.now(timezone.utc)
    text = expression.strip()
    zone: tzinfo = timezone.utc
    if text.startswith("CRON_TZ="):
        zone_name, _, text = text[len("CRON_TZ=") :].partition(" ")
        zone = _zone(zone_name)
        text = text.strip()
    if text.startswith("@every"):
        return Every(_every(text[len("@every") :]), now)
    if text.startswith("@"):
        raise CronError(f"unsupported schedule {text!r}: use 6 cron fields or @every <duration>")
    parts = text.split()
    if len(parts) != len(_FIELDS):
        raise CronError(
            f"expected 6 fields (second minute hour day month weekday), e.g. '0 0 4 * * *'; got {len(parts)}"
        )
    for part, spec in zip(parts, _FIELDS, strict=True):
        _check_field(part, spec)
    schedule = Cron(" ".join(parts), zone)
    schedule.next_after(now)  # raises CronError when no date ever matches
    return schedule


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


def _check_field(text: str, spec: _Field) -> None:
    for item in text.split(","):
        match = _ITEM.fullmatch(item)
        if match is None:
            raise CronError(f"{item!r} is not a valid {spec.name}{_hint(item)}")
        if match["any"] == "?" and not spec.question_mark:
            raise CronError(f"'?' is only allowed in the day fields, not in {spec.name}")
        if match["step"] is not None and int(match["step"]) == 0:
            raise CronError(f"bad step {match['step']!r} in {spec.name} field")
        if match["low"] is not None:
            low = _value(match["low"], spec)
            if match["high"] is not None and low > _value(match["high"], spec):
                raise CronError(f"range {item.split('/')[0]!r} runs backwards in {spec.name} field")


def _value(text: str, spec: _Field) -> int:
    upper = text.upper()
    if spec.names and upper in spec.names:
        return spec.names[upper]
    if not text.isdigit():
        raise CronError(f"{text!r} is not a valid {spec.name}{_hint(text)}")
    number = int(text)
    if not spec.low <= number <= spec.high:
        raise CronError(f"{number} is out of range for {spec.name} ({spec.low}-{spec.high})")
    return number


def _hint(item: str) -> str:
    if _NO_SUCH_SYNTAX.search(item):
        return " (FC's cron has no L, W, # or H: use lists, ranges and steps)"
    return ""
