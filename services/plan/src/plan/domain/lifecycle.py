"""A plan's life after its draft: started by a social-work-qualified manager's approval, ended
with every action's final status; the strategy discussions held during a CIN plan; and what
partners are told of a started plan.

A child protection plan starts on its initial conference's date (census rule 2885). When it
starts, the case's child in need plan ends (next step ``escalate_cp``) on the same day: the CP plan
replaces it. Every transition returns the new state with its next drift check (``drift.checked``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime

from continuum.casework.clock import london_date
from continuum.casework.errors import Conflict, Invalid, Refused
from continuum.casework.partners import partner_status
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import PartnerStatus
from continuum.contracts.codes import ReasonForClosure
from continuum.contracts.plan import NextStep, PlanEnded, PlanStarted, PlanType, StrategyDiscussionRecorded
from plan.domain.drift import checked
from plan.domain.rules import (
    about,
    action_summary,
    apply_progress,
    check_after_cp_start,
    check_day,
    check_next_step,
    check_open,
    check_started,
    check_sw_qualified_manager,
    end_floor,
    naming,
)
from plan.domain.schedule import first_review_due, next_visit_due
from plan.domain.states import Action, ActionProgress, Actor, ChildIdentity, Ending, Events, PlanState, PlanStatus, Visits

#: What a plan's type tells partners while it is active.
PARTNER_STATUS = {PlanType.CIN: PartnerStatus.CIN_PLAN, PlanType.CP: PartnerStatus.CP_PLAN}


# --- partner status -------------------------------------------------------------------------------


def partner_announcement(plan: PlanState, child: ChildIdentity | None, policy: CouncilPolicy) -> Events:
    """What partners are told of a started plan: ``cin_plan`` or ``cp_plan`` since the plan's start
    date (a CP plan's is its initial conference's). While the child's NHS number is not known
    (partners match on it), ``status.withheld`` instead (logged, sent to no agency): the status goes
    out when the number arrives (:func:`child_identified`).
    The plan service announces only these; ``stepped_down`` and ``closed`` are step-down's."""
    if plan.status is not PlanStatus.ACTIVE or plan.start_date is None or child is None:
        return []
    event = partner_status(
        child_id=plan.child_id,
        nhs_number=child.nhs_number,
        date_of_birth=child.date_of_birth,
        status=PARTNER_STATUS[plan.plan_type],
        since=plan.start_date,
        team=plan.team,
        policy=policy,
    )
    return [event]


def child_identified(plan: PlanState, *, child: ChildIdentity, known_before: str | None, policy: CouncilPolicy) -> Events:
    """The child's NHS number became known (or changed) while the plan is active: its status goes
    out again, under the number partners can match."""
    if child.nhs_number is None or child.nhs_number == known_before:
        return []
    return partner_announcement(plan, child, policy)


# --- approval and ending ----------------------------------------------------------------------


def check_ready(plan: PlanState) -> None:
    """What a plan needs before a manager may approve it."""
    c = plan.content
    for name in ("worries", "outcomes_for_child", "exit_criteria"):
        if not (getattr(c, name) or "").strip():
            raise Conflict("is needed before the plan can be approved", field=f"content.{name}", slug="plan-incomplete")
    if not plan.actions:
        raise Conflict("a plan needs at least one action before approval", field="actions", slug="plan-incomplete")
    if plan.plan_type is PlanType.CP and plan.initial_category is None:
        reason = "a child protection plan needs its category of abuse"
        raise Conflict(reason, field="category_of_abuse", slug="plan-incomplete")


def start_date_of(plan: PlanState, requested: date | None) -> date:
    """The census start date of the plan being approved. A child protection plan starts on the
    date of the initial conference that decided it (rule 2885), whatever day it is approved: the
    request may leave it out or repeat it, never give another. A CIN plan starts on the date given."""
    if plan.plan_type is PlanType.CP:
        if plan.conference_date is None:
            raise Conflict(
                "a child protection plan starts on the date of the initial conference that decided it, which is not known"
                " yet: it comes with the section 47 enquiry's conclusion",
                field="start_date",
                slug="conference-date-unknown",
            )
        if requested is not None and requested != plan.conference_date:
            raise Invalid(
                "start_date",
                f"a child protection plan starts on the date of its initial conference ({plan.conference_date.isoformat()},"
                " census rule 2885): leave it out or give that date",
            )
        return plan.conference_date
    if requested is None:
        raise Invalid("start_date", "give the date the plan starts")
    return requested


