"""What a caller asks of the plan service, as plain frozen dataclasses: the API builds one from its
request model (``schemas``), a use case takes it. They hold the domain's values (its enums and
parts), never HTTP or pydantic, and each says what it does in the audit (``action``) and why
(``purpose``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from continuum.contracts.codes import CategoryOfAbuse, ReasonForClosure
from continuum.contracts.plan import Agency, MeetingKind, NextStep, PreproceedingsDecision, ReviewDecision
from plan.domain import ActionProgress, Content, Family
from plan.domain.states import InterventionTerms
from plan.domain.visits import Invitee

#: Each action's progress as a review or an ending gives it: (action, progress, note).
Progress = tuple[tuple[uuid.UUID, ActionProgress, str | None], ...]


@dataclass(frozen=True)
class EditPlan:
    action: ClassVar[str] = "plan.edit"
    purpose: ClassVar[str] = "edit the plan"

    content: Content | None
    agencies_involved: tuple[Agency, ...] | None
    family: Family | None
    category_of_abuse: CategoryOfAbuse | None


@dataclass(frozen=True)
class AddAction:
    action: ClassVar[str] = "plan.action.add"
    purpose: ClassVar[str] = "add an action to the plan"

    description: str
    owner_person: str
    owner_agency: Agency
    success_measure: str
    due_date: date


@dataclass(frozen=True)
class ChangeAction:
    action: ClassVar[str] = "plan.action.change"
    purpose: ClassVar[str] = "change an action"

    action_id: uuid.UUID
    description: str | None
    owner_person: str | None
    owner_agency: Agency | None
    success_measure: str | None
    due_date: date | None
    progress: ActionProgress | None
    note: str | None


@dataclass(frozen=True)
class AddIntervention(InterventionTerms):
    action: ClassVar[str] = "plan.intervention.add"
    purpose: ClassVar[str] = "commission an intervention"


@dataclass(frozen=True)
class CompleteIntervention:
    action: ClassVar[str] = "plan.intervention.complete"
    purpose: ClassVar[str] = "record an intervention's outcome"

    intervention_id: uuid.UUID
    actual_end_date: date
    score_after: float


@dataclass(frozen=True)
class Approve:
    action: ClassVar[str] = "plan.approve"
    purpose: ClassVar[str] = "approve the plan"

    start_date: date | None


@dataclass(frozen=True)
class RecordReview:
    action: ClassVar[str] = "plan.review"
    purpose: ClassVar[str] = "review the plan"

    review_date: date
    progress: Progress
    decision: ReviewDecision
    exit_criteria_met: bool
    concerns_remain: bool
    summary: str | None
    latest_category_of_abuse: CategoryOfAbuse | None


@dataclass(frozen=True)
class RecordVisit:
    action: ClassVar[str] = "plan.visit"
    purpose: ClassVar[str] = "record a visit"

    planned_date: date | None
    visit_date: date | None
    child_seen: bool
    seen_alone: bool
    reason_not_seen: str | None


@dataclass(frozen=True)
class ScheduleMeeting:
    action: ClassVar[str] = "plan.meeting"
    purpose: ClassVar[str] = "schedule a meeting"

    kind: MeetingKind
    meeting_date: date
    invitees: tuple[Invitee, ...]


@dataclass(frozen=True)
class RecordAttendance:
    action: ClassVar[str] = "plan.meeting.attendance"
    purpose: ClassVar[str] = "record who attended a meeting"

    meeting_id: uuid.UUID
    attended: tuple[bool, ...]


@dataclass(frozen=True)
class RecordStrategyDiscussion:
    action: ClassVar[str] = "plan.strategy_discussion"
    purpose: ClassVar[str] = "record a strategy discussion"

    date: date


@dataclass(frozen=True)
class EndPlan:
    action: ClassVar[str] = "plan.end"
    purpose: ClassVar[str] = "end the plan"

    end_date: date
    reason: str
    unmet_need: bool
    next_step: NextStep
    reason_for_closure: ReasonForClosure | None
    actions: Progress


#: Every change of a plan a caller may ask for.
PlanCommand = (
    EditPlan
    | AddAction
    | ChangeAction
    | AddIntervention
    | CompleteIntervention
    | Approve
    | RecordReview
    | RecordVisit
    | ScheduleMeeting
    | RecordAttendance
    | RecordStrategyDiscussion
    | EndPlan
)


@dataclass(frozen=True)
class StartPreproceedings:
    case_id: uuid.UUID
    start_date: date


@dataclass(frozen=True)
class RecordPreproceedings:
    action: ClassVar[str] = "preproceedings.record"
    purpose: ClassVar[str] = "record pre-proceedings"

    letter_before_proceedings_date: date | None
    fgdm_offered: bool | None
    fgdm_held: bool | None
    initial_meeting_date: date | None
    review_meeting_dates: tuple[date, ...]


@dataclass(frozen=True)
class DecidePreproceedings:
    action: ClassVar[str] = "preproceedings.decide"
    purpose: ClassVar[str] = "decide at the end of pre-proceedings"

    decision: PreproceedingsDecision
    decision_date: date
    court_application_date: date | None
    letter_initiating_proceedings_date: date | None
    fgdm_exception_reason: str | None


@dataclass(frozen=True)
class RecordCareProceedingsLetter:
    action: ClassVar[str] = "preproceedings.care_proceedings_letter"
    purpose: ClassVar[str] = "record the letter initiating care proceedings"

    letter_date: date


#: Every change of a pre-proceedings block a caller may ask for.
BlockCommand = RecordPreproceedings | DecidePreproceedings | RecordCareProceedingsLetter
