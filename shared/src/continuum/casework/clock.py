"""The one clock: instants are UTC, and every date that a timescale or the census reads is the
London calendar date of the instant (a referral at 00:30 on a summer night in London is received
that day, not the day before, which is the UTC date).

Use cases read ``now()`` once and hand the instant (and ``london_date`` of it) to the domain, whose
functions take dates and instants as arguments and never read a clock themselves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from continuum.casework.calendar import LONDON


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def london_date(instant: datetime) -> date:
    """The calendar date in London at ``instant``; a naive datetime is refused, never guessed."""
    if instant.tzinfo is None:
        raise ValueError("a naive datetime has no London date; give it a time zone")
    return instant.astimezone(LONDON).date()


def today() -> date:
    """Today's date in London."""
    return london_date(now())


__all__ = ["LONDON", "london_date", "now", "today"]
