"""FC timer schedules: 6-field cron and @every."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from localfc.fc.triggers.cron import CronError, parse

T0 = datetime(2024, 5, 1, 8, 0, 0, tzinfo=timezone.utc)  # a Wednesday


def fires(expression: str, start: datetime = T0, count: int = 3) -> list[str]:
    schedule = parse(expression, start)
    out, moment = [], start
    for _ in range(count):
        moment = schedule.next_after(moment)
        out.append(moment.strftime("%Y-%m-%d %a %H:%M:%S"))
    return out


def test_daily_at_a_fixed_time():
    assert fires("0 0 4 * * *", count=2) == ["2024-05-02 Thu 04:00:00", "2024-05-03 Fri 04:00:00"]


def test_every_second_and_steps():
    assert fires("* * * * * *") == ["2024-05-01 Wed 08:00:01", "2024-05-01 Wed 08:00:02", "2024-05-01 Wed 08:00:03"]
    assert fires("*/20 * * * * *") == ["2024-05-01 Wed 08:00:20", "2024-05-01 Wed 08:00:40", "2024-05-01 Wed 08:01:00"]
    assert fires("0 5/20 * * * *") == ["2024-05-01 Wed 08:05:00", "2024-05-01 Wed 08:25:00", "2024-05-01 Wed 08:45:00"]


def test_weekday_names_ranges_and_question_mark():
    assert fires("0 */15 9-17 ? * MON-FRI", start=datetime(2024, 5, 3, 17, 50, tzinfo=timezone.utc), count=2) == [
        "2024-05-06 Mon 09:00:00",
        "2024-05-06 Mon 09:15:00",
    ]
    assert fires("0 0 0 * * 0", count=1) == fires("0 0 0 * * SUN", count=1) == fires("0 0 0 * * 7", count=1)


def test_month_names_and_lists():
    assert fires("0 0 12 1 JAN,jul *", count=2) == ["2024-07-01 Mon 12:00:00", "2025-01-01 Wed 12:00:00"]


def test_day_of_month_and_weekday_both_restricted_fire_on_either():
    # 13th of the month OR any Friday (robfig/cron semantics, which FC's syntax follows)
    assert fires("0 0 0 13 * FRI", count=3) == [
        "2024-05-03 Fri 00:00:00",
        "2024-05-10 Fri 00:00:00",
        "2024-05-13 Mon 00:00:00",
    ]


def test_every_duration_counts_from_start():
    assert fires("@every 4m", count=2) == ["2024-05-01 Wed 08:04:00", "2024-05-01 Wed 08:08:00"]
    assert parse("@every 1h30m", T0).next_after(T0) - T0 == timedelta(minutes=90)
    assert parse("@every 1s", T0).next_after(T0 + timedelta(seconds=5.5)) == T0 + timedelta(seconds=6)


def test_cron_tz_prefix_uses_that_zone():
    assert fires("CRON_TZ=Asia/Shanghai 0 0 8 * * *", count=1) == ["2024-05-02 Thu 00:00:00"]  # 08:00 +08:00


def test_february_30th_never_fires():
    with pytest.raises(CronError, match="never fires"):
        parse("0 0 0 30 FEB *").next_after(T0)


def test_impossible_dates_are_refused_when_parsed_so_validate_sees_them():
    with pytest.raises(CronError, match="never fires"):
        parse("0 0 0 31 APR,JUN *", T0)


def test_february_29th_waits_for_the_next_leap_year():
    assert fires("0 0 0 29 FEB *", count=2) == ["2028-02-29 Tue 00:00:00", "2032-02-29 Sun 00:00:00"]


def test_an_impossible_day_still_fires_on_the_weekday_it_is_ored_with():
    assert fires("0 0 0 30 FEB MON", count=2) == ["2025-02-03 Mon 00:00:00", "2025-02-10 Mon 00:00:00"]


def test_a_day_of_month_step_is_a_restriction_ored_with_the_weekday():
    # robfig/cron: '*/2' is not '*', so odd days OR Mondays; the first Monday here is the 6th
    assert fires("0 0 0 */2 * MON", count=3) == [
        "2024-05-03 Fri 00:00:00",
        "2024-05-05 Sun 00:00:00",
        "2024-05-06 Mon 00:00:00",
    ]


def test_an_unrestricted_day_field_leaves_the_other_alone():
    # '?' or '*' in one day field: only the other one decides (days 1-7, any weekday)
    assert fires("0 0 0 1-7 * ?", start=datetime(2024, 5, 6, 12, tzinfo=timezone.utc), count=2) == [
        "2024-05-07 Tue 00:00:00",
        "2024-06-01 Sat 00:00:00",
    ]


def test_last_day_of_a_month_with_a_list_of_days():
    assert fires("0 0 0 28,29,30,31 FEB *", start=datetime(2024, 2, 27, tzinfo=timezone.utc), count=3) == [
        "2024-02-28 Wed 00:00:00",
        "2024-02-29 Thu 00:00:00",
        "2025-02-28 Fri 00:00:00",
    ]


def test_a_fraction_of_a_second_rounds_up_to_the_next_whole_second():
    assert parse("* * * * * *").next_after(T0 + timedelta(seconds=5.5)) == T0 + timedelta(seconds=6)


def test_cron_tz_follows_daylight_saving_time():
    # Europe/Berlin: 08:00 is 06:00 UTC in summer and 07:00 UTC in winter
    start = datetime(2024, 10, 26, 12, tzinfo=timezone.utc)
    assert fires("CRON_TZ=Europe/Berlin 0 0 8 * * *", start=start, count=2) == [
        "2024-10-27 Sun 07:00:00",
        "2024-10-28 Mon 07:00:00",
    ]
    # 02:30 does not exist on the spring-forward day: it fires when the gap ends (03:00 local)
    spring = datetime(2024, 3, 30, 12, tzinfo=timezone.utc)
    assert fires("CRON_TZ=Europe/Berlin 0 30 2 * * *", start=spring, count=2) == [
        "2024-03-31 Sun 01:00:00",
        "2024-04-01 Mon 00:30:00",
    ]


@pytest.mark.parametrize(
    ("expression", "field"),
    [
        ("0 0 0 L * *", "day of month"),
        ("0 0 0 l * *", "day of month"),
        ("0 0 0 15W * *", "day of month"),
        ("0 0 0 LW * *", "day of month"),
        ("0 0 0 ? * 5#3", "day of week"),
        ("0 0 0 ? * 5L", "day of week"),
        ("H 0 0 * * *", "second"),
    ],
)
def test_quartz_and_jenkins_extras_that_fc_does_not_document_are_refused(expression, field):
    with pytest.raises(CronError, match=rf"is not a valid {field} \(FC's cron has no L, W, # or H"):
        parse(expression, T0)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 0 4 * *", "expected 6 fields"),
        ("0 0 4 * * * 2025", "expected 6 fields"),
        ("0 0 4 31 13 *", "out of range for month"),
        ("0 0 4 * * 8", "out of range for day of week"),
        ("0 0 4 * * SAT-SUN", "runs backwards"),
        ("0 0 4 * JAN-FOO *", "not a valid month"),
        ("0 0 4 ,1 * *", "not a valid day of month"),
        ("0 0 24 * * *", "out of range for hour"),
        ("0 0 4 * * FUNDAY", "not a valid day of week"),
        ("0 0 */0 * * *", "bad step"),
        ("0 ? * * * *", "only allowed in the day fields"),
        ("0 0 5-2 * * *", "runs backwards"),
        ("@every", "needs a duration"),
        ("@every 5 minutes", "needs a duration"),
        ("@every 1d", "needs a duration"),
        ("@every 0s", "longer than zero"),
        ("@hourly", "unsupported schedule"),
        ("CRON_TZ=Mars/Olympus 0 0 0 * * *", "unknown time zone"),
        ("0 0 0 L * *", "not a valid day of month"),
    ],
)
def test_bad_expressions_say_what_is_wrong(expression, message):
    with pytest.raises(CronError, match=message):
        parse(expression, T0)
