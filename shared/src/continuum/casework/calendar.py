"""Working days in England and Wales: the clock behind every statutory timescale.

A working day is Monday to Friday, except the bank holidays of England and Wales (taken from the
``holidays`` package, including substitute days and one-off holidays such as a state funeral).

Counting rule, used by every function here: working days are counted strictly *after* the start
date, and the start date itself is day 0 whatever kind of day it is. So Friday + 1 working day is
the next Monday, and a referral received on a Saturday or a bank holiday is due, at 1 working day,
on the next working day, exactly as if it had arrived on the working day before. The same rule
makes ``working_days_between(start, add_working_days(start, n)) == n`` for every ``n >= 0``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")

_SATURDAY = 5


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    """The England and Wales bank holidays of one year, substitute days included."""
    # Cached one year at a time so that any range of years is a union of a few cached sets, and
    # frozen so threads can share them: a ``holidays`` object mutates itself on lookup, filling
    # in further years lazily.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(d: date) -> bool:
    """Whether ``d`` is a working day: a weekday that is not an England and Wales bank holiday."""
    return _is_weekday(d) and d not in _bank_holidays(d.year)


@lru_cache(maxsize=8192)
def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start``; ``start`` itself when ``n`` is 0.

    Only working days after ``start`` count (see the module's counting rule): Friday + 1 is
    Monday, and Saturday + 1 is also Monday. Raises ``ValueError`` when ``n`` is negative.
    """
    if n < 0:
        raise ValueError(f"n must be 0 or more working days, got {n}")
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """The number of working days after ``start`` up to and including ``end``; 0 if end <= start.

    An assessment authorised on its due date, 45 working days after the referral, measures 45.
    """
    if end <= start:
        return 0
    full_weeks, extra_days = divmod((end - start).days, 7)
    weekdays = full_weeks * 5 + sum(1 for offset in range(1, extra_days + 1) if _is_weekday(start + timedelta(days=offset)))
    # Bank holidays that fall at a weekend are not counted twice: the weekday rule already left
    # them out, and their substitute day is a bank holiday of its own.
    holidays_on_weekdays = sum(
        1
        for year in range(start.year, end.year + 1)
        for holiday in _bank_holidays(year)
        if start < holiday <= end and _is_weekday(holiday)
    )
    return weekdays - holidays_on_weekdays


def add_working_days_to_datetime(received: datetime, n: int) -> datetime:
    """The moment ``n`` working days after ``received``, in UTC.

    The due moment is the same London clock time on the ``n``-th working day after the London
    date of receipt, so a referral received at 16:30 on a Friday is due at 16:30 on Monday, across
    a change of clocks too. ``received`` must be timezone-aware; raises ``ValueError`` otherwise,
    or when ``n`` is negative.
    """
    if received.tzinfo is None or received.utcoffset() is None:
        raise ValueError("received must be a timezone-aware datetime")
    local = received.astimezone(LONDON)
    due_date = add_working_days(local.date(), n)
    # Clocks change only in the early hours of a Sunday, never a working day, so for n >= 1 the
    # same clock time exists exactly once on the due date; for n = 0 the time keeps its fold and
    # gives back the moment of receipt.
    due_local = datetime.combine(due_date, local.timetz())
    return due_local.astimezone(UTC)


def _is_weekday(d: date) -> bool:
    return d.weekday() < _SATURDAY
