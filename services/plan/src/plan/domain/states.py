"""The plan's states: enums for where it stands, and plain frozen objects for what it holds.

Every transition (in the sibling modules) takes a :class:`PlanState` and returns a new one with the
version bumped (carrying what follows from it: its actions' quality and the day the drift check
next looks at it), and the events that say what changed. Nothing here reads a clock or a database.

The service owns its status enums (:class:`PlanStatus`, :class:`ActionProgress`): no event
publishes them, so they are not the contracts'.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from continuum.contracts.codes import AssessmentFactor, CategoryOfAbuse, PrimaryNeedCode, ReasonForClosure
from continuum.contracts.envelope import EventData
from continuum.contracts.plan import Agency, DraftedFrom, NextStep, PlanType, PreproceedingsDecision, ReviewDecision
from plan.domain.quality import ActionQuality, Quality, judge


class PlanStatus(StrEnum):
    """Drafted (not yet approved), active (approved by a qualified manager: started), ended."""

    DRAFT = "draft"
    ACTIVE = "active"
    ENDED = "ended"


class ActionProgress(StrEnum):
    DONE = "done"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    DROPPED = "dropped"


#: The events a transition returns, in the order they are published.
Events = list[EventData]

#: Statuses of a plan still open (on worklists, checked for drift).
OPEN_STATUSES = (PlanStatus.DRAFT, PlanStatus.ACTIVE)

#: Progress that finishes an action: it needs no more progress at reviews.
FINISHED = (ActionProgress.DONE, ActionProgress.DROPPED)

#: Child protection: the first review conference within 3 months of the start, then at most every 6.
CP_FIRST_REVIEW_MONTHS = 3
CP_REVIEW_MONTHS = 6


@dataclass(frozen=True)
class Actor:
    """Who asks for a transition: their user id, whether they are social-work qualified, and
    whether they are a social-work-qualified manager."""

    id: str
    sw_qualified_manager: bool = False
    sw_qualified: bool = False


@dataclass(frozen=True)
class Owner:
    """Who does an action: a named person and their agency (the family is an agency here)."""

    person: str
    agency: Agency


@dataclass(frozen=True)
class Action:
    """One action of the plan: what, who, how we will know, by when; and how it stands."""

    id: uuid.UUID
    description: str
    owner: Owner
    success_measure: str
    due_date: date
    progress: ActionProgress = ActionProgress.NOT_STARTED
    note: str | None = None

    @property
    def finished(self) -> bool:
        return self.progress in FINISHED

    @property
    def quality(self) -> ActionQuality:
        """The action against the Commissioner's five criteria."""
        return judge(
            self.id,
            description=self.description,
            person=self.owner.person,
            success_measure=self.success_measure,
            due_date=self.due_date,
        )


@dataclass(frozen=True)
class Content:
    """Signs of Safety: what we are worried about, what is working well, what needs to change
    (outcomes for the child, expectations of the parents), and when the plan can end."""

    worries: str | None = None
    working_well: str | None = None
    outcomes_for_child: str | None = None
    expectations_of_parents: str | None = None
    exit_criteria: str | None = None


@dataclass(frozen=True)
class NetworkMember:
    """Someone in the family's network of relatives and friends, and how they help."""

    name: str
    relationship: str
    support: str | None = None


@dataclass(frozen=True)
class FgdmMeeting:
    """A family group decision-making meeting: offered, then held or declined."""

    offered_on: date
    held_on: date | None = None
    declined: bool = False


@dataclass(frozen=True)
class Family:
    """The family network, FGDM meetings and the family's own plan, when there is one."""

    network: tuple[NetworkMember, ...] = ()
    fgdm_meetings: tuple[FgdmMeeting, ...] = ()
    family_plan: str | None = None


@dataclass(frozen=True)
class InterventionTerms:
    """What commissioning an intervention sets: the service and its provider, when it runs, and the
    measure of need before it on a named scale. The command to add one carries exactly these."""

    name: str
    provider: str
    start_date: date
    planned_end_date: date
    scale: str
    score_before: float


@dataclass(frozen=True)
class Intervention(InterventionTerms):
    """A commissioned service or intervention, with a before and after measure of need on a named scale."""

    id: uuid.UUID
    actual_end_date: date | None = None
    score_after: float | None = None


@dataclass(frozen=True)
class Episode:
    """What the plan service knows of a child's episode (case), from the events that open, close
    and reopen it: enough to say whether pre-proceedings may start for it, and who may see them."""

    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    opened_on: date | None = None
    closed_on: date | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


