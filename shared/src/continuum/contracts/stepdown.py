"""Events the step-down service publishes on ``continuum.stepdown``: every transition out of
statutory social care (to early help or family help, to universal services, or closure), early
help's answer to a handover, the family's engagement, the closure of the episode, and step-ups.

Narrative (unmet needs, what has worked, reasons, concerns) stays in the service, except the
step-up's ``reason``, which the referral service needs to open the new referral.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from continuum.contracts.codes import ReasonForClosure
from continuum.contracts.envelope import EventData
from continuum.contracts.plan import ActionSummary
from continuum.contracts.values import ValueSet

STEPDOWN_TOPIC = "continuum.stepdown"

#: The codes step-down's events carry (the step-down service names them with its own enums).
TransitionKind = Annotated[
    str, ValueSet("TransitionKind", ("early_help", "universal", "close"), "Where the child goes from statutory social care.")
]
TransitionTrigger = Annotated[
    str, ValueSet("TransitionTrigger", ("front_door", "assessment", "plan"), "The event that created the transition.")
]
DeclineReason = Annotated[
    str,
    ValueSet(
        "DeclineReason",
        (
            "below_threshold",
            "above_threshold",
            "insufficient_information",
            "family_did_not_agree",
            "no_capacity",
            "other",
        ),
        "Why early help declined a handover (the words stay in the service).",
    ),
]
EscalationReason = Annotated[str, ValueSet("EscalationReason", ("declined", "unanswered"))]
Engagement = Annotated[
    str,
    ValueSet(
        "Engagement", ("engaged", "partly", "declined"), "The family's engagement with early help at the council's check point."
    ),
]
EarlyHelpOutcome = Annotated[
    str,
    ValueSet(
        "EarlyHelpOutcome",
        ("needs_met", "needs_partly_met", "needs_not_met", "stepped_up", "moved_away"),
        "How the early help episode ended.",
    ),
]


class StepUpRequested(EventData):
    """Early help asks social care to take a family back: it becomes a new referral with source 5D."""

    event_type = "stepup.requested"
    topic = STEPDOWN_TOPIC

    early_help_episode_id: uuid.UUID
    child_id: uuid.UUID
    requested_at: datetime
    requested_by: str
    reason: str
    team: str | None = None
    step_up_id: uuid.UUID | None = Field(default=None, description="The step-up record in the step-down service")
    stepdown_id: uuid.UUID | None = Field(default=None, description="The step-down this family came to early help by, if any")
    within_12_months_of_step_down: bool | None = Field(
        default=None, description="Requested within 12 months of that step-down (null when there was none)"
    )


class StepdownEvent(EventData):
    """What every step-down event opens with: the step-down, its case (the Kafka key) and its child."""

    topic = STEPDOWN_TOPIC

    stepdown_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID


class StepdownRequested(StepdownEvent):
    """Statutory social care hands the family to early help (a handover that early help answers) or
    to universal services (no answer needed)."""

    event_type = "stepdown.requested"

    team: str = Field(description="The social-care team stepping the family down")
    kind: TransitionKind
    trigger: TransitionTrigger
    receiving_team: str | None = Field(description="The early help (family help) team asked to take the family")
    response_due: date | None = Field(description="Early help answers by this London date (policy working days)")
    requested_at: datetime


class StepdownAccepted(StepdownEvent):
    event_type = "stepdown.accepted"

    team: str
    receiving_team: str
    accepted_at: datetime
    accepted_by: str
    same_lead_practitioner: bool = Field(description="The lead practitioner continues under family help")
    within_deadline: bool


class StepdownDeclined(StepdownEvent):
    event_type = "stepdown.declined"

    team: str
    receiving_team: str
    declined_at: datetime
    declined_by: str
    reason: DeclineReason


class StepdownCorrection(StepdownEvent):
    """What the two answers to a front door correcting its early help decision open with: the team,
    the early help team asked (if any) and the corrected decision."""

    team: str
    receiving_team: str | None
    corrected_outcome: str = Field(description="The front door's corrected decision (referral.decided outcome)")


class StepdownWithdrawn(StepdownCorrection):
    """The front door corrected its early help decision (to an assessment, a strategy discussion or
    no further action) before the handover was settled: early help is no longer asked to take the
    family, and the episode goes on in social care."""

    event_type = "stepdown.withdrawn"

    withdrawn_at: datetime


class StepdownDecisionCorrected(StepdownCorrection):
    """The front door corrected its early help decision after early help had taken the family (the
    handover accepted, the episode perhaps closed): nothing is undone behind anyone's back; the
    social-care team's manager and early help review it together."""

    event_type = "stepdown.decision_corrected"

    handover_status: str = Field(description="Where the handover stood: accepted or closed")
    corrected_at: datetime


class StepdownEscalated(StepdownEvent):
    """A declined or unanswered handover went back to the team's manager (once per handover)."""

    event_type = "stepdown.escalated"

    team: str
    reason: EscalationReason
    response_due: date
    escalated_at: datetime


class StepdownEngagementRecorded(StepdownEvent):
    """Early help recorded the family's engagement (and, when early help closed, the outcome)."""

    event_type = "stepdown.engagement_recorded"

    team: str
    receiving_team: str
    engagement: Engagement
    recorded_on: date
    outcome: EarlyHelpOutcome | None = None
    early_help_closed_on: date | None = None


class CaseEvent(EventData):
    """What the events of an episode's closure open with: its case (the Kafka key), child and team,
    and the step-down service's record of the episode (``stepdown_id``)."""

    topic = STEPDOWN_TOPIC

    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    stepdown_id: uuid.UUID


class CaseReopened(CaseEvent):
    """A closure was undone because the decision that closed the episode was corrected (a front
    door NFA corrected to an assessment or a strategy discussion): the episode is open again and
    its census closure withdrawn. At most once per closure; a later closure is a new ``case.closed``."""

    event_type = "case.reopened"

    closure_date: date = Field(description="The census closure date that no longer stands")
    correction_of: uuid.UUID | None = Field(default=None, description="The corrected referral.decided event, if known")
    reopened_at: datetime


class CaseClosed(CaseEvent):
    """The CIN episode closed (census CINclosureDate and ReasonForClosure); published once per episode."""

    event_type = "case.closed"

    kind: TransitionKind
    referral_date: date = Field(description="Census CINreferralDate")
    closure_date: date = Field(description="Census CINclosureDate (a London calendar date)")
    reason_for_closure: ReasonForClosure = Field(description="Census ReasonForClosure, RC1 to RC9")
    referral_nfa: bool = Field(description="Closed at the front door (census ReferralNFA)")
    assessed: bool = Field(description="An assessment was authorised in the episode")
    unmet_need: bool = Field(description="Needs remained that early help should pick up")
    actions: ActionSummary | None = Field(description="For plan closures: the plan's action completion")
    closed_at: datetime
