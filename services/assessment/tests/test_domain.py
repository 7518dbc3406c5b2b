"""Pure rules: the working-day clocks and the census factor and primary-need rules (no I/O)."""

from __future__ import annotations

from datetime import date

import pytest

from assessment import domain
from assessment.domain import Record, RuleBroken, Status
from continuum.codes import AssessmentFactor, PrimaryNeedCode, ReasonForClosure
from continuum.contracts.assessment import AssessmentOutcome, AssessmentRoute, Section47Outcome
from continuum.contracts.referral import DecisionOutcome
from continuum.policy import LeadPractitionerPolicy

F = AssessmentFactor


# --- the 45-working-day clock ---------------------------------------------------------------------


def test_due_date_is_45_working_days_after_a_plain_referral() -> None:
    # Monday 1 September 2025: no bank holiday until Christmas, so nine weeks exactly.
    assert domain.due_date(date(2025, 9, 1)) == date(2025, 11, 3)


def test_due_date_skips_christmas_boxing_day_substitute_and_new_year() -> None:
    # Friday 20 November 2026: nine weeks would be Friday 22 January 2027, but Christmas Day
    # (Fri 25 Dec), Boxing Day's substitute (Mon 28 Dec, as the 26th is a Saturday) and New
    # Year's Day (Fri 1 Jan) push it three working days on.
    assert domain.due_date(date(2026, 11, 20)) == date(2027, 1, 27)


def test_a_referral_at_the_weekend_runs_from_the_next_working_day() -> None:
    friday, saturday, sunday = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)
    assert domain.due_date(saturday) == domain.due_date(sunday) == domain.due_date(friday)


def test_icpc_target_skips_good_friday_and_easter_monday() -> None:
    # Strategy discussion Friday 27 March 2026; Good Friday 3 April and Easter Monday 6 April.
    assert domain.icpc_target(date(2026, 3, 27)) == date(2026, 4, 21)
    # Without a bank holiday, 15 working days from a Friday is the Friday three weeks on...
    assert domain.icpc_target(date(2026, 6, 5)) == date(2026, 6, 26)
    # ...and the spring bank holiday (Monday 25 May 2026) adds one.
    assert domain.icpc_target(date(2026, 5, 8)) == date(2026, 6, 1)


def test_the_easter_span_of_an_assessment() -> None:
    # Monday 2 February 2026: nine weeks is Monday 6 April, Easter Monday; Good Friday (3 April)
    # and Easter Monday move the due date two working days on, to Wednesday 8 April.
    assert domain.due_date(date(2026, 2, 2)) == date(2026, 4, 8)


def test_working_days_left_and_overdue() -> None:
    due = date(2026, 11, 27)  # a Friday
    assert domain.working_days_left(due, date(2026, 11, 23)) == 4
    assert domain.working_days_left(due, due) == 0
    assert not domain.is_overdue(due, due)  # authorised on the due date is within 45
    assert domain.working_days_left(due, date(2026, 11, 30)) == -1  # the Monday after
    assert domain.is_overdue(due, date(2026, 11, 28))  # the Saturday after: past it already
    # Over Christmas, the days left count working days only.
    assert domain.working_days_left(date(2027, 1, 4), date(2026, 12, 24)) == 4


def test_only_assessment_and_strategy_discussion_open_an_assessment() -> None:
    assert domain.route_for(DecisionOutcome.ASSESSMENT) is AssessmentRoute.SECTION17
    assert domain.route_for(DecisionOutcome.STRATEGY_DISCUSSION) is AssessmentRoute.SECTION47
    assert domain.route_for(DecisionOutcome.NFA) is None
    assert domain.route_for(DecisionOutcome.EARLY_HELP) is None


# --- factors and primary need ---------------------------------------------------------------------


def test_factors_parse_in_order() -> None:
    assert domain.parse_factors(["3A", "4B", "24A"]) == [
        F.DOMESTIC_ABUSE_CHILD,
        F.MENTAL_HEALTH_PARENT_OR_CARER,
        F.CHILD_CRIMINAL_EXPLOITATION,
    ]
    assert domain.parse_factors(["21"]) == [F.NO_FACTORS]


