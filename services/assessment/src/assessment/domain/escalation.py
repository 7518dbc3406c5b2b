"""Escalation to child protection from a child in need plan (decision 35).

The plan service reports two things that each start the child protection route here: a CIN plan
ended with next step ``escalate_cp`` (the strategy discussion was held on the plan's end date), and
a strategy discussion recorded while a CIN plan goes on. Either opens a NEW assessment on the
section 47 route with its enquiry already started: the strategy discussion's date, the enquiry's
start on that date (census S47ActualStartDate) and the initial conference due 15 working days
later (InitialCPCtarget). The enquiry then goes the usual way (the conference recorded, the
conclusion, a CP plan drafted by the plan service); the assessment is allocated to a social worker
(section 47 needs one) and authorised like any other, and the census shows it as another
assessment in the episode.

A case has at most one open enquiry: a trigger for a case whose enquiry is awaiting its start or
started changes nothing; it is kept as a record beside the enquiry it found. Every trigger works
from the event's own ids, whether or not this service saw the case before.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from assessment.domain import states
from assessment.domain.intake import opened_event, partner_update
from assessment.domain.rules import due_date, icpc_target
from continuum.casework.clock import london_date
from continuum.casework.errors import Invalid
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import PartnerStatus
from continuum.contracts.assessment import AssessmentRoute, Section47Started
from continuum.contracts.plan import NextStep, PlanEnded, PlanType, StrategyDiscussionRecorded

#: The referral id an escalated assessment carries when this service never saw the episode's
#: referral (the nil UUID of RFC 9562: "no referral known here").
UNKNOWN_REFERRAL = uuid.UUID(int=0)


class EscalationTrigger(StrEnum):
    """What in the plan service asked for the strategy discussion and enquiry."""

    #: A child in need plan ended with next step ``escalate_cp``.
    PLAN_ENDED = "plan_ended"
    #: A strategy discussion was recorded during an open child in need plan.
    STRATEGY_DISCUSSION = "strategy_discussion"


class EscalationResult(StrEnum):
    """What a trigger did: opened the assessment and its enquiry, or found the case's enquiry open."""

    OPENED = "opened"
    ENQUIRY_OPEN = "enquiry_open"


@dataclass(frozen=True)
class Escalation:
    """One trigger, from the event's own ids. ``by`` is who asked (the practitioner who recorded the
    strategy discussion, or the plan service for a plan's end) and ``at`` when it was reported."""

    trigger: EscalationTrigger
    plan_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    strategy_discussion_date: date
    by: str
    at: datetime

    @property
    def key(self) -> tuple[EscalationTrigger, uuid.UUID, date]:
        """The same trigger, however often it is delivered (with any event id)."""
        return self.trigger, self.plan_id, self.strategy_discussion_date


@dataclass(frozen=True)
class EscalationRecord:
    """A trigger as it is kept: what it did, and the assessment and enquiry it opened or found."""

    escalation: Escalation
    result: EscalationResult
    assessment_id: uuid.UUID
    section47_id: uuid.UUID


def from_plan_ended(ended: PlanEnded, *, at: datetime, source: str) -> Escalation | None:
    """A CIN plan that ended ``escalate_cp`` asks for an enquiry, the strategy discussion held on its
    end date; any other ending asks nothing here."""
    if ended.plan_type is not PlanType.CIN or ended.next_step is not NextStep.ESCALATE_CP:
        return None
    return _escalation(EscalationTrigger.PLAN_ENDED, ended, held_on=ended.end_date, by=source, at=at)


def from_strategy_discussion(recorded: StrategyDiscussionRecorded) -> Escalation | None:
    """A strategy discussion during a CIN plan asks for an enquiry (the plan goes on); one reported
    of another kind of plan asks nothing here."""
    if recorded.plan_type is not PlanType.CIN:
        return None
    return _escalation(
        EscalationTrigger.STRATEGY_DISCUSSION,
        recorded,
        held_on=recorded.strategy_discussion_date,
        by=recorded.recorded_by,
        at=recorded.recorded_at,
    )


def _escalation(
    trigger: EscalationTrigger, plan: PlanEnded | StrategyDiscussionRecorded, *, held_on: date, by: str, at: datetime
) -> Escalation:
    """The escalation a plan service event asks for: the plan, its case, child and team as the event names them."""
    return Escalation(
        trigger=trigger,
        plan_id=plan.plan_id,
        case_id=plan.case_id,
        child_id=plan.child_id,
        team=plan.team,
        strategy_discussion_date=held_on,
        by=by,
        at=at,
    )


def escalate(
    escalation: Escalation,
    *,
    open_enquiry: states.Section47State | None,
    episode_referral_id: uuid.UUID | None,
    assessment_id: uuid.UUID,
    section47_id: uuid.UUID,
    child: states.ChildIdentity | None,
    policy: CouncilPolicy,
) -> tuple[EscalationRecord, states.AssessmentAndEnquiry | None, states.Events]:
    """Start the strategy discussion's section 47 enquiry for the case, with a new assessment on the
    section 47 route (unallocated: a social-work-qualified manager allocates a social worker), or
    nothing when the case's enquiry ``open_enquiry`` is open already. ``episode_referral_id`` is the
    referral of the case's first assessment here, if this service has seen the case.

    The assessment's 45 working days run from the strategy discussion (its ``referral_date``, so
    nothing of the assessment's clock, checks or measures is special); it opened when the plan
    service reported the trigger, and partners hear ``assessment`` since that day."""
    if escalation.strategy_discussion_date > london_date(escalation.at):
        raise Invalid("strategy_discussion_date", "is after the day the plan service reported it")
    if open_enquiry is not None and open_enquiry.is_open:
        found = EscalationRecord(escalation, EscalationResult.ENQUIRY_OPEN, open_enquiry.assessment_id, open_enquiry.id)
        return found, None, []
    held_on, target = escalation.strategy_discussion_date, icpc_target(escalation.strategy_discussion_date)
    assessment = states.AssessmentState(
        id=assessment_id,
        case_id=escalation.case_id,
        referral_id=episode_referral_id or UNKNOWN_REFERRAL,
        child_id=escalation.child_id,
        team=escalation.team,
        route=AssessmentRoute.SECTION47,
        status=states.Status.UNALLOCATED,
        referral_date=held_on,
        due_date=due_date(held_on),
        opened_at=escalation.at,
        escalated_from_plan_id=escalation.plan_id,
    )
    enquiry = states.Section47State(
        id=section47_id,
        assessment_id=assessment.id,
        case_id=assessment.case_id,
        child_id=assessment.child_id,
        team=assessment.team,
        status=states.Section47Status.STARTED,
        strategy_discussion_date=held_on,
        start_date=held_on,
        icpc_target_date=target,
        started_by=escalation.by,
    )
    opened = opened_event(assessment, enquiry)
    started = Section47Started(
        **enquiry.about,
        strategy_discussion_date=held_on,
        start_date=held_on,
        icpc_target_date=target,
        started_by=escalation.by,
    )
    assessment, told = partner_update(assessment, child, PartnerStatus.ASSESSMENT, assessment.opened_at, policy)
    record = EscalationRecord(escalation, EscalationResult.OPENED, assessment.id, enquiry.id)
    return record, states.AssessmentAndEnquiry(assessment, enquiry), [opened, started, *told]
