"""Pre-proceedings for a child protection plan heading to court (the 2026-27 census's
PreProceedingsandFGDM items), and the rule the Children's Wellbeing and Schools Act 2026 adds: a
court application needs the family group decision-making offer, or a reasoned exception."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from continuum.contracts.plan import (
    PlanType,
    PreproceedingsDecided,
    PreproceedingsDecision,
    PreproceedingsRecorded,
    PreproceedingsStarted,
)
from continuum.errors import RuleBroken
from plan.domain.lifecycle import check_day, check_started
from plan.domain.states import Events, PlanState, Preproceedings


def _current(plan: PlanState) -> Preproceedings:
    check_started(plan, "pre-proceedings")
    if plan.preproceedings is None:
        raise RuleBroken("pre_proceedings", "have not started", status=409, slug="preproceedings-not-started")
    return plan.preproceedings


def start(plan: PlanState, *, start_date: date, today: date) -> tuple[PlanState, Events]:
    """Pre-proceedings start (PPStartDate) on a started child protection plan, once."""
    check_started(plan, "pre-proceedings")
    assert plan.start_date is not None
    if plan.plan_type is not PlanType.CP:
        raise RuleBroken("plan", "pre-proceedings belong to a child protection plan", status=409, slug="not-a-cp-plan")
    if plan.preproceedings is not None:
        raise RuleBroken("pre_proceedings", "have already started", status=409, slug="preproceedings-started")
    check_day("start_date", start_date, today=today, not_before=plan.start_date, what="the plan's start")
    event = PreproceedingsStarted(
        plan_id=plan.id, case_id=plan.case_id, child_id=plan.child_id, team=plan.team, start_date=start_date
    )
    return replace(plan, preproceedings=Preproceedings(start_date=start_date), version=plan.version + 1), [event]


def check_record(pp: Preproceedings, *, today: date) -> None:
    """The census's rules: each date follows the one before; an offer needs a letter and whether
    the meeting was held; review meetings follow the initial meeting."""
    start = pp.start_date
    if pp.letter_before_proceedings_date is not None:
        letter = pp.letter_before_proceedings_date
        check_day("letter_before_proceedings_date", letter, today=today, not_before=start, what="the start")
    if pp.fgdm_offered and pp.letter_before_proceedings_date is None:
        raise RuleBroken("fgdm_offered", "the FGDM offer is made in the letter before proceedings: record the letter's date")
    if pp.fgdm_offered and pp.fgdm_held is None:
        raise RuleBroken("fgdm_held", "say whether the offered FGDM meeting was held")
    if not pp.fgdm_offered and pp.fgdm_held:
        raise RuleBroken("fgdm_held", "a meeting that was not offered was not held")
    if pp.initial_meeting_date is not None:
        check_day("initial_meeting_date", pp.initial_meeting_date, today=today, not_before=start, what="the start")
    previous = pp.initial_meeting_date
    for i, on in enumerate(pp.review_meeting_dates):
        if previous is None:
            raise RuleBroken(f"review_meeting_dates.{i}", "review meetings follow the initial meeting: record its date")
        check_day(f"review_meeting_dates.{i}", on, today=today, not_before=previous, what="the meeting before")
        previous = on


def record(
    plan: PlanState,
    *,
    letter_before_proceedings_date: date | None,
    fgdm_offered: bool | None,
    fgdm_held: bool | None,
    initial_meeting_date: date | None,
    review_meeting_dates: tuple[date, ...],
    today: date,
) -> tuple[PlanState, Events]:
    """Record the letter, the FGDM offer and whether it was held, and the meetings (the whole
    record each time) until the decision."""
    pp = _current(plan)
    if pp.decision is not None:
        raise RuleBroken("pre_proceedings", "are decided; they no longer change", status=409, slug="preproceedings-decided")
    changed = replace(
        pp,
        letter_before_proceedings_date=letter_before_proceedings_date,
        fgdm_offered=fgdm_offered,
        fgdm_held=fgdm_held,
        initial_meeting_date=initial_meeting_date,
        review_meeting_dates=review_meeting_dates,
    )
    check_record(changed, today=today)
    event = PreproceedingsRecorded(
        plan_id=plan.id,
        case_id=plan.case_id,
        child_id=plan.child_id,
        team=plan.team,
        start_date=pp.start_date,
        letter_before_proceedings_date=letter_before_proceedings_date,
        fgdm_offered=fgdm_offered,
        fgdm_held=fgdm_held,
        initial_meeting_date=initial_meeting_date,
        review_meetings=len(review_meeting_dates),
    )
    return replace(plan, preproceedings=changed, version=plan.version + 1), [event]


def decide(
    plan: PlanState,
    *,
    decision: PreproceedingsDecision,
    decision_date: date,
    court_application_date: date | None,
    fgdm_exception_reason: str | None,
    today: date,
) -> tuple[PlanState, Events]:
    """The step decision at the end of pre-proceedings (not before their start). A court
    application (not before the decision) needs the FGDM offer recorded, or a reasoned exception
    (an FGDM meeting is not in the child's interests)."""
    pp = _current(plan)
    if pp.decision is not None:
        raise RuleBroken("pre_proceedings", "are decided already", status=409, slug="preproceedings-decided")
    check_day("decision_date", decision_date, today=today, not_before=pp.start_date, what="the start of pre-proceedings")
    if decision is PreproceedingsDecision.ISSUE_PROCEEDINGS and court_application_date is None:
        raise RuleBroken("court_application_date", "issuing proceedings needs the court application date")
    if decision is not PreproceedingsDecision.ISSUE_PROCEEDINGS and court_application_date is not None:
        raise RuleBroken("court_application_date", "only a decision to issue proceedings applies to court")
    exception = (fgdm_exception_reason or "").strip() or None
    if court_application_date is not None:
        check_day("court_application_date", court_application_date, today=today, not_before=decision_date, what="the decision")
        if not pp.fgdm_offered and exception is None:
            raise RuleBroken(
                "fgdm_exception_reason",
                "a court application needs the FGDM offer recorded, "
                "or the reason an FGDM meeting is not in the child's interests",
                status=409,
                slug="fgdm-offer-required",
            )
    decided = replace(
        pp,
        decision=decision,
        decision_date=decision_date,
        court_application_date=court_application_date,
        fgdm_exception_reason=exception,
    )
    event = PreproceedingsDecided(
        plan_id=plan.id,
        case_id=plan.case_id,
        child_id=plan.child_id,
        team=plan.team,
        decision=decision,
        decision_date=decision_date,
        court_application_date=court_application_date,
        fgdm_offered=bool(pp.fgdm_offered),
        fgdm_exception=exception is not None,
    )
    return replace(plan, preproceedings=decided, version=plan.version + 1), [event]
