"""Each figure of the measures from facts put in, and the periods they are counted over: band
edges, quarter and year edges, the leap day, working days over bank holidays, a period not over."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from continuum.casework.bands import BANDS
from continuum.casework.calendar import add_working_days
from continuum.casework.errors import Invalid
from continuum.contracts import DecisionOutcome
from insight.domain import measures as m
from insight.domain.measure_facts import Assessment, Closure, Facts, Handover, Icpc, Plan, Referral, Review, StepUp, Visit
from insight.domain.periods import Period, Window, named_period, period

D = date
Q1 = Window(D(2026, 4, 1), D(2026, 6, 30))


def closure(referral: date, closed: date, *, team: str = "north", unmet: bool = False) -> Closure:
    return Closure(team=team, to_early_help=False, referral_date=referral, closure_date=closed, unmet_need=unmet)


def referral(on: datetime, previous: datetime | None = None, outcome: DecisionOutcome | None = None) -> Referral:
    return Referral(team="north", child_id=uuid.uuid4(), received_at=on, previous_received_at=previous, outcome=outcome)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def in_band(band: str, facts: Facts, window: Window) -> object:
    return m.FIGURES[f"closures_{band}"](facts, window)


def test_closures_fall_in_step_downs_bands_at_each_edge_day() -> None:
    """31 January + 3 months is 30 April (clamped); the edge day is in the longer band."""
    referred = D(2026, 1, 31)
    cases = [
        (D(2026, 4, 29), "under_3_months"),
        (D(2026, 4, 30), "3_to_6_months"),
        (D(2026, 7, 30), "3_to_6_months"),
        (D(2026, 7, 31), "6_to_9_months"),
        (D(2026, 10, 30), "6_to_9_months"),
        (D(2026, 10, 31), "9_months_or_more"),
    ]
    window = Window(D(2026, 4, 1), D(2026, 12, 31))
    for closed, band in cases:
        facts = Facts(closures=[closure(referred, closed)])
        assert [b for b in BANDS if in_band(b, facts, window) == 1] == [band], closed


def test_a_leap_day_referral_reaches_its_band_edge_on_the_28th() -> None:
    facts = Facts(closures=[closure(D(2024, 2, 29), D(2024, 5, 28)), closure(D(2024, 2, 29), D(2024, 5, 29))])
    window = Window(D(2024, 5, 1), D(2024, 5, 31))
    assert in_band("under_3_months", facts, window) == 1 and in_band("3_to_6_months", facts, window) == 1


def test_closures_unmet_need_and_its_share_count_only_the_window() -> None:
    facts = Facts(closures=[closure(D(2026, 1, 5), D(2026, 4, 1), unmet=True), closure(D(2026, 1, 5), D(2026, 7, 1))])
    assert m.closures(facts, Q1) == 1 and m.closures_with_unmet_need(facts, Q1) == 1 and m.unmet_need_share(facts, Q1) == 1.0
    assert m.unmet_need_share(Facts(), Q1) is None


def test_financial_quarters_years_and_calendar_years_by_name() -> None:
    assert named_period("2026-27-Q1") == (D(2026, 4, 1), D(2026, 6, 30), "2026-27 Q1")
    assert named_period("2026-27 Q3") == (D(2026, 10, 1), D(2026, 12, 31), "2026-27 Q3")
    assert named_period("2026-27-Q4") == (D(2027, 1, 1), D(2027, 3, 31), "2026-27 Q4")
    assert named_period("2026-27") == (D(2026, 4, 1), D(2027, 3, 31), "2026-27")
    assert named_period("2099-00") == (D(2099, 4, 1), D(2100, 3, 31), "2099-00")
    assert named_period("2026") == (D(2026, 1, 1), D(2026, 12, 31), "2026")


@pytest.mark.parametrize("name", ["2026-27-Q5", "2026-27-Q0", "2026-28", "Q1", "2026-27-Q", "twenty", "0000", "9999-00", "1899"])
def test_an_unknown_period_name_is_refused_naming_period(name: str) -> None:
    with pytest.raises(Invalid) as refused:
        named_period(name)
    assert refused.value.field == "period"


def checked(**asked: object) -> Period:
    values: dict[str, object] = {
        "date_from": None,
        "date_to": None,
        "name": None,
        "as_at": D(2026, 12, 5),
        "covered_from": D(2020, 1, 1),
    }
    return period(**(values | asked))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("asked", "field"),
    [
        ({"date_from": D(2026, 6, 30), "date_to": D(2026, 4, 1)}, "to"),
        ({"date_from": D(2024, 4, 1), "date_to": D(2026, 4, 1)}, "to"),
        ({"date_from": D(2026, 4, 1)}, "to"),
        ({"date_to": D(2026, 4, 1)}, "from"),
        ({"name": "2026-27", "date_from": D(2026, 4, 1)}, "period"),
        ({"name": "2028"}, "from"),
    ],
)
def test_a_bad_period_is_refused_naming_its_field(asked: dict[str, object], field: str) -> None:
    with pytest.raises(Invalid) as refused:
        checked(**asked)
    assert refused.value.field == field


def test_two_years_to_the_day_before_is_the_longest_period() -> None:
    assert checked(date_from=D(2024, 4, 1), date_to=D(2026, 3, 31)).date_to == D(2026, 3, 31)


def test_a_period_not_over_is_counted_to_today_and_so_is_the_year_before() -> None:
    p = checked(name="2026-27-Q3")
    assert p.partial and p.not_over and p.counted_to == D(2026, 12, 5)
    assert p.current == Window(D(2026, 10, 1), D(2026, 12, 5)) and p.year_before == Window(D(2025, 10, 1), D(2025, 12, 5))
    whole = checked(name="2026-27-Q2")
    assert not whole.partial and whole.year_before == Window(D(2025, 7, 1), D(2025, 9, 30))


def test_a_period_the_read_model_does_not_cover_from_its_start_is_partial() -> None:
    p = checked(name="2026-27-Q1", covered_from=D(2026, 5, 2))
    assert p.partial and p.not_covered and not p.not_over and p.year_before_not_covered
    p = checked(name="2026-27-Q1", covered_from=D(2025, 6, 1))
    assert not p.partial and p.year_before_not_covered
    assert checked(name="2026-27-Q1", covered_from=None).not_covered


def test_the_year_before_a_leap_day_is_the_28th() -> None:
    p = checked(date_from=D(2028, 2, 1), date_to=D(2028, 2, 29), as_at=D(2028, 3, 1))
    assert p.year_before == Window(D(2027, 2, 1), D(2027, 2, 28))


def test_a_re_referral_is_within_12_months_of_the_previous_referral_s_date() -> None:
    on = at(D(2026, 5, 1))
    facts = Facts(
        referrals=[
            referral(on, previous=at(D(2025, 5, 1), 9)),  # the same date a year before: within
            referral(on, previous=datetime(2025, 4, 30, 23, 30, tzinfo=UTC)),  # 00:30 on 1 May in London: within
            referral(on, previous=at(D(2025, 4, 30), 10)),  # 30 April: a day more, not
            referral(on),  # no previous referral
        ]
    )
    assert m.referrals(facts, Q1) == 4 and m.re_referrals(facts, Q1) == 2 and m.re_referral_share(facts, Q1) == 0.5
    assert m.is_re_referral(D(2028, 2, 29), at(D(2027, 2, 28))) and not m.is_re_referral(D(2028, 2, 29), at(D(2027, 2, 27)))


def test_a_referral_s_date_is_its_london_date() -> None:
    """23:30 UTC on 31 March 2026 is 00:30 on 1 April in London (summer time): in Q1."""
    facts = Facts(referrals=[referral(datetime(2026, 3, 31, 23, 30, tzinfo=UTC))])
    assert m.referrals(facts, Q1) == 1


def test_the_nfa_share_is_of_the_referrals_decided() -> None:
    facts = Facts(
        referrals=[
            referral(at(D(2026, 4, 2)), outcome=DecisionOutcome.NFA),
            referral(at(D(2026, 4, 3)), outcome=DecisionOutcome.ASSESSMENT),
            referral(at(D(2026, 4, 4)), outcome=DecisionOutcome.EARLY_HELP),
            referral(at(D(2026, 4, 5))),
        ]
    )
    assert m.referrals_decided(facts, Q1) == 3 and m.nfa_share(facts, Q1) == 0.3333


def test_assessments_in_working_days_over_the_christmas_bank_holidays() -> None:
    """From 18 December 2026, 45 working days skip Christmas (Friday 25th), Boxing Day's
    substitute (Monday 28th) and New Year's Day: the 45th is in time, the 46th is not."""
    referred = D(2026, 12, 18)
    in_time, late = add_working_days(referred, 45), add_working_days(referred, 46)
    assert in_time == D(2027, 2, 24)  # 19 February without the three bank holidays
    facts = Facts(assessments=[Assessment("north", referred, in_time), Assessment("north", referred, late)])
    window = Window(D(2027, 1, 1), D(2027, 3, 31))
    assert m.assessments_completed(facts, window) == 2
    assert m.assessments_median_working_days(facts, window) == 45.5
    assert m.assessments_within_45_working_days(facts, window) == 0.5


