"""Calendar months and the duration bands of an episode, from its referral date to its closure:
one rule for every service that counts closures by how long the episode lasted (step-down's
measures and insight's).

A band's lower edge is the referral date plus whole calendar months (``add_months``: the day
clamped to the month's end, as PostgreSQL's ``date + interval 'n months'`` does), and the edge day
itself is in the longer band: a closure exactly 3 months after the referral is "3 to 6 months".
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

#: The edges of the bands, in months from the referral date.
BAND_EDGES_MONTHS = (3, 6, 9)
#: The bands, shortest first: under the first edge, between each pair, on or after the last.
BANDS = ("under_3_months", "3_to_6_months", "6_to_9_months", "9_months_or_more")


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, the day clamped to the month's end (31 January + 1 month is
    28 or 29 February), as PostgreSQL's ``date + interval 'n months'`` does."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


@lru_cache(maxsize=4096)
def _band_edges(referral_date: date) -> tuple[date, ...]:
    return tuple(add_months(referral_date, months) for months in BAND_EDGES_MONTHS)


def duration_band(referral_date: date, closure_date: date) -> str:
    """The band of an episode referred on ``referral_date`` and closed on ``closure_date``."""
    for edge, band in zip(_band_edges(referral_date), BANDS, strict=False):
        if closure_date < edge:
            return band
    return BANDS[-1]
