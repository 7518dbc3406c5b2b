"""A plan's life: drafted from an authorised assessment or a concluded section 47 enquiry,
started by a social-work-qualified manager's approval, ended with every action's final status.

A step-down from a child protection plan to a child in need plan drafts the CIN plan through the
same :func:`draft` as any other, with the CP plan's content and unfinished actions.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime

from continuum.casework import partner_status
from continuum.clock import london_date
from continuum.codes import AssessmentFactor, PrimaryNeedCode, ReasonForClosure
from continuum.contracts import PartnerStatus
from continuum.contracts.assessment import AssessmentAuthorised, AssessmentOutcome, Section47Concluded, Section47Outcome
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
)
from continuum.errors import RuleBroken
from continuum.policy import CouncilPolicy
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
    needs are added to it and no second plan is drafted."""
    plan_type = plan_type_for(authorised.outcome)
    if plan_type is None:
        return None, []
    factors, need = tuple(authorised.factors), authorised.primary_need
    if existing is not None:
        if existing.assessment_id == authorised.assessment_id:
            return existing, []  # the same authorisation again: nothing new
        merged = replace(
            existing,
            assessment_id=authorised.assessment_id,
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
    """A conference that decided a child protection plan drafts it (once per case)."""
    if concluded.outcome is not Section47Outcome.CP_PLAN:
        return None, []
    if existing is not None:
        return existing, []
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


def partner_update(
    plan: PlanState, child: ChildIdentity | None, status: PartnerStatus, now: datetime, policy: CouncilPolicy
) -> tuple[PlanState, Events]:
    """Tell partners the child's status; without the child's identity yet, it waits for ``child.*``."""
    if child is None:
        return replace(plan, partner_status_pending=status.value), []
    event = partner_status(
        nhs_number=child.nhs_number,
        date_of_birth=child.date_of_birth,
        status=status,
        since=london_date(now),
        team=plan.team,
        policy=policy,
    )
    return replace(plan, partner_status_pending=None), [event] if event is not None else []


def child_identified(plan: PlanState, *, child: ChildIdentity, now: datetime, policy: CouncilPolicy) -> tuple[PlanState, Events]:
    """The child's identity arrived: a partner status that waited for it goes out now."""
    if plan.partner_status_pending is None:
        return plan, []
    return partner_update(plan, child, PartnerStatus(plan.partner_status_pending), now, policy)


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


def approve(
    plan: PlanState,
    *,
    by: Actor,
    start_date: date,
    today: date,
    now: datetime,
    child: ChildIdentity | None,
    policy: CouncilPolicy,
) -> tuple[PlanState, Events]:
    """A social-work-qualified manager approves the draft: the plan starts on ``start_date`` (census
    plan start; not before it was drafted, not in the future), its first review and visit fall due,
    and partners hear ``cin_plan`` or ``cp_plan``."""
    check_sw_qualified_manager(by, "approving a plan")
    check_open(plan)
    if plan.status is not PlanStatus.DRAFT:
        raise RuleBroken("plan", "is already approved", status=409, slug="plan-already-started")
    check_ready(plan)
    check_day("start_date", start_date, today=today, not_before=london_date(plan.drafted_at), what="the day it was drafted")
    review_due = first_review_due(plan.plan_type, start_date, policy)
    started = replace(
        plan,
        status=PlanStatus.ACTIVE,
        start_date=start_date,
        approved_by=by.id,
        next_review_due=review_due,
        visits=Visits(next_due=next_visit_due(start_date, policy)),
        version=plan.version + 1,
    )
    event = PlanStarted(
        plan_id=plan.id,
        case_id=plan.case_id,
        child_id=plan.child_id,
        team=plan.team,
        plan_type=plan.plan_type,
        start_date=start_date,
        approved_by=by.id,
        initial_category_of_abuse=plan.initial_category,
        next_review_due=review_due,
        actions=len(plan.actions),
    )
    started, told = partner_update(started, child, PARTNER_STATUS[plan.plan_type], now, policy)
    return started, [event, *told]


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
    child: ChildIdentity | None,
    policy: CouncilPolicy,
    reason_for_closure: ReasonForClosure | None = None,
) -> tuple[PlanState, Events]:
    """End the plan: every action's final status, the reason, whether needs remain unmet (which
    hands over to step-down), and the next step. ``plan.ended`` carries the action summary and,
    when the plan closes the case, the census reason for closure (so the closure is evidenced where
    it is decided, and step-down closes the episode at once)."""
    check_started(plan, "ending a plan")
    assert plan.start_date is not None
    if not reason.strip():
        raise RuleBroken("reason", "say why the plan ends")
    check_next_step(plan.plan_type, next_step.value, "next_step")
    check_reason_for_closure(next_step, reason_for_closure)
    floor, what = plan.start_date, "the plan's start"
    if plan.last_review is not None and plan.last_review.on > floor:
        floor, what = plan.last_review.on, "the last review"
    check_day("end_date", end_date, today=today, not_before=floor, what=what)
    actions = apply_progress(plan, final, field="actions", every=True)
    ended = replace(
        plan,
        status=PlanStatus.ENDED,
        actions=actions,
        ending=Ending(
            end_date=end_date,
            reason=reason.strip(),
            unmet_need=unmet_need,
            next_step=next_step,
            by=by.id,
            at=now,
            reason_for_closure=reason_for_closure,
        ),
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
        end_date=end_date,
        next_step=next_step,
        unmet_need=unmet_need,
        actions=action_summary(actions),
        latest_category_of_abuse=plan.latest_category,
        reason_for_closure=reason_for_closure,
    )
    status = {
        NextStep.CLOSE: PartnerStatus.CLOSED,
        NextStep.STEP_DOWN_EARLY_HELP: PartnerStatus.STEPPED_DOWN,
        NextStep.UNIVERSAL: PartnerStatus.STEPPED_DOWN,
        NextStep.STEP_DOWN_CIN: PartnerStatus.CIN_PLAN,
    }.get(next_step)
    if status is None:  # escalation: the CP plan's start tells partners
        return ended, [event]
    ended, told = partner_update(ended, child, status, now, policy)
    return ended, [event, *told]