def test_icpcs_within_15_working_days_of_the_strategy_discussion() -> None:
    strategy = D(2026, 12, 24)
    facts = Facts(
        icpcs=[
            Icpc("north", add_working_days(strategy, 15), strategy, add_working_days(strategy, 15)),
            Icpc("north", add_working_days(strategy, 16), strategy, add_working_days(strategy, 15)),
            # Without the strategy discussion's date: against the enquiry's ICPC target.
            Icpc("north", D(2027, 1, 20), None, D(2027, 1, 20)),
        ]
    )
    window = Window(D(2027, 1, 1), D(2027, 3, 31))
    assert m.icpcs(facts, window) == 3 and m.icpcs_within_15_working_days(facts, window) == 0.6667


def test_plans_open_at_the_window_s_end_and_their_durations() -> None:
    facts = Facts(
        plans=[
            Plan("north", "cin", D(2026, 1, 1), None),  # open: 180 days old on 30 June
            Plan("north", "cin", D(2026, 6, 1), D(2026, 6, 30)),  # ended on the last day: not open; 29 days
            Plan("north", "cin", D(2026, 7, 1), None),  # not started yet
            Plan("north", "cp", D(2026, 3, 1), D(2026, 4, 10)),  # ended: 40 days
            Plan("north", "cp", D(2026, 6, 30), None),  # started on the last day: open, 0 days
        ]
    )
    figures = {name: figure(facts, Q1) for name, figure in m.FIGURES.items()}
    assert figures["cin_plans_open"] == 1 and figures["cin_plans_open_median_age_days"] == 180.0
    assert figures["cin_plans_ended"] == 1 and figures["cin_plans_ended_median_days"] == 29.0
    assert figures["cp_plans_open"] == 1 and figures["cp_plans_open_median_age_days"] == 0.0
    assert figures["cp_plans_ended"] == 1 and figures["cp_plans_ended_median_days"] == 40.0