@pytest.mark.parametrize(
    ("codes", "words"),
    [
        (["99Z"], "unknown"),
        (["1D"], "unknown"),  # 1 to 6 take A, B or C only
        (["8A"], "unknown"),  # private fostering starts at 8B
        (["21", "3A"], "cannot be combined"),
        (["3A", "3A"], "more than once"),
    ],
)
def test_bad_factors_are_refused(codes: list[str], words: str) -> None:
    with pytest.raises(RuleBroken) as caught:
        domain.parse_factors(codes)
    assert caught.value.field == "factors" and words in caught.value.reason


def test_primary_need_must_agree_with_the_outcome() -> None:
    domain.check_primary_need(PrimaryNeedCode.ABUSE_OR_NEGLECT, AssessmentOutcome.CHILD_PROTECTION, [F.NEGLECT])
    domain.check_primary_need(PrimaryNeedCode.NOT_CHILD_IN_NEED, AssessmentOutcome.NFA, [F.NO_FACTORS])
    domain.check_primary_need(PrimaryNeedCode.NOT_STATED, AssessmentOutcome.EARLY_HELP, [F.NO_FACTORS])
    for need in (PrimaryNeedCode.NOT_STATED, PrimaryNeedCode.NOT_CHILD_IN_NEED):
        for outcome in (AssessmentOutcome.CIN_PLAN, AssessmentOutcome.CHILD_PROTECTION):
            with pytest.raises(RuleBroken) as caught:
                domain.check_primary_need(need, outcome, [F.NEGLECT])
            assert caught.value.field == "primary_need"
    with pytest.raises(RuleBroken) as caught:
        domain.check_primary_need(PrimaryNeedCode.ABUSE_OR_NEGLECT, AssessmentOutcome.CHILD_PROTECTION, [F.NO_FACTORS])
    assert caught.value.field == "factors"


def _record(**overrides: object) -> Record:
    values: dict[str, object] = {
        "start_date": date(2026, 11, 23),
        "child_seen_date": date(2026, 11, 24),
        "child_seen_alone": True,
        "factors": [F.NEGLECT],
        "primary_need": PrimaryNeedCode.ABUSE_OR_NEGLECT,
        "recommendation": AssessmentOutcome.CIN_PLAN,
        "recommendation_summary": "a summary",
        "unborn": False,
    } | overrides
    return Record(**values)  # type: ignore[arg-type]


def test_submission_needs_a_complete_record() -> None:
    domain.check_can_submit(Status.IN_PROGRESS, _record())
    domain.check_can_submit(Status.IN_PROGRESS, _record(child_seen_date=None, child_seen_alone=None, unborn=True))
    for missing in ("start_date", "child_seen_date", "primary_need", "recommendation"):
        with pytest.raises(RuleBroken) as caught:
            domain.check_can_submit(Status.IN_PROGRESS, _record(**{missing: None}))
        assert caught.value.field == missing
    with pytest.raises(RuleBroken) as caught:
        domain.check_can_submit(Status.IN_PROGRESS, _record(factors=[]))
    assert caught.value.field == "factors"
    with pytest.raises(RuleBroken) as caught:
        domain.check_can_submit(Status.IN_PROGRESS, _record(primary_need=PrimaryNeedCode.NOT_CHILD_IN_NEED))
    assert caught.value.field == "primary_need"


def test_submitting_twice_is_a_conflict() -> None:
    with pytest.raises(RuleBroken) as caught:
        domain.check_can_submit(Status.SUBMITTED, _record())
    assert caught.value.status == 409 and caught.value.slug == "already-submitted"


# --- dates, authorisation and closure -------------------------------------------------------------


