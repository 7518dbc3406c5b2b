"""The period the measures count, and the same period a year before (step-down's vocabulary:
``from`` and ``to``, London dates, both counted; financial quarters April to June, July to
September, October to December, January to March, labelled ``2026-27 Q1``).

A period is asked for by its days or by its name: a financial quarter (``2026-27-Q1``, or with a
space as step-down labels it), a financial year (``2026-27``: 1 April 2026 to 31 March 2027) or a
calendar year's total (``2026``). It is counted up to the day it is as at (today, by the kernel's
clock, read by the use case): a period not over yet is counted to that day, and so is the year
before (the same part of it), so the change compares like with like; such a period is ``partial``.
So is one the read model does not cover from its first day (its first event is later).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from continuum.casework.bands import add_months
from continuum.casework.errors import Invalid

#: The longest period asked for at once.
MAX_MONTHS = 24
#: The years a named period may start in (as a query's dates: ``continuum.web.limits.QueryDay``).
FIRST_YEAR, LAST_YEAR = 1900, 2099
_NAMED = re.compile(r"^(\d{4})(?:-(\d{2})(?:[- ]Q(\d))?)?$")


@dataclass(frozen=True)
class Window:
    """Days ``first`` to ``last``, both counted (empty when ``last`` is before ``first``)."""

    first: date
    last: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


def financial_year_start(day: date) -> date:
    """1 April of the financial year holding ``day``."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def named_period(name: str) -> tuple[date, date, str]:
    """The first and last day of a named period, and its label; 422 (``period``) for a name that is
    not one: a financial quarter ``YYYY-YY-Qn`` (n 1 to 4), a financial year ``YYYY-YY`` or a
    calendar year ``YYYY``."""
    found = _NAMED.match(name.strip())
    if found is None:
        raise Invalid("period", "is not a period: a financial quarter (2026-27-Q1), a financial year (2026-27) or a year (2026)")
    year, next_year, quarter = int(found[1]), found[2], found[3]
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid("period", f"is not a period of the years {FIRST_YEAR} to {LAST_YEAR}")
    if next_year is None:
        return date(year, 1, 1), date(year, 12, 31), f"{year}"
    if int(next_year) != (year + 1) % 100:
        raise Invalid("period", f"{year}-{next_year} is not a financial year: {year}'s next year ends in {(year + 1) % 100:02d}")
    label = f"{year}-{next_year}"
    if quarter is None:
        return date(year, 4, 1), date(year + 1, 3, 31), label
    if quarter not in ("1", "2", "3", "4"):
        raise Invalid("period", f"Q{quarter} is not a quarter: a financial year has Q1 (April to June) to Q4 (January to March)")
    first = add_months(date(year, 4, 1), 3 * (int(quarter) - 1))
    return first, add_months(first, 3) - timedelta(days=1), f"{label} Q{quarter}"


@dataclass(frozen=True)
class Period:
    """The days asked for, the day they are counted as at, and the first day the read model knows
    (``None``: it knows nothing yet)."""

    date_from: date
    date_to: date
    as_at: date
    covered_from: date | None
    name: str | None = None

    @property
    def counted_to(self) -> date:
        """The last day counted: the period's last, or the day it is as at if that comes first."""
        return min(self.date_to, self.as_at)

    @property
    def current(self) -> Window:
        return Window(self.date_from, self.counted_to)

    @property
    def year_before(self) -> Window:
        """The same days a year before (29 February's year before is 28 February)."""
        return Window(add_months(self.date_from, -12), add_months(self.counted_to, -12))

    @property
    def not_over(self) -> bool:
        return self.date_to > self.as_at

    @property
    def not_covered(self) -> bool:
        """The read model's first event is after the period's first day: earlier facts are missing."""
        return self.covered_from is None or self.covered_from > self.date_from

    @property
    def year_before_not_covered(self) -> bool:
        return self.covered_from is None or self.covered_from > self.year_before.first

    @property
    def partial(self) -> bool:
        """The figures are not the whole period's: it is not over, or not covered from its start."""
        return self.not_over or self.not_covered


def period(*, date_from: date | None, date_to: date | None, name: str | None, as_at: date, covered_from: date | None) -> Period:
    """The period asked for, checked: by name, or by both days (not both ways); ``to`` not before
    ``from``; at most two years; begun by ``as_at``. A broken rule is a 422 naming the field."""
    label = None
    if name is not None:
        if date_from is not None or date_to is not None:
            raise Invalid("period", "give either a period or from and to, not both")
        date_from, date_to, label = named_period(name)
    if date_from is None:
        raise Invalid("from", "is required (or give a period)")
    if date_to is None:
        raise Invalid("to", "is required (or give a period)")
    if date_to < date_from:
        raise Invalid("to", "is before from")
    if date_to >= add_months(date_from, MAX_MONTHS):
        raise Invalid("to", f"ask for at most {MAX_MONTHS // 12} years at a time")
    if date_from > as_at:
        raise Invalid("from", f"is after {as_at.isoformat()}, the day the figures are as at: nothing is known of it yet")
    return Period(date_from=date_from, date_to=date_to, as_at=as_at, covered_from=covered_from, name=label)