def approve(
    plan: PlanState,
    *,
    by: Actor,
    start_date: date | None,
    today: date,
    now: datetime,
    child: ChildIdentity | None,
    policy: CouncilPolicy,
    previous_cp_plans: int = 0,
) -> tuple[PlanState, Events]:
    """A social-work-qualified manager approves the draft: the plan starts (census plan start: a
    CIN plan on ``start_date``, not before it was drafted; a CP plan on its initial conference's
    date; never in the future), its first review and visit fall due from the start (a CP plan's
    first review conference within 3 months of its conference), and partners hear ``cin_plan``
    or ``cp_plan`` since the start. A CP plan carries ``previous_cp_plans`` (census
    NumberOfPreviousCPP, counted by the caller)."""
    check_sw_qualified_manager(by, "approving a plan")
    check_open(plan)
    if plan.status is not PlanStatus.DRAFT:
        raise Conflict("is already approved", field="plan", slug="plan-already-started")
    check_ready(plan)
    start = start_date_of(plan, start_date)
    if plan.plan_type is PlanType.CP:
        check_day("start_date", start, today=today, not_before=None, what="")
    else:
        check_day("start_date", start, today=today, not_before=london_date(plan.drafted_at), what="the day it was drafted")
    review_due = first_review_due(plan.plan_type, start, policy)
    previous = previous_cp_plans if plan.plan_type is PlanType.CP else None
    started = replace(
        plan,
        status=PlanStatus.ACTIVE,
        start_date=start,
        approved_by=by.id,
        next_review_due=review_due,
        visits=Visits(next_due=next_visit_due(start, policy)),
        previous_cp_plans=previous,
        version=plan.version + 1,
    )
    started = checked(started, today=today, policy=policy)
    event = PlanStarted(
        **about(plan),
        plan_type=plan.plan_type,
        start_date=start,
        approved_by=by.id,
        initial_category_of_abuse=plan.initial_category,
        next_review_due=review_due,
        actions=len(plan.actions),
        previous_cp_plans=previous,
    )
    return started, [event, *partner_announcement(started, child, policy)]


#: After a plan, the census reasons that say where the child went (RC8 and RC9 are for a case
#: closed after an assessment alone; a plan that hands over to early help steps down instead).
REASONS_AFTER_A_PLAN = frozenset(ReasonForClosure) - {
    ReasonForClosure.NFA_AFTER_ASSESSMENT,
    ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT,
}


def check_reason_for_closure(next_step: NextStep, reason: ReasonForClosure | None) -> None:
    """A plan that closes the case says why, in the census's words; any other ending leaves the
    closure to what comes next (step-down, or another plan)."""
    if next_step is not NextStep.CLOSE:
        if reason is not None:
            raise Invalid("reason_for_closure", "only a plan that closes the case (next step close) gives one")
        return
    if reason is None:
        raise Invalid("reason_for_closure", "a plan that closes the case gives the census reason for closure")
    if reason not in REASONS_AFTER_A_PLAN:
        raise Invalid(
            "reason_for_closure", f"{reason.value} is for a case closed after an assessment alone; after a plan, RC1 to RC7"
        )


def _ended(plan: PlanState, *, actions: tuple[Action, ...], ending: Ending) -> tuple[PlanState, Events]:
    """The plan ended as ``ending`` says, with ``actions`` as they finished, and ``plan.ended``."""
    assert plan.start_date is not None
    ended = replace(
        plan,
        status=PlanStatus.ENDED,
        actions=actions,
        ending=ending,
        next_review_due=None,
        visits=replace(plan.visits, next_due=None),
        drift_check=None,  # an ended plan no longer drifts
        version=plan.version + 1,
    )
    event = PlanEnded(
        **about(plan),
        plan_type=plan.plan_type,
        start_date=plan.start_date,
        end_date=ending.end_date,
        next_step=ending.next_step,
        unmet_need=ending.unmet_need,
        actions=action_summary(actions),
        latest_category_of_abuse=plan.latest_category,
        reason_for_closure=ending.reason_for_closure,
    )
    return ended, [event]


