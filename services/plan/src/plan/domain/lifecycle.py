"""A plan's life: drafted from an authorised assessment or a concluded section 47 enquiry,
started by a social-work-qualified manager's approval, ended with every action's final status.

A child protection plan is decided by its initial conference and starts on that conference's date
(census rule 2885), whichever of the conference's conclusion and the assessment's authorisation
arrives first: the two meet in one plan, holding both (any order). When it starts, the case's
child in need plan ends (next step ``escalate_cp``) on the same day: the CP plan replaces it.

A step-down from a child protection plan to a child in need plan drafts the CIN plan through the
same :func:`draft` as any other, with the CP plan's content and unfinished actions.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime

from continuum.casework.clock import london_date
from continuum.casework.errors import RuleBroken
from continuum.casework.partners import partner_status
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import PartnerStatus
from continuum.contracts.assessment import AssessmentAuthorised, AssessmentOutcome, Section47Concluded, Section47Outcome
from continuum.contracts.codes import AssessmentFactor, PrimaryNeedCode, ReasonForClosure
from continuum.contracts.plan import (
    ActionProgress,
    ActionSummary,
    DraftedFrom,
    NextStep,
    PlanDrafted,
    PlanEnded,
    PlanStarted,
    PlanStatus,
    PlanType,
    StrategyDiscussionRecorded,
)
from plan.domain.content import check_open
from plan.domain.schedule import first_review_due, next_visit_due
from plan.domain.states import Action, Actor, ChildIdentity, Content, Ending, Events, PlanState, Visits

#: What a plan's type tells partners while it is active.
PARTNER_STATUS = {PlanType.CIN: PartnerStatus.CIN_PLAN, PlanType.CP: PartnerStatus.CP_PLAN}


def check_sw_qualified_manager(by: Actor, doing: str) -> None:
    if not by.sw_qualified_manager:
        raise RuleBroken("approved_by", f"{doing} needs a social-work-qualified manager", status=403, slug="not-sw-qualified")


def check_started(plan: PlanState, doing: str) -> None:
    """Reviews, visits, meetings and the ending belong to a started plan."""
    check_open(plan)
    if plan.status is not PlanStatus.ACTIVE:
        raise RuleBroken("plan", f"is not approved yet: {doing} needs a started plan", status=409, slug="plan-not-started")


def check_day(name: str, on: date, *, today: date, not_before: date | None, what: str) -> None:
    """A date a practitioner records: not in the future (London's today) and not before ``not_before``."""
    if on > today:
        raise RuleBroken(name, f"is in the future (today is {today.isoformat()})")
    if not_before is not None and on < not_before:
        raise RuleBroken(name, f"is before {what} ({not_before.isoformat()})")


def check_after_cp_start(plan: PlanState, name: str, on: date, doing: str, rule: str) -> None:
    """A child protection plan's review or ending falls after its start day, never on it (census
    rules 8840 and 8841: the plan starts at its initial conference, which is not a review)."""
    if plan.plan_type is PlanType.CP and plan.start_date is not None and on <= plan.start_date:
        raise RuleBroken(
            name,
            f"{doing} of a child protection plan falls after the day it started ({plan.start_date.isoformat()},"
            f" its initial conference): census rule {rule}",
        )


# --- drafting -------------------------------------------------------------------------------------


def draft(
    *,
    plan_id: uuid.UUID,
    case_id: uuid.UUID,
    child_id: uuid.UUID,
    team: str,
    plan_type: PlanType,
    drafted_from: DraftedFrom,
    now: datetime,
    assessment_id: uuid.UUID | None = None,
    section47_id: uuid.UUID | None = None,
    conference_date: date | None = None,
    lead_practitioner: str | None = None,
    factors: tuple[AssessmentFactor, ...] = (),
    primary_need: PrimaryNeedCode | None = None,
    content: Content | None = None,
    actions: tuple[Action, ...] = (),
) -> tuple[PlanState, Events]:
    """A new draft plan for the case, and ``plan.drafted``."""
    plan = PlanState(
        id=plan_id,
        case_id=case_id,
        child_id=child_id,
        team=team,
        plan_type=plan_type,
        status=PlanStatus.DRAFT,
        drafted_from=drafted_from,
        drafted_at=now,
        assessment_id=assessment_id,
        section47_id=section47_id,
        conference_date=conference_date,
        lead_practitioner=lead_practitioner,
        factors=factors,
        primary_need=primary_need,
        content=content or Content(),
        actions=actions,
    )
    event = PlanDrafted(
        plan_id=plan_id,
        case_id=case_id,
        child_id=child_id,
        team=team,
        plan_type=plan_type,
        drafted_from=drafted_from,
        assessment_id=assessment_id,
        section47_id=section47_id,
        factors=list(factors),
        primary_need=primary_need,
        drafted_at=now,
    )
    return plan, [event]


def plan_type_for(outcome: AssessmentOutcome) -> PlanType | None:
    """The plan an authorised assessment's outcome asks for (none after NFA or early help)."""
    return {AssessmentOutcome.CIN_PLAN: PlanType.CIN, AssessmentOutcome.CHILD_PROTECTION: PlanType.CP}.get(outcome)


def draft_from_assessment(
    authorised: AssessmentAuthorised, *, existing: PlanState | None, plan_id: uuid.UUID, now: datetime
) -> tuple[PlanState | None, Events]:
    """Draft the plan an authorised assessment asks for, with its assessed needs. When the case
    already has an open plan of that type (a CP plan the conference drafted first), the assessed
    needs (factors, primary need, and the lead practitioner when the plan has none) are added to
    it and no second plan is drafted. Only the same authorisation again changes nothing: the
    conference names the same assessment, so its id alone does not make a repeat."""
    plan_type = plan_type_for(authorised.outcome)
    if plan_type is None:
        return None, []
    factors, need = tuple(authorised.factors), authorised.primary_need
    if existing is not None:
        if existing.assessed and existing.assessment_id == authorised.assessment_id:
            return existing, []  # the same authorisation again: nothing new
        merged = replace(
            existing,
            assessment_id=authorised.assessment_id,
            section47_id=existing.section47_id or authorised.section47_id,
            factors=factors,
            primary_need=need,
            lead_practitioner=existing.lead_practitioner or authorised.lead_practitioner,
            version=existing.version + 1,
        )
        return merged, []
    return draft(
        plan_id=plan_id,
        case_id=authorised.case_id,
        child_id=authorised.child_id,
        team=authorised.team,
        plan_type=plan_type,
        drafted_from=DraftedFrom.ASSESSMENT,
        now=now,
        assessment_id=authorised.assessment_id,
        section47_id=authorised.section47_id,
        lead_practitioner=authorised.lead_practitioner,
        factors=factors,
        primary_need=need,
    )


def draft_from_section47(
    concluded: Section47Concluded, *, existing: PlanState | None, plan_id: uuid.UUID, now: datetime
) -> tuple[PlanState | None, Events]:
    """A conference that decided a child protection plan drafts it (once per case), holding the
    conference's date, on which the plan will start. When the assessment's authorisation drafted
    the CP plan first, the conference's enquiry and date are added to that draft instead. A plan
    already started keeps its conference (a later enquiry's conference does not move its start)."""
    if concluded.outcome is not Section47Outcome.CP_PLAN:
        return None, []
    if existing is not None:
        if existing.status is not PlanStatus.DRAFT or (
            existing.section47_id == concluded.section47_id and existing.conference_date == concluded.icpc_date
        ):
            return existing, []
        merged = replace(
            existing,
            section47_id=concluded.section47_id,
            conference_date=concluded.icpc_date,
            assessment_id=existing.assessment_id or concluded.assessment_id,
            version=existing.version + 1,
        )
        return merged, []
    return draft(
        plan_id=plan_id,
        case_id=concluded.case_id,
        child_id=concluded.child_id,
        team=concluded.team,
        plan_type=PlanType.CP,
        drafted_from=DraftedFrom.SECTION47,
        now=now,
        assessment_id=concluded.assessment_id,
        section47_id=concluded.section47_id,
        conference_date=concluded.icpc_date,
    )


def step_down_to_cin(ended: PlanState, *, plan_id: uuid.UUID, now: datetime, ids: list[uuid.UUID]) -> tuple[PlanState, Events]:
    """The CIN plan a CP plan steps down to: drafted with the CP plan's content and its unfinished
    actions (new ids from ``ids``, progress kept), for the manager to approve like any other."""
    unfinished = [a for a in ended.actions if not a.finished]
    carried = tuple(replace(a, id=new_id) for a, new_id in zip(unfinished, ids, strict=False))
    return draft(
        plan_id=plan_id,
        case_id=ended.case_id,
        child_id=ended.child_id,
        team=ended.team,
        plan_type=PlanType.CIN,
        drafted_from=DraftedFrom.STEP_DOWN_FROM_CP,
        now=now,
        assessment_id=ended.assessment_id,
        lead_practitioner=ended.lead_practitioner,
        factors=ended.factors,
        primary_need=ended.primary_need,
        content=ended.content,
        actions=carried,
    )


# --- partner status -------------------------------------------------------------------------------


def partner_announcement(plan: PlanState, child: ChildIdentity | None, policy: CouncilPolicy) -> Events:
    """What partners are told of a started plan: ``cin_plan`` or ``cp_plan`` since the plan's start
    date (a CP plan's is its initial conference's). Nothing while the child's NHS number is not
    known (partners match on it): it goes out when the number arrives (:func:`child_identified`).
    The plan service announces only these; ``stepped_down`` and ``closed`` are step-down's."""
    if plan.status is not PlanStatus.ACTIVE or plan.start_date is None or child is None:
        return []
    event = partner_status(
        nhs_number=child.nhs_number,
        date_of_birth=child.date_of_birth,
        status=PARTNER_STATUS[plan.plan_type],
        since=plan.start_date,
        team=plan.team,
        policy=policy,
    )
    return [event] if event is not None else []


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
            raise RuleBroken(f"content.{name}", "is needed before the plan can be approved", status=409, slug="plan-incomplete")
    if not plan.actions:
        raise RuleBroken("actions", "a plan needs at least one action before approval", status=409, slug="plan-incomplete")
    if plan.plan_type is PlanType.CP and plan.initial_category is None:
        reason = "a child protection plan needs its category of abuse"
        raise RuleBroken("category_of_abuse", reason, status=409, slug="plan-incomplete")


def start_date_of(plan: PlanState, requested: date | None) -> date:
    """The census start date of the plan being approved. A child protection plan starts on the
    date of the initial conference that decided it (rule 2885), whatever day it is approved: the
    request may leave it out or repeat it, never give another. A CIN plan starts on the date given."""
    if plan.plan_type is PlanType.CP:
        if plan.conference_date is None:
            raise RuleBroken(
                "start_date",
                "a child protection plan starts on the date of the initial conference that decided it, which is not known"
                " yet: it comes with the section 47 enquiry's conclusion",
                status=409,
                slug="conference-date-unknown",
            )
        if requested is not None and requested != plan.conference_date:
            raise RuleBroken(
                "start_date",
                f"a child protection plan starts on the date of its initial conference ({plan.conference_date.isoformat()},"
                " census rule 2885): leave it out or give that date",
            )
        return plan.conference_date
    if requested is None:
        raise RuleBroken("start_date", "give the date the plan starts")
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
        raise RuleBroken("plan", "is already approved", status=409, slug="plan-already-started")
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
    event = PlanStarted(
        plan_id=plan.id,
        case_id=plan.case_id,
        child_id=plan.child_id,
        team=plan.team,
        plan_type=plan.plan_type,
        start_date=start,
        approved_by=by.id,
        initial_category_of_abuse=plan.initial_category,
        next_review_due=review_due,
        actions=len(plan.actions),
        previous_cp_plans=previous,
    )
    return started, [event, *partner_announcement(started, child, policy)]


def action_summary(actions: tuple[Action, ...]) -> ActionSummary:
    counts = {p: sum(a.progress is p for a in actions) for p in ActionProgress}
    return ActionSummary(
        total=len(actions),
        done=counts[ActionProgress.DONE],
        in_progress=counts[ActionProgress.IN_PROGRESS],
        not_started=counts[ActionProgress.NOT_STARTED],
        dropped=counts[ActionProgress.DROPPED],
    )


def check_next_step(plan_type: PlanType, step: str, name: str) -> None:
    if step == "escalate_cp" and plan_type is PlanType.CP:
        raise RuleBroken(name, "a child protection plan cannot escalate to child protection")
    if step == "step_down_cin" and plan_type is PlanType.CIN:
        raise RuleBroken(name, "only a child protection plan steps down to a CIN plan")


def apply_progress(
    plan: PlanState, progress: Mapping[uuid.UUID, tuple[ActionProgress, str | None]], *, field: str, every: bool
) -> tuple[Action, ...]:
    """The plan's actions with ``progress`` applied; ``every``: each action needs an entry
    (else each unfinished one does). An entry for no action of the plan is refused."""
    for action_id in progress:
        if plan.action(action_id) is None:
            raise RuleBroken(field, f"{action_id} is not an action of this plan")
    for a in plan.actions:
        if a.id not in progress and (every or not a.finished):
            raise RuleBroken(field, f"give the progress of action {a.id} ({a.description[:60]})")
    return tuple(
        replace(a, progress=progress[a.id][0], note=progress[a.id][1] or a.note) if a.id in progress else a for a in plan.actions
    )


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
            raise RuleBroken("reason_for_closure", "only a plan that closes the case (next step close) gives one")
        return
    if reason is None:
        raise RuleBroken("reason_for_closure", "a plan that closes the case gives the census reason for closure")
    if reason not in REASONS_AFTER_A_PLAN:
        raise RuleBroken(
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
        version=plan.version + 1,
    )
    event = PlanEnded(
        plan_id=plan.id,
        case_id=plan.case_id,
        child_id=plan.child_id,
        team=plan.team,
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


def end_floor(plan: PlanState) -> tuple[date, str]:
    """The earliest day the plan may end: its start, or its last review when later."""
    assert plan.start_date is not None
    if plan.last_review is not None and plan.last_review.on > plan.start_date:
        return plan.last_review.on, "the last review"
    return plan.start_date, "the plan's start"


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
) -> tuple[PlanState, Events]:
    """End the plan: every action's final status, the reason, whether needs remain unmet (which
    hands over to step-down), and the next step. ``plan.ended`` carries the action summary and,
    when the plan closes the case, the census reason for closure (so the closure is evidenced where
    it is decided, and step-down closes the episode at once). A child protection plan ends after
    the day it started (census rule 8840). Partners hear nothing from the plan service: the next
    plan's start, or step-down's ``stepped_down`` or ``closed``, says where the child is."""
    check_started(plan, "ending a plan")
    assert plan.start_date is not None
    if not reason.strip():
        raise RuleBroken("reason", "say why the plan ends")
    check_next_step(plan.plan_type, next_step.value, "next_step")
    check_reason_for_closure(next_step, reason_for_closure)
    floor, what = end_floor(plan)
    check_day("end_date", end_date, today=today, not_before=floor, what=what)
    check_after_cp_start(plan, "end_date", end_date, "the end", "8840")
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


def record_strategy_discussion(plan: PlanState, *, on: date, by: Actor, today: date, now: datetime) -> tuple[PlanState, Events]:
    """Concerns of significant harm during an active child in need plan: a strategy discussion was
    held on ``on`` (not in the future, not before the plan's start). Section 47 work needs a social
    worker. ``plan.strategy_discussion_recorded`` makes the assessment service start the enquiry,
    with its conference clock; the plan goes on until a CP plan replaces it or it ends. One
    discussion a day is recorded once."""
    if not by.sw_qualified:
        raise RuleBroken(
            "recorded_by",
            "a strategy discussion is section 47 work: it needs a social worker",
            status=403,
            slug="not-sw-qualified",
        )
    check_started(plan, "recording a strategy discussion")
    assert plan.start_date is not None
    if plan.plan_type is not PlanType.CIN:
        raise RuleBroken(
            "plan",
            "a strategy discussion is recorded on a child in need plan; a child protection plan has had its conference",
            status=409,
            slug="not-a-cin-plan",
        )
    check_day("date", on, today=today, not_before=plan.start_date, what="the plan's start")
    if on in plan.strategy_discussions:
        raise RuleBroken(
            "date",
            f"a strategy discussion on {on.isoformat()} is already recorded",
            status=409,
            slug="strategy-discussion-recorded",
        )
    recorded = replace(plan, strategy_discussions=(*plan.strategy_discussions, on), version=plan.version + 1)
    event = StrategyDiscussionRecorded(
        plan_id=plan.id,
        case_id=plan.case_id,
        child_id=plan.child_id,
        team=plan.team,
        plan_type=plan.plan_type,
        strategy_discussion_date=on,
        recorded_by=by.id,
        recorded_at=now,
    )
    return recorded, [event]
