"""The one clock: the date of an instant is its London calendar date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from continuum.casework.clock import london_date, now, today


def test_half_past_midnight_on_a_summer_night_in_london_is_that_day_not_the_utc_day_before() -> None:
    assert london_date(datetime(2026, 7, 1, 23, 30, tzinfo=UTC)) == date(2026, 7, 2)


def test_in_winter_london_and_utc_agree() -> None:
    assert london_date(datetime(2026, 1, 15, 23, 30, tzinfo=UTC)) == date(2026, 1, 15)


def test_the_clock_changes_at_one_in_the_morning_utc() -> None:
    # Summer time starts on 29 March 2026 at 01:00 UTC and ends on 25 October 2026 at 01:00 UTC.
    assert london_date(datetime(2026, 3, 28, 23, 59, tzinfo=UTC)) == date(2026, 3, 28)
    assert london_date(datetime(2026, 10, 24, 23, 30, tzinfo=UTC)) == date(2026, 10, 25)
    assert london_date(datetime(2026, 10, 25, 23, 30, tzinfo=UTC)) == date(2026, 10, 25)


def test_the_last_minutes_of_a_financial_year_in_summer_time_belong_to_the_next_day() -> None:
    # 31 March 2027 23:30 UTC is 00:30 on 1 April in London: the new reporting year.
    assert london_date(datetime(2027, 3, 31, 23, 30, tzinfo=UTC)) == date(2027, 4, 1)


def test_a_naive_instant_has_no_london_date() -> None:
    with pytest.raises(ValueError, match="naive"):
        london_date(datetime(2026, 7, 1, 23, 30))


def test_now_is_utc_and_today_is_its_london_date() -> None:
    instant = now()
    assert instant.tzinfo is UTC
    assert today() in (london_date(instant), london_date(now()))