def end(
    plan: PlanState,
    *,
    by: Actor,
    end_date: date,
    today: date,
    now: datetime,
    reason: str,
    unmet_need: bool,
    next_step: NextStep,
    final: Mapping[uuid.UUID, tuple[ActionProgress, str | None]],
    reason_for_closure: ReasonForClosure | None = None,
    died_on: date | None = None,
) -> tuple[PlanState, Events]:
    """End the plan: every action's final status, the reason, whether needs remain unmet (which
    hands over to step-down), and the next step. ``plan.ended`` carries the action summary and,
    when the plan closes the case, the census reason for closure (so the closure is evidenced where
    it is decided, and step-down closes the episode at once). A child protection plan ends after
    the day it started (census rule 8840); a plan of a child who has died (``died_on``, the local
    copy's date of death) ends on or before that day (census 4009Q for a CIN plan; a CP plan alike).
    Partners hear nothing from the plan service: the next plan's start, or step-down's
    ``stepped_down`` or ``closed``, says where the child is."""
    check_started(plan, "ending a plan")
    assert plan.start_date is not None
    if not reason.strip():
        raise Invalid("reason", "say why the plan ends")
    check_next_step(plan.plan_type, next_step, "next_step")
    check_reason_for_closure(next_step, reason_for_closure)
    floor, what = end_floor(plan)
    check_day("end_date", end_date, today=today, not_before=floor, what=what)
    check_after_cp_start(plan, "end_date", end_date, "the end", "8840")
    if died_on is not None and end_date > died_on:
        raise Invalid("end_date", f"the child died on {died_on.isoformat()}: the plan ends on or before that day (census 4009Q)")
    actions = apply_progress(plan, final, field="actions", every=True)
    ending = Ending(
        end_date=end_date,
        reason=reason.strip(),
        unmet_need=unmet_need,
        next_step=next_step,
        by=by.id,
        at=now,
        reason_for_closure=reason_for_closure,
    )
    return _ended(plan, actions=actions, ending=ending)


def replaced_by_child_protection(cin: PlanState, *, cp_start: date, by: Actor, now: datetime) -> tuple[PlanState, Events]:
    """A child protection plan started for the case: its child in need plan, still active, ends on
    the CP plan's start date (or on its own start or last review, when later), with next step
    ``escalate_cp`` and every action as it stands (the CP plan carries the work on). Step-down
    leaves an escalation alone, and partners hear ``cp_plan`` from the CP plan."""
    assert cin.plan_type is PlanType.CIN and cin.status is PlanStatus.ACTIVE
    floor, _ = end_floor(cin)
    end_date = max(cp_start, floor)
    ending = Ending(
        end_date=end_date,
        reason=f"A child protection plan replaced it from {cp_start.isoformat()} (its initial conference).",
        unmet_need=False,
        next_step=NextStep.ESCALATE_CP,
        by=by.id,
        at=now,
    )
    return _ended(cin, actions=cin.actions, ending=ending)


# --- escalation -----------------------------------------------------------------------------------


def record_strategy_discussion(
    plan: PlanState, *, on: date, by: Actor, today: date, now: datetime, policy: CouncilPolicy
) -> tuple[PlanState, Events]:
    """Concerns of significant harm during an active child in need plan: a strategy discussion was
    held on ``on`` (not in the future, not before the plan's start). Section 47 work needs a social
    worker. ``plan.strategy_discussion_recorded`` makes the assessment service start the enquiry,
    with its conference clock; the plan goes on until a CP plan replaces it or it ends. One
    discussion a day is recorded once."""
    if not by.sw_qualified:
        raise naming(
            Refused, "recorded_by", "a strategy discussion is section 47 work: it needs a social worker", slug="not-sw-qualified"
        )
    check_started(plan, "recording a strategy discussion")
    assert plan.start_date is not None
    if plan.plan_type is not PlanType.CIN:
        raise Conflict(
            "a strategy discussion is recorded on a child in need plan; a child protection plan has had its conference",
            field="plan",
            slug="not-a-cin-plan",
        )
    check_day("date", on, today=today, not_before=plan.start_date, what="the plan's start")
    if on in plan.strategy_discussions:
        raise Conflict(
            f"a strategy discussion on {on.isoformat()} is already recorded", field="date", slug="strategy-discussion-recorded"
        )
    recorded = replace(plan, strategy_discussions=(*plan.strategy_discussions, on), version=plan.version + 1)
    event = StrategyDiscussionRecorded(
        **about(plan),
        plan_type=plan.plan_type,
        strategy_discussion_date=on,
        recorded_by=by.id,
        recorded_at=now,
    )
    return checked(recorded, today=today, policy=policy), [event]
