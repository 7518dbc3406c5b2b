"""The step-down service's states: what it knows of an episode (from three producers, in any
order), the transition out of social care it creates, step-ups and the monthly audit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from continuum.contracts import EventData
from continuum.contracts.assessment import AssessmentOutcome
from continuum.contracts.codes import ReasonForClosure
from continuum.contracts.plan import ActionSummary, NextStep
from stepdown.domain.codes import (
    DeclineReason,
    EarlyHelpOutcome,
    Engagement,
    EscalationReason,
    FrontDoorOutcome,
    StatutoryWork,
    StepdownStatus,
    TransitionKind,
    TransitionTrigger,
)

Events = list[EventData]


@dataclass(frozen=True)
class Actor:
    """Who acts: their id (``sub``)."""

    id: str


@dataclass(frozen=True)
class ChildFacts:
    """What step-down's copy of the child holds that its rules read: the NHS number partners match
    on, the date of birth they confirm it with, and the date of death a closure for RC2 needs."""

    nhs_number: str | None
    date_of_birth: date | None
    date_of_death: date | None


@dataclass(frozen=True)
class FrontDoorDecision:
    """The front door ended the episode without an assessment: no further action (closed at once)
    or early help (a handover)."""

    referral_id: uuid.UUID
    decided_at: datetime
    outcome: FrontDoorOutcome = FrontDoorOutcome.EARLY_HELP
    #: Told by an imported record of the council's history: a fact kept, never a transition's trigger.
    imported: bool = False


@dataclass(frozen=True)
class AssessmentFacts:
    """An authorised assessment of the episode."""

    assessment_id: uuid.UUID
    outcome: AssessmentOutcome
    authorisation_date: date
    lead_practitioner: str
    #: Told by an imported record of the council's history: a fact kept, never a transition's trigger.
    imported: bool = False


@dataclass(frozen=True)
class PlanEnd:
    """A plan of the episode ended, with where the child goes next."""

    plan_id: uuid.UUID
    end_date: date
    next_step: NextStep
    unmet_need: bool
    actions: ActionSummary
    #: The census reason the plan gave when it closed the case (next step close).
    reason_for_closure: ReasonForClosure | None = None
    #: Told by an imported record of the council's history: a fact kept, never a transition's trigger.
    imported: bool = False


@dataclass(frozen=True)
class Episode:
    """What step-down knows of one case (episode), gathered from whichever event came first."""

    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    referral_date: date | None = None
    front_door: FrontDoorDecision | None = None
    assessment: AssessmentFacts | None = None
    plan_end: PlanEnd | None = None
    #: Section 47, ICPC, CIN and CP plans the episode had, as far as step-down has heard (rule 2990).
    statutory_work: frozenset[StatutoryWork] = frozenset()
    #: The transition created for the episode (at most one that stands: an episode closes once).
    stepdown_id: uuid.UUID | None = None
    #: The file of the council's history the episode was first heard of from (``None``: live work).
    imported_from: str | None = None
    version: int = 0

    @property
    def subject(self) -> str:
        return str(self.case_id)


@dataclass(frozen=True)
class Handover:
    """What social care hands early help: the needs still unmet, what has worked, who leads next
    (a proposed lead professional, or the same lead practitioner continuing under family help),
    and whether the family agreed."""

    unmet_needs: str
    what_has_worked: str
    proposed_lead_professional: str | None
    same_lead_practitioner: bool
    family_agreed: bool


@dataclass(frozen=True)
class ClosureRecord:
    closure_date: date
    reason: ReasonForClosure
    unmet_need: bool
    closed_at: datetime


@dataclass(frozen=True)
class Stepdown:
    """One transition out of statutory social care, and everything that follows it."""

    id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    kind: TransitionKind
    trigger: TransitionTrigger
    status: StepdownStatus
    referral_date: date
    #: The date statutory work ended (referral, authorisation or plan end): the census closure date.
    ended_on: date
    assessed: bool
    unmet_need: bool
    actions: ActionSummary | None
    lead_practitioner: str | None
    receiving_team: str | None
    requested_at: datetime
    stepped_down_on: date
    response_due: date | None
    handover: Handover | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    decline_reason: DeclineReason | None = None
    decline_detail: str | None = None
    escalated_at: datetime | None = None
    escalation_reason: EscalationReason | None = None
    engagement: Engagement | None = None
    engagement_recorded_on: date | None = None
    outcome: EarlyHelpOutcome | None = None
    early_help_closed_on: date | None = None
    closure: ClosureRecord | None = None
    step_up_id: uuid.UUID | None = None
    re_referred_on: date | None = None
    #: The episode's statutory work known when it was made (kept up to date until it closes).
    statutory_work: frozenset[StatutoryWork] = frozenset()
    #: When its closure was withdrawn because the front door corrected the decision (``case.reopened``).
    reopened_at: datetime | None = None
    #: The file of the council's history an imported closure came from (``None``: live work).
    imported_from: str | None = None
    version: int = 1

    @property
    def subject(self) -> str:
        return str(self.case_id)

    def named(self) -> dict[str, Any]:
        """What every event of the step-down names: the step-down, its case (episode), child and team."""
        return {"stepdown_id": self.id, "case_id": self.case_id, "child_id": self.child_id, "team": self.team}

    @property
    def front_door_outcome(self) -> FrontDoorOutcome | None:
        """The front door's decision this transition carries out, if the front door made it."""
        if self.trigger is not TransitionTrigger.FRONT_DOOR:
            return None
        return FrontDoorOutcome.EARLY_HELP if self.kind is TransitionKind.EARLY_HELP else FrontDoorOutcome.NFA


@dataclass(frozen=True)
class StepUp:
    """Early help asks social care to take a family back."""

    id: uuid.UUID
    child_id: uuid.UUID
    team: str
    requested_by: str
    requested_at: datetime
    requested_on: date
    concerns: str
    what_was_tried: str
    stepdown_id: uuid.UUID | None
    within_12_months_of_step_down: bool | None
    version: int = 1

    @property
    def subject(self) -> str:
        return str(self.stepdown_id or self.id)


@dataclass(frozen=True)
class EscalatedHandover:
    """An item of the team manager's worklist: a declined or unanswered handover, and where its
    step-down stands now (its version, for If-Match when the manager closes it)."""

    stepdown_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    reason: EscalationReason
    response_due: date
    escalated_at: datetime
    status: StepdownStatus
    version: int
