"""How a plan is drafted: from an authorised assessment, a concluded section 47 enquiry, or a
child protection plan stepping down to a child in need plan, all through :func:`draft`.

A child protection plan is decided by its initial conference and starts on that conference's date
(census rule 2885), whichever of the conference's conclusion and the assessment's authorisation
arrives first: the two meet in one plan, holding both (any order). A drafted plan does not drift
(only started plans do), so a draft's next drift check is none.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime

from continuum.casework.policy import CouncilPolicy
from continuum.contracts.assessment import AssessmentAuthorised, AssessmentOutcome, Section47Concluded, Section47Outcome
from continuum.contracts.codes import AssessmentFactor, PrimaryNeedCode
from continuum.contracts.plan import DraftedFrom, PlanDrafted, PlanType
from plan.domain.drift import checked
from plan.domain.rules import about
from plan.domain.states import Action, Content, Events, PlanState, PlanStatus


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
        **about(plan),
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
    authorised: AssessmentAuthorised,
    *,
    existing: PlanState | None,
    plan_id: uuid.UUID,
    now: datetime,
    today: date,
    policy: CouncilPolicy,
) -> tuple[PlanState | None, Events]:
    """Draft the plan an authorised assessment asks for, with its assessed needs. When the case
    already has an open plan of that type (a CP plan the conference drafted first), the assessed
    needs (factors, primary need, and the lead practitioner when the plan has none) are added to
    it and no second plan is drafted. Only the same authorisation again changes nothing (``None``:
    nothing to save): the conference names the same assessment, so its id alone does not make a
    repeat."""
    plan_type = plan_type_for(authorised.outcome)
    if plan_type is None:
        return None, []
    factors, need = tuple(authorised.factors), authorised.primary_need
    if existing is not None:
        if existing.assessed and existing.assessment_id == authorised.assessment_id:
            return None, []  # the same authorisation again: nothing new
        merged = replace(
            existing,
            assessment_id=authorised.assessment_id,
            section47_id=existing.section47_id or authorised.section47_id,
            factors=factors,
            primary_need=need,
            lead_practitioner=existing.lead_practitioner or authorised.lead_practitioner,
            version=existing.version + 1,
        )
        return checked(merged, today=today, policy=policy), []
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
    already started keeps its conference (a later enquiry's conference does not move its start):
    ``None``, nothing to save, as for the same conclusion again."""
    if concluded.outcome is not Section47Outcome.CP_PLAN:
        return None, []
    if existing is not None:
        if existing.status is not PlanStatus.DRAFT or (
            existing.section47_id == concluded.section47_id and existing.conference_date == concluded.icpc_date
        ):
            return None, []
        merged = replace(
            existing,
            section47_id=concluded.section47_id,
            conference_date=concluded.icpc_date,
            assessment_id=existing.assessment_id or concluded.assessment_id,
            version=existing.version + 1,
        )
        return merged, []  # still a draft: nothing to check for drift
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