def test_reviews_and_visits_on_time() -> None:
    facts = Facts(
        reviews=[Review("north", "cin", D(2026, 5, 1), True), Review("north", "cp", D(2026, 5, 2), False)],
        visits=[
            Visit("north", D(2026, 5, 1), None, True),  # a first visit: not judged
            Visit("north", D(2026, 5, 8), True, True),
            Visit("north", D(2026, 6, 30), False, False),
        ],
    )
    assert m.reviews(facts, Q1) == 2 and m.reviews_on_time(facts, Q1) == 0.5
    assert m.visits(facts, Q1) == 3 and m.visits_on_time(facts, Q1) == 0.5 and m.visits_child_seen(facts, Q1) == 0.6667


def test_early_help_s_acceptance_is_of_the_handovers_answered() -> None:
    facts = Facts(
        handovers=[
            Handover("north", D(2026, 4, 1), True, False),
            Handover("north", D(2026, 4, 2), False, True),
            Handover("north", D(2026, 4, 3), False, False),  # not answered yet
        ],
        step_ups=[StepUp("north", D(2026, 4, 1), True), StepUp("north", D(2026, 4, 2), False)],
    )
    assert m.handovers_to_early_help(facts, Q1) == 3 and m.early_help_acceptance(facts, Q1) == 0.5
    assert m.step_ups(facts, Q1) == 2 and m.step_ups_within_12_months(facts, Q1) == 1


def test_the_change_on_the_year_before() -> None:
    assert (m.Compared(3, 1).change, m.Compared(3, 1).change_percent) == (2, 200.0)
    assert (m.Compared(1, 0).change, m.Compared(1, 0).change_percent) == (1, None)
    assert (m.Compared(0.5, 1.0).change, m.Compared(0.5, 1.0).change_percent) == (-0.5, -50.0)
    assert (m.Compared(None, 1.0).change, m.Compared(0.5, None).change_percent) == (None, None)


def test_each_team_and_the_total() -> None:
    facts = Facts(
        closures=[closure(D(2026, 1, 5), D(2026, 4, 2), team="south"), closure(D(2025, 1, 5), D(2025, 4, 2), team="north")]
    )
    p = Period(date_from=Q1.first, date_to=Q1.last, as_at=D(2026, 12, 5), covered_from=D(2020, 1, 1))
    measured = m.measure(facts, p, teams=["east"])
    assert [t.team for t in measured.by_team] == ["east", "north", "south"]
    by = {t.team: t.figures["closures"] for t in measured.by_team}
    assert (by["north"].value, by["north"].year_before, by["south"].value, by["east"].value) == (0, 1, 1, 0)
    assert (measured.total.team, measured.total.figures["closures"].value, measured.total.figures["closures"].year_before) == (
        "all",
        1,
        1,
    )
