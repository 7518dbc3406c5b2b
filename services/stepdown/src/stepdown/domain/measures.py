"""Measures a council's managers ask for, by team and quarter (financial quarters, April to March,
as the census year runs), with the same quarter a year before and the change: closures by duration
band from the referral date, closures with unmet need and their share, early help's acceptance and
the family's engagement, step-ups and re-referrals within 12 months of a step-down.

Every closure is step-down's (``case.closed``, once per episode: decision 37), so the closures
counted are the step-down records with a census closure: the front door's NFA included, a closure
withdrawn by a corrected decision (``case.reopened``) not. A period that starts or ends inside a
quarter counts part of it, and says so (``partial``, with the dates counted); the same quarter a
year before is counted over the same part, so the change compares like with like."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from continuum.casework.bands import BAND_EDGES_MONTHS as BAND_EDGES_MONTHS  # the one rule, re-exported
from continuum.casework.bands import BANDS as BANDS
from continuum.casework.bands import add_months, duration_band
from stepdown.domain.codes import Engagement, ReturnKind

ALL_TEAMS = "all"


@lru_cache(maxsize=4096)
def quarter_start(day: date) -> date:
    """The first day of the financial quarter (April, July, October, January) holding ``day``."""
    first_month = ((day.month - 1) // 3) * 3 + 1
    return date(day.year, first_month, 1)


def quarter_label(start: date) -> str:
    """``2026-27 Q1`` for April to June 2026; ``2026-27 Q4`` for January to March 2027."""
    year = start.year if start.month >= 4 else start.year - 1
    number = {4: 1, 7: 2, 10: 3, 1: 4}[start.month]
    return f"{year}-{(year + 1) % 100:02d} Q{number}"


def quarter_end(start: date) -> date:
    """The last day of the quarter that starts on ``start``."""
    return add_months(start, 3) - timedelta(days=1)


def quarters(date_from: date, date_to: date) -> list[date]:
    found, current = [], quarter_start(date_from)
    while current <= date_to:
        found.append(current)
        current = add_months(current, 3)
    return found


class ClosureFact(NamedTuple):
    team: str
    referral_date: date
    closure_date: date
    unmet_need: bool


class HandoverFact(NamedTuple):
    """A handover to early help, counted in the quarter of its step-down."""

    team: str
    stepped_down_on: date
    accepted: bool
    declined: bool
    engagement: Engagement | None


class ReturnFact(NamedTuple):
    """A step-up or a re-referral within 12 months of a step-down, counted in the quarter it happened."""

    team: str
    on: date
    kind: ReturnKind


class ClosureGroup(NamedTuple):
    """Closures of one team, quarter and duration band (the repository counts them in SQL)."""

    team: str
    quarter_start: date
    band: str
    closures: int
    unmet_need: int


class HandoverGroup(NamedTuple):
    team: str
    quarter_start: date
    handovers: int
    accepted: int
    declined: int
    engagement_recorded: int
    engaged: int
    partly_engaged: int


class ReturnGroup(NamedTuple):
    team: str
    quarter_start: date
    kind: ReturnKind
    number: int


def windows(date_from: date, date_to: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """The period and the same period a year before: the facts the measures count."""
    return (date_from, date_to), (add_months(date_from, -12), add_months(date_to, -12))


def group_facts(
    *,
    closures: Iterable[ClosureFact],
    handovers: Iterable[HandoverFact],
    returns: Iterable[ReturnFact],
    date_from: date,
    date_to: date,
) -> tuple[list[ClosureGroup], list[HandoverGroup], list[ReturnGroup]]:
    """The facts dated in the period or a year before, counted by team, quarter (and band): what
    the repository's SQL does, written out here as the rule it follows."""
    (a, b), (c, d) = windows(date_from, date_to)

    def counted(day: date) -> bool:
        return a <= day <= b or c <= day <= d

    closure_counts: Counter[tuple[str, date, str]] = Counter()
    unmet: Counter[tuple[str, date, str]] = Counter()
    for f in closures:
        if counted(f.closure_date):
            key = (f.team, quarter_start(f.closure_date), duration_band(f.referral_date, f.closure_date))
            closure_counts[key] += 1
            unmet[key] += f.unmet_need
    handover_counts: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0] * 6)
    for h in handovers:
        if counted(h.stepped_down_on):
            row = handover_counts[(h.team, quarter_start(h.stepped_down_on))]
            for i, value in enumerate(
                (
                    True,
                    h.accepted,
                    h.declined,
                    h.engagement is not None,
                    h.engagement is Engagement.ENGAGED,
                    h.engagement is Engagement.PARTLY,
                )
            ):
                row[i] += value
    return_counts = Counter((r.team, quarter_start(r.on), r.kind) for r in returns if counted(r.on))
    return (
        [ClosureGroup(*key, n, unmet[key]) for key, n in closure_counts.items()],
        [HandoverGroup(*key, *row) for key, row in handover_counts.items()],
        [ReturnGroup(*key, n) for key, n in return_counts.items()],
    )