@dataclass(frozen=True)
class Preproceedings:
    """One pre-proceedings block of an episode (census PreProceedingsandFGDM, repeatable in each
    episode): from its start to its step decision, and the letter initiating care proceedings."""

    id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    start_date: date
    plan_id: uuid.UUID | None = None
    letter_before_proceedings_date: date | None = None
    fgdm_offered: bool | None = None
    fgdm_held: bool | None = None
    initial_meeting_date: date | None = None
    review_meeting_dates: tuple[date, ...] = ()
    decision: PreproceedingsDecision | None = None
    decision_date: date | None = None
    court_application_date: date | None = None
    letter_initiating_proceedings_date: date | None = None
    fgdm_exception_reason: str | None = None
    started_by: str = ""
    version: int = 1
    #: Imported (decision 59): the census return it came from, and the review meetings it counted
    #: when it gave no dates (census ReviewMeetingsCount).
    imported_from: str | None = None
    review_meetings_count: int | None = None

    @property
    def review_meetings(self) -> int:
        """How many review meetings it held (their dates, or the count a census return gave)."""
        return len(self.review_meeting_dates) or (self.review_meetings_count or 0)

    @property
    def subject(self) -> str:
        """Its events are keyed by its episode (the case), in order with the case's others."""
        return str(self.case_id)


@dataclass(frozen=True)
class ReviewRecord:
    """What the plan keeps of its latest review (every review is also a row of its own)."""

    number: int
    on: date
    decision: ReviewDecision
    exit_criteria_met: bool
    concerns_remain: bool
    progressed: bool


@dataclass(frozen=True)
class Visits:
    """What the plan keeps of its visits (every visit is also a row of its own)."""

    last_visit: date | None = None
    last_seen: date | None = None
    last_seen_alone: date | None = None
    next_due: date | None = None


@dataclass(frozen=True)
class Ending:
    end_date: date
    reason: str
    unmet_need: bool
    next_step: NextStep
    by: str
    at: datetime
    #: The census reason, when the plan closes the case.
    reason_for_closure: ReasonForClosure | None = None


@dataclass(frozen=True)
class PlanHeading:
    """Whose plan it is, what kind, and where it stands: what both the whole plan and the drift
    rules' few facts of it (``drift.DriftFacts``) begin with."""

    id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    plan_type: PlanType
    status: PlanStatus


def heading(plan: PlanHeading) -> dict[str, Any]:
    """A plan's heading by field name: the start of a record that begins with it too."""
    return {f.name: getattr(plan, f.name) for f in fields(PlanHeading)}


@dataclass(frozen=True)
class PlanState(PlanHeading):
    """A child in need or child protection plan."""

    drafted_from: DraftedFrom
    drafted_at: datetime
    assessment_id: uuid.UUID | None = None
    section47_id: uuid.UUID | None = None
    #: CP plans: the date of the initial child protection conference that decided the plan (census
    #: DateOfInitialCPC), which is the plan's start date (rule 2885).
    conference_date: date | None = None
    lead_practitioner: str | None = None
    factors: tuple[AssessmentFactor, ...] = ()
    primary_need: PrimaryNeedCode | None = None
    initial_category: CategoryOfAbuse | None = None
    latest_category: CategoryOfAbuse | None = None
    content: Content = field(default_factory=Content)
    agencies_involved: tuple[Agency, ...] = ()
    actions: tuple[Action, ...] = ()
    family: Family = field(default_factory=Family)
    interventions: tuple[Intervention, ...] = ()
    start_date: date | None = None
    approved_by: str | None = None
    next_review_due: date | None = None
    last_review: ReviewRecord | None = None
    visits: Visits = field(default_factory=Visits)
    ending: Ending | None = None
    #: CIN plans: the days strategy discussions were held during the plan (each starts a section 47).
    strategy_discussions: tuple[date, ...] = ()
    #: CP plans: census NumberOfPreviousCPP, counted when the plan starts.
    previous_cp_plans: int | None = None
    #: When the drift check should next look at the plan (today when it shows a finding now; none
    #: while nothing can drift): set by every transition (``drift.checked``), kept on its row.
    drift_check: date | None = None
    version: int = 1
    #: The census return an imported plan came from (decision 59); ``None`` for live work.
    imported_from: str | None = None

    @property
    def subject(self) -> str:
        """Events about the plan are keyed by its case, so one case's events stay in order."""
        return str(self.case_id)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def assessed(self) -> bool:
        """Whether the authorised assessment's needs have reached the plan (an authorisation always
        carries a primary need, and nothing else sets one)."""
        return self.primary_need is not None

    def action(self, action_id: uuid.UUID) -> Action | None:
        return next((a for a in self.actions if a.id == action_id), None)

    @property
    def quality(self) -> Quality:
        """Its actions against the Commissioner's five criteria (every version records it)."""
        return Quality(tuple(a.quality for a in self.actions))

    @property
    def involved(self) -> set[Agency]:
        """Every agency involved with the family: those named, and every action's owner."""
        return set(self.agencies_involved) | {a.owner.agency for a in self.actions}


@dataclass(frozen=True)
class ChildIdentity:
    """What partner status and the census need of the local copy of the child."""

    nhs_number: str | None
    date_of_birth: date | None
    date_of_death: date | None = None
