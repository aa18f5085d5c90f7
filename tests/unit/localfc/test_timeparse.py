"""One duration grammar for --interval, --since and @every; times for --since."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from localfc.cli import main
from localfc.fc.triggers.cron import CronError, parse
from localfc.timeparse import TimeInputError, parse_duration, parse_since

NOW = datetime(2024, 5, 1, 10, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("10m", 600.0),
        ("1h30m", 5400.0),
        ("1.5h", 5400.0),
        ("500ms", 0.5),
        ("1m500ms", 60.5),
        ("1d", 86400.0),
        (" 2m ", 120.0),
    ],
)
def test_durations_people_write(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "30", "5 minutes", "1h 30m", "-5s", "10x", "m", "1.h"])
def test_what_is_not_a_duration_is_named_with_an_example(text):
    with pytest.raises(TimeInputError, match=r"is not a duration such as 30s, 10m or 1h30m \(units: ms, s, m, h, d\)"):
        parse_duration(text)


def test_a_duration_is_longer_than_zero():
    with pytest.raises(TimeInputError, match="longer than zero"):
        parse_duration("0s")


def test_a_caller_may_take_fewer_units_and_the_message_says_which():
    assert parse_duration("90s", units=("h", "m", "s")) == 90.0
    with pytest.raises(TimeInputError, match=r"\(units: s, m, h\)"):
        parse_duration("1d", units=("h", "m", "s"))


def test_since_is_a_duration_ago_or_an_iso_time():
    assert parse_since("2h", NOW) == datetime(2024, 5, 1, 8, tzinfo=timezone.utc)
    assert parse_since("90s", NOW) == datetime(2024, 5, 1, 9, 58, 30, tzinfo=timezone.utc)
    assert parse_since("2024-05-01T08:00:00Z", NOW) == datetime(2024, 5, 1, 8, tzinfo=timezone.utc)
    assert parse_since("2024-05-01T16:00:00+08:00", NOW) == datetime(2024, 5, 1, 8, tzinfo=timezone.utc)
    assert parse_since("2024-05-01T08:00:00", NOW) == datetime(2024, 5, 1, 8, tzinfo=timezone.utc)  # no zone: UTC
    with pytest.raises(TimeInputError, match=r"expected 1611827290000 \(epoch ms\), 2024-05-01T08"):
        parse_since("yesterday-ish", NOW)


def test_every_uses_the_same_grammar_with_fcs_units():
    assert parse("@every 1h30m", NOW).next_after(NOW) == datetime(2024, 5, 1, 11, 30, tzinfo=timezone.utc)
    with pytest.raises(CronError, match=r"@every needs a duration: '1d' is not a duration .*\(units: s, m, h\)"):
        parse("@every 1d", NOW)


def test_release_interval_rejects_a_bare_number_with_the_flag_named(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["release", "canary", "fn", "--alias", "prod", "--version", "2", "--steps", "10,100", "--interval", "30"])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert "argument --interval: '30' is not a duration such as 30s" in err
    assert "Traceback" not in err
