"""The measures, computed from facts put in: band edges exactly, quarter and year ends, the
year-on-year change and the unmet-need share."""

from __future__ import annotations

from datetime import date
from typing import Any

from stepdown.domain import (
    ClosureFact,
    Engagement,
    HandoverFact,
    ReturnFact,
    ReturnKind,
    add_months,
    duration_band,
    measure,
)
from stepdown.domain.measures import QuarterMeasures, group_facts, quarter_label, quarter_start


def _measure(**facts: Any) -> list[QuarterMeasures]:
    """The measures of single facts: grouped as the repository's SQL groups them, then counted."""
    period = {"date_from": facts.pop("date_from"), "date_to": facts.pop("date_to")}
    closures, handovers, returns = group_facts(**facts, **period)
    return measure(closures=closures, handovers=handovers, returns=returns, **period)


def test_duration_bands_at_their_edges() -> None:
    referral = date(2026, 1, 31)
    assert duration_band(referral, date(2026, 4, 29)) == "under_3_months"
    assert duration_band(referral, date(2026, 4, 30)) == "3_to_6_months"  # 31 Jan + 3 months = 30 April
    assert duration_band(referral, date(2026, 7, 30)) == "3_to_6_months"
    assert duration_band(referral, date(2026, 7, 31)) == "6_to_9_months"
    assert duration_band(referral, date(2026, 10, 30)) == "6_to_9_months"
    assert duration_band(referral, date(2026, 10, 31)) == "9_months_or_more"
    assert duration_band(date(2024, 2, 29), add_months(date(2024, 2, 29), 12)) == "9_months_or_more"


def test_financial_quarters_and_their_ends() -> None:
    assert quarter_start(date(2026, 3, 31)) == date(2026, 1, 1) and quarter_label(date(2026, 1, 1)) == "2025-26 Q4"
    assert quarter_start(date(2026, 4, 1)) == date(2026, 4, 1) and quarter_label(date(2026, 4, 1)) == "2026-27 Q1"
    assert quarter_label(quarter_start(date(2026, 12, 31))) == "2026-27 Q3"


def test_measures_by_team_and_quarter_with_the_year_before() -> None:
    closures = [
        # 2026-27 Q1 for north: two under 3 months (one with unmet need), one exactly at 3 months.
        ClosureFact("north", date(2026, 3, 1), date(2026, 4, 1), True),
        ClosureFact("north", date(2026, 4, 2), date(2026, 6, 30), False),
        ClosureFact("north", date(2026, 3, 30), date(2026, 6, 30), False),
        # 31 March is the year before's Q4, outside the period and its year before: ignored.
        ClosureFact("north", date(2026, 1, 1), date(2026, 3, 31), True),
        # The same quarter a year before: two, both with unmet need.
        ClosureFact("north", date(2025, 1, 1), date(2025, 4, 1), True),
        ClosureFact("north", date(2024, 6, 30), date(2025, 6, 30), True),
        ClosureFact("south", date(2026, 5, 1), date(2026, 7, 1), False),  # Q2
    ]
    handovers = [
        HandoverFact("north", date(2026, 4, 10), accepted=True, declined=False, engagement=Engagement.ENGAGED),
        HandoverFact("north", date(2026, 5, 10), accepted=True, declined=False, engagement=Engagement.PARTLY),
        HandoverFact("north", date(2026, 6, 10), accepted=False, declined=True, engagement=None),
        HandoverFact("north", date(2026, 6, 20), accepted=False, declined=False, engagement=None),  # unanswered
    ]
    returns = [
        ReturnFact("north", date(2026, 6, 1), ReturnKind.STEP_UP),
        ReturnFact("north", date(2026, 5, 1), ReturnKind.RE_REFERRAL),
    ]
    result = _measure(
        closures=closures, handovers=handovers, returns=returns, date_from=date(2026, 4, 1), date_to=date(2026, 9, 30)
    )
    by = {(m.team, m.quarter): m for m in result}
    assert set(by) == {(t, q) for t in ("north", "south", "all") for q in ("2026-27 Q1", "2026-27 Q2")}

    north = by[("north", "2026-27 Q1")]
    assert north.current.closures == 3 and north.year_before.closures == 2
    assert dict(north.current.bands) == {"under_3_months": 2, "3_to_6_months": 1}
    assert dict(north.year_before.bands) == {"3_to_6_months": 1, "9_months_or_more": 1}  # 1 Jan + 3 months = 1 April
    assert north.current.unmet_need == 1 and north.current.unmet_need_share == 0.3333
    assert north.change("closures") == 50.0 and north.change("unmet_need") == -50.0
    assert north.current.handovers == 4 and north.current.acceptance_rate == 0.6667
    assert north.current.engagement_rate == 0.5 and north.current.partly_engaged == 1
    assert north.current.step_ups_within_12_months == 1 and north.current.re_referrals_within_12_months == 1
    assert north.change("step_ups_within_12_months") is None

    everyone = by[("all", "2026-27 Q2")]
    assert everyone.current.closures == 1 and everyone.current.unmet_need_share == 0.0
    assert by[("north", "2026-27 Q2")].current.closures == 0


def test_the_councils_own_figures_come_out_as_the_report_gave_them() -> None:
    """Q1 closures 589 then 774 (+31.4%); Q1 closures with unmet need 131 then 224 (+70%, 70.99...)."""

    def closures(year: int, total: int, unmet: int) -> list[ClosureFact]:
        return [ClosureFact("north", date(year, 4, 1), date(year, 5, 1), i < unmet) for i in range(total)]

    [north, _all] = [
        m
        for m in _measure(
            closures=closures(2017, 589, 131) + closures(2018, 774, 224),
            handovers=[],
            returns=[],
            date_from=date(2018, 4, 1),
            date_to=date(2018, 6, 30),
        )
    ]
    assert north.change("closures") == 31.4 and north.change("unmet_need") == 71.0
    assert north.current.unmet_need_share == 0.2894


def test_a_quarter_the_period_covers_in_part_is_flagged_partial_with_the_days_counted() -> None:
    closures = [ClosureFact("north", date(2026, 5, 1), date(2026, 5, 10), False)]
    first, second, third = (
        m
        for m in _measure(closures=closures, handovers=[], returns=[], date_from=date(2026, 5, 1), date_to=date(2026, 11, 15))
        if m.team == "north"
    )
    assert (first.partial, first.counted_from, first.counted_to) == (True, date(2026, 5, 1), date(2026, 6, 30))
    assert (second.partial, second.counted_from, second.counted_to) == (False, date(2026, 7, 1), date(2026, 9, 30))
    assert (third.partial, third.counted_from, third.counted_to) == (True, date(2026, 10, 1), date(2026, 11, 15))
    assert first.current.closures == 1
