"""Working-day calendar for England and Wales.

Every expected date here was worked out by hand from the published bank holidays, not computed
with the calendar under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from continuum.casework.calendar import add_working_days, add_working_days_to_datetime, is_working_day, working_days_between

# is_working_day


def test_a_plain_weekday_is_a_working_day() -> None:
    assert is_working_day(date(2025, 6, 11))  # Wednesday


def test_saturday_and_sunday_are_not_working_days() -> None:
    assert not is_working_day(date(2025, 6, 14))
    assert not is_working_day(date(2025, 6, 15))


def test_good_friday_and_easter_monday_2025_are_not_working_days() -> None:
    assert not is_working_day(date(2025, 4, 18))
    assert not is_working_day(date(2025, 4, 21))


def test_early_may_bank_holiday_2025_is_not_a_working_day() -> None:
    assert not is_working_day(date(2025, 5, 5))


def test_christmas_and_boxing_day_2025_are_not_working_days() -> None:
    assert not is_working_day(date(2025, 12, 25))
    assert not is_working_day(date(2025, 12, 26))


def test_substitute_days_for_a_weekend_christmas_2027_are_not_working_days() -> None:
    # Christmas Day 2027 is a Saturday and Boxing Day a Sunday.
    assert not is_working_day(date(2027, 12, 27))
    assert not is_working_day(date(2027, 12, 28))
    assert is_working_day(date(2027, 12, 29))


def test_one_off_bank_holidays_are_not_working_days() -> None:
    assert not is_working_day(date(2022, 9, 19))  # state funeral of Queen Elizabeth II
    assert not is_working_day(date(2023, 5, 8))  # coronation of King Charles III


def test_scottish_only_bank_holiday_is_a_working_day_in_england() -> None:
    assert is_working_day(date(2025, 1, 2))  # 2 January: a bank holiday in Scotland only


# add_working_days


def test_friday_plus_one_working_day_is_monday() -> None:
    assert add_working_days(date(2025, 6, 13), 1) == date(2025, 6, 16)


def test_saturday_plus_one_working_day_is_monday() -> None:
    assert add_working_days(date(2025, 6, 14), 1) == date(2025, 6, 16)


def test_sunday_plus_one_working_day_is_monday() -> None:
    assert add_working_days(date(2025, 6, 15), 1) == date(2025, 6, 16)


def test_bank_holiday_start_counts_from_the_next_working_day() -> None:
    # Easter Monday 2025 + 1 is the Tuesday, as if the referral came on the Thursday before.
    assert add_working_days(date(2025, 4, 21), 1) == date(2025, 4, 22)


def test_zero_working_days_is_the_start_date_even_at_a_weekend() -> None:
    assert add_working_days(date(2025, 6, 11), 0) == date(2025, 6, 11)
    assert add_working_days(date(2025, 6, 15), 0) == date(2025, 6, 15)


def test_negative_working_days_are_rejected() -> None:
    with pytest.raises(ValueError, match="-1"):
        add_working_days(date(2025, 6, 11), -1)


def test_one_working_day_before_easter_2025_lands_on_the_tuesday_after() -> None:
    assert add_working_days(date(2025, 4, 17), 1) == date(2025, 4, 22)


def test_45_working_days_skips_easter_2025() -> None:
    # Mon 24 Feb 2025: 44 weekdays to Fri 25 Apr minus Good Friday and Easter Monday leaves 42,
    # then Mon 28, Tue 29 and Wed 30 Apr make 45 (Mon 28 Apr without Easter).
    assert add_working_days(date(2025, 2, 24), 45) == date(2025, 4, 30)


def test_45_working_days_skips_easter_and_both_may_bank_holidays_2025() -> None:
    # Mon 31 Mar 2025: four bank holidays fall in the window (18 and 21 Apr, 5 and 26 May).
    assert add_working_days(date(2025, 3, 31), 45) == date(2025, 6, 6)


def test_one_working_day_after_early_may_bank_holiday_weekend_2025_is_tuesday() -> None:
    assert add_working_days(date(2025, 5, 2), 1) == date(2025, 5, 6)


def test_one_working_day_from_christmas_eve_2025_is_the_monday_after() -> None:
    # Thu 25 and Fri 26 Dec are bank holidays, then the weekend.
    assert add_working_days(date(2025, 12, 24), 1) == date(2025, 12, 29)


def test_one_working_day_from_new_years_eve_2025_skips_new_years_day() -> None:
    assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)


def test_boxing_day_on_a_saturday_moves_to_monday_2026() -> None:
    # Fri 25 Dec 2026 Christmas, Sat 26 Boxing Day, Mon 28 its substitute.
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_weekend_christmas_2027_skips_both_substitute_days() -> None:
    assert add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)


# working_days_between


def test_working_days_between_friday_and_monday_is_one() -> None:
    assert working_days_between(date(2025, 6, 13), date(2025, 6, 16)) == 1


def test_working_days_between_the_same_day_is_zero() -> None:
    assert working_days_between(date(2025, 6, 11), date(2025, 6, 11)) == 0


def test_working_days_between_is_zero_when_end_is_before_start() -> None:
    assert working_days_between(date(2025, 6, 16), date(2025, 6, 13)) == 0


def test_working_days_between_a_weekend_start_and_monday_is_one() -> None:
    assert working_days_between(date(2025, 6, 14), date(2025, 6, 16)) == 1


def test_working_days_between_counts_the_end_date_when_it_is_a_working_day() -> None:
    assert working_days_between(date(2025, 6, 11), date(2025, 6, 12)) == 1


def test_working_days_between_skips_easter_2025() -> None:
    assert working_days_between(date(2025, 2, 24), date(2025, 4, 30)) == 45


def test_working_days_between_across_the_new_year_2025_to_2026() -> None:
    # Mon 29, Tue 30, Wed 31 Dec 2025 and Fri 2 Jan 2026.
    assert working_days_between(date(2025, 12, 24), date(2026, 1, 2)) == 4


def test_working_days_between_does_not_count_weekend_christmas_2027_twice() -> None:
    # Wed 29, Thu 30, Fri 31 Dec 2027.
    assert working_days_between(date(2027, 12, 24), date(2027, 12, 31)) == 3


def test_working_days_in_the_whole_of_2025() -> None:
    # 261 weekdays less 8 bank holidays, all on weekdays.
    assert working_days_between(date(2024, 12, 31), date(2025, 12, 31)) == 253


def test_working_days_between_undoes_add_working_days() -> None:
    start = date(2025, 12, 20)  # a Saturday, with Christmas and the new year ahead
    for n in range(30):
        assert working_days_between(start, add_working_days(start, n)) == n


# add_working_days_to_datetime


def test_friday_afternoon_receipt_is_due_monday_afternoon() -> None:
    received = datetime(2025, 6, 13, 15, 30, tzinfo=UTC)  # 16:30 BST
    assert add_working_days_to_datetime(received, 1) == datetime(2025, 6, 16, 15, 30, tzinfo=UTC)


def test_due_time_keeps_london_clock_time_when_clocks_go_forward() -> None:
    received = datetime(2025, 3, 28, 10, 0, tzinfo=UTC)  # Fri 10:00 GMT
    # Mon 31 Mar 10:00 BST
    assert add_working_days_to_datetime(received, 1) == datetime(2025, 3, 31, 9, 0, tzinfo=UTC)


def test_due_time_keeps_london_clock_time_when_clocks_go_back() -> None:
    received = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)  # Fri 09:00 BST
    # Mon 27 Oct 09:00 GMT
    assert add_working_days_to_datetime(received, 1) == datetime(2025, 10, 27, 9, 0, tzinfo=UTC)


def test_receipt_date_is_the_london_date_not_the_utc_date() -> None:
    received = datetime(2025, 6, 12, 23, 30, tzinfo=UTC)  # Fri 13 Jun 00:30 BST
    # Mon 16 Jun 00:30 BST
    assert add_working_days_to_datetime(received, 1) == datetime(2025, 6, 15, 23, 30, tzinfo=UTC)


def test_receipt_before_easter_2025_is_due_the_tuesday_after() -> None:
    received = datetime(2025, 4, 17, 14, 0, tzinfo=UTC)
    assert add_working_days_to_datetime(received, 1) == datetime(2025, 4, 22, 14, 0, tzinfo=UTC)


def test_due_time_is_returned_in_utc_for_an_aware_non_utc_receipt() -> None:
    received = datetime(2025, 6, 13, 16, 30, tzinfo=timezone(timedelta(hours=1)))
    due = add_working_days_to_datetime(received, 1)
    assert due == datetime(2025, 6, 16, 15, 30, tzinfo=UTC)
    assert due.tzinfo is UTC


def test_zero_working_days_is_the_moment_of_receipt() -> None:
    received = datetime(2025, 6, 14, 11, 5, 30, tzinfo=UTC)
    assert add_working_days_to_datetime(received, 0) == received


def test_naive_receipt_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days_to_datetime(datetime(2025, 6, 13, 15, 30), 1)