@dataclass
class Counts:
    closures: int = 0
    bands: Counter[str] = field(default_factory=Counter)
    unmet_need: int = 0
    handovers: int = 0
    accepted: int = 0
    declined: int = 0
    engagement_recorded: int = 0
    engaged: int = 0
    partly_engaged: int = 0
    step_ups_within_12_months: int = 0
    re_referrals_within_12_months: int = 0

    @property
    def unmet_need_share(self) -> float | None:
        return _ratio(self.unmet_need, self.closures)

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted among the handovers early help answered."""
        return _ratio(self.accepted, self.accepted + self.declined)

    @property
    def engagement_rate(self) -> float | None:
        """Engaged (fully) among the families whose engagement was recorded."""
        return _ratio(self.engaged, self.engagement_recorded)


@dataclass(frozen=True)
class QuarterMeasures:
    team: str
    quarter: str
    quarter_start: date
    current: Counts
    year_before: Counts
    #: The days of the quarter the period counts (the whole quarter unless the period starts or
    #: ends inside it).
    counted_from: date
    counted_to: date

    @property
    def partial(self) -> bool:
        """Only part of the quarter was counted: the figures are not the whole quarter's."""
        return self.counted_from != self.quarter_start or self.counted_to != quarter_end(self.quarter_start)

    def change(self, name: str) -> float | None:
        """Percentage change on the same quarter a year before (``None`` when there was nothing then)."""
        before, now = getattr(self.year_before, name), getattr(self.current, name)
        return None if before == 0 else round((now - before) * 100 / before, 1)


CHANGED = ("closures", "unmet_need", "handovers", "step_ups_within_12_months", "re_referrals_within_12_months")


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def measure(
    *,
    closures: Iterable[ClosureGroup],
    handovers: Iterable[HandoverGroup],
    returns: Iterable[ReturnGroup],
    date_from: date,
    date_to: date,
) -> list[QuarterMeasures]:
    """Per team and for all teams, per quarter of ``date_from`` to ``date_to``: the counts of the
    period beside those of the same quarter a year before (the groups hold only what
    :func:`windows` counts)."""
    buckets: dict[tuple[str, date], Counts] = defaultdict(Counts)

    def counts_of(team: str, start: date) -> tuple[Counts, Counts]:
        return buckets[(team, start)], buckets[(ALL_TEAMS, start)]

    for c in closures:
        for counts in counts_of(c.team, c.quarter_start):
            counts.closures += c.closures
            counts.bands[c.band] += c.closures
            counts.unmet_need += c.unmet_need
    for h in handovers:
        for counts in counts_of(h.team, h.quarter_start):
            counts.handovers += h.handovers
            counts.accepted += h.accepted
            counts.declined += h.declined
            counts.engagement_recorded += h.engagement_recorded
            counts.engaged += h.engaged
            counts.partly_engaged += h.partly_engaged
    for r in returns:
        for counts in counts_of(r.team, r.quarter_start):
            if r.kind is ReturnKind.STEP_UP:
                counts.step_ups_within_12_months += r.number
            else:
                counts.re_referrals_within_12_months += r.number

    teams = [*sorted({team for team, _ in buckets} - {ALL_TEAMS}), ALL_TEAMS]
    return [
        QuarterMeasures(
            team=team,
            quarter=quarter_label(start),
            quarter_start=start,
            current=buckets.get((team, start), Counts()),
            year_before=buckets.get((team, add_months(start, -12)), Counts()),
            counted_from=max(start, date_from),
            counted_to=min(quarter_end(start), date_to),
        )
        for team in teams
        for start in quarters(date_from, date_to)
    ]