def test_dates_are_not_before_the_referral_nor_in_the_future() -> None:
    referral, today = date(2026, 11, 20), date(2026, 11, 26)
    domain.check_dates(referral_date=referral, today=today, start_date=referral, child_seen_date=today)
    for field, value in (
        ("start_date", date(2026, 11, 19)),
        ("start_date", date(2026, 11, 27)),
        ("child_seen_date", date(2026, 11, 1)),
    ):
        with pytest.raises(RuleBroken) as caught:
            domain.check_dates(referral_date=referral, today=today, **{"start_date": None, "child_seen_date": None, field: value})
        assert caught.value.field == field


def test_authorisation_date_not_before_the_start() -> None:
    domain.check_authorisation(authorisation_date=date(2026, 11, 23), start_date=date(2026, 11, 23), today=date(2026, 11, 26))
    with pytest.raises(RuleBroken) as caught:
        domain.check_authorisation(authorisation_date=date(2026, 11, 22), start_date=date(2026, 11, 23), today=date(2026, 11, 26))
    assert caught.value.field == "authorisation_date"


def test_nfa_and_early_help_close_the_episode() -> None:
    on = date(2026, 12, 1)
    assert domain.closure_for(AssessmentOutcome.NFA, on) == domain.Closure(on, ReasonForClosure.NFA_AFTER_ASSESSMENT)
    assert domain.closure_for(AssessmentOutcome.EARLY_HELP, on) == domain.Closure(
        on, ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT
    )
    assert domain.closure_for(AssessmentOutcome.CIN_PLAN, on) is None
    assert domain.closure_for(AssessmentOutcome.CHILD_PROTECTION, on) is None


# --- lead practitioners ---------------------------------------------------------------------------


def test_who_may_lead() -> None:
    policy = LeadPractitionerPolicy(social_worker_roles=["social_worker"], section17_roles=["family_support_practitioner"])
    assert domain.check_lead_practitioner("social_worker", AssessmentRoute.SECTION47, policy) is True
    assert domain.check_lead_practitioner("family_support_practitioner", AssessmentRoute.SECTION17, policy) is False
    with pytest.raises(RuleBroken) as caught:
        domain.check_lead_practitioner("family_support_practitioner", AssessmentRoute.SECTION47, policy)
    assert caught.value.slug == "not-eligible-lead-practitioner"
    with pytest.raises(RuleBroken):
        domain.check_lead_practitioner("receptionist", AssessmentRoute.SECTION17, policy)


def test_reallocation_needs_a_reason() -> None:
    domain.check_allocation(Status.UNALLOCATED, None, "a", None)
    domain.check_allocation(Status.IN_PROGRESS, "a", "b", "a is on leave")
    with pytest.raises(RuleBroken) as caught:
        domain.check_allocation(Status.IN_PROGRESS, "a", "b", None)
    assert caught.value.field == "reason"


# --- section 47 -----------------------------------------------------------------------------------


def test_section47_conclusion_rules() -> None:
    started, today = domain.Section47Status.STARTED, date(2026, 11, 26)
    ok = {"start_date": date(2026, 11, 2), "today": today}
    domain.check_section47_conclusion(
        started, icpc_date=date(2026, 11, 20), icpc_not_required=False, outcome=Section47Outcome.CP_PLAN, **ok
    )
    domain.check_section47_conclusion(started, icpc_date=None, icpc_not_required=True, outcome=Section47Outcome.NO_CP_PLAN, **ok)
    bad = [
        ({"icpc_date": None, "icpc_not_required": False, "outcome": Section47Outcome.NO_CP_PLAN}, "icpc_date"),
        ({"icpc_date": date(2026, 11, 20), "icpc_not_required": True, "outcome": Section47Outcome.NO_CP_PLAN}, "icpc_date"),
        ({"icpc_date": date(2026, 11, 1), "icpc_not_required": False, "outcome": Section47Outcome.CP_PLAN}, "icpc_date"),
        ({"icpc_date": None, "icpc_not_required": True, "outcome": Section47Outcome.CP_PLAN}, "outcome"),
    ]
    for values, field in bad:
        with pytest.raises(RuleBroken) as caught:
            domain.check_section47_conclusion(started, **values, **ok)  # type: ignore[arg-type]
        assert caught.value.field == field
