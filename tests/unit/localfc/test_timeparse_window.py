"""Times for ``logs -s/-e/--since``, read the way ``s logs`` reads them."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from localfc.timeparse import TimeInputError, TimeWindow, parse_since

NOW = datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1714550400000", "2024-05-01T08:00:00+00:00"),  # epoch ms, what s logs prints
        ("1714550400", "2024-05-01T08:00:00+00:00"),  # epoch seconds
        ("2024-05-01T16:00:00+08:00", "2024-05-01T08:00:00+00:00"),
        ("2024-05-01T08:00:00Z", "2024-05-01T08:00:00+00:00"),
        ("2024-05-01T08:00:00", "2024-05-01T08:00:00+00:00"),  # no offset: UTC, as FC's log times
        ("2h", "2024-05-01T08:00:00+00:00"),
        ("120m ago", "2024-05-01T08:00:00+00:00"),
        ("now", "2024-05-01T10:00:00+00:00"),
    ],
)
def test_every_form_a_user_types(text: str, expected: str) -> None:
    assert parse_since(text, NOW).isoformat() == expected


def test_an_unreadable_time_names_the_flag_and_the_forms() -> None:
    with pytest.raises(TimeInputError, match=r"-s/--start-time 'yesterday'.*1611827290000"):
        TimeWindow.parse("yesterday")


def test_window_bounds_are_inclusive_and_since_is_a_start() -> None:
    window = TimeWindow.parse(since="1h", end="now", now=NOW)
    assert datetime(2024, 5, 1, 9, tzinfo=timezone.utc) in window and NOW in window
    assert datetime(2024, 5, 1, 8, 59, tzinfo=timezone.utc) not in window
    with pytest.raises(TimeInputError, match="give one"):
        TimeWindow.parse("1h", since="2h")
