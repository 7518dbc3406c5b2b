"""The assessment's states: enums for where it stands, and plain frozen objects for what it holds.

Every transition (in the sibling modules) takes one of these and returns a new one with the
version bumped, and the events that say what changed. Nothing here reads a clock or a database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from continuum.casework.closure import Closure
from continuum.contracts.assessment import (
    AssessmentOutcome,
    AssessmentRoute,
    ReallocationReason,
    Section47Outcome,
    SpecialistAssessmentKind,
)
from continuum.contracts.codes import AssessmentFactor, PrimaryNeedCode
from continuum.contracts.envelope import EventData

#: The events a transition returns, in the order they are published.
Events = list[EventData]

#: The statutory limit: an assessment concludes within 45 working days of the referral.
ASSESSMENT_WORKING_DAYS = 45
#: The initial child protection conference is held within 15 working days of the strategy discussion.
ICPC_WORKING_DAYS = 15


class AssessmentStatus(StrEnum):
    """The assessment's own statuses, stored in its table. Allocation moves an unallocated one in
    progress, submission and a return move it between in progress and submitted, authorisation
    closes it, and a corrected front-door decision may withdraw it (and a later one reinstate it).
    The API and ``assessment.reassigned`` show them as the contract's ``AssessmentStatus``."""

    UNALLOCATED = "unallocated"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    AUTHORISED = "authorised"
    WITHDRAWN = "withdrawn"


#: The short name the service's code uses.
Status = AssessmentStatus

#: Statuses of an assessment still on the clock (on the worklist, may become overdue).
OPEN_STATUSES = (Status.UNALLOCATED, Status.IN_PROGRESS, Status.SUBMITTED)


class Section47Status(StrEnum):
    """A section 47 enquiry: awaiting its start, started, concluded (the conference held or not
    required), or withdrawn by a corrected front-door decision before it concluded."""

    AWAITING_START = "awaiting_start"
    STARTED = "started"
    CONCLUDED = "concluded"
    WITHDRAWN = "withdrawn"


class KeyedByCase:
    """A record whose events are keyed by its case (``subject``), so one case's events stay in order."""

    case_id: uuid.UUID

    @property
    def subject(self) -> str:
        return str(self.case_id)


@dataclass(frozen=True)
class Actor:
    """Who asks for a transition: their user id, and whether they are a social-work-qualified
    manager (the decisions guidance reserves for one)."""

    id: str
    sw_qualified_manager: bool = False


@dataclass(frozen=True)
class ChildIdentity:
    """What the assessment needs of the local copy of the child: the identifiers a partner holds,
    and whether the child is unborn (then it cannot have been seen yet)."""

    nhs_number: str | None
    date_of_birth: date | None
    expected_date_of_birth: date | None = None

    @property
    def unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date_of_birth is not None


@dataclass(frozen=True)
class SpecialistAssessment:
    """A specialist assessment used (Graded Care Profile 2, parenting, PAMS, AIM, risk)."""

    kind: SpecialistAssessmentKind
    on: date
    completed_by: str
    score_or_summary: str


@dataclass(frozen=True)
class Findings:
    """What the lead practitioner records, a little at a time if need be."""

    start_date: date | None = None
    child_seen_date: date | None = None
    child_seen_alone: bool | None = None
    factors: tuple[AssessmentFactor, ...] = ()
    primary_need: PrimaryNeedCode | None = None
    specialist_assessments: tuple[SpecialistAssessment, ...] = ()
    recommendation: AssessmentOutcome | None = None
    recommendation_summary: str | None = None


@dataclass(frozen=True)
class Lead:
    """The lead practitioner, their role, and whether it is a social-work role."""

    practitioner: str
    role: str
    social_worker: bool
    allocated_at: datetime


@dataclass(frozen=True)
class Submission:
    by: str
    at: datetime


@dataclass(frozen=True)
class Authorisation:
    """The manager's decision: the outcome, the census authorisation date, and the closure it makes."""

    outcome: AssessmentOutcome
    on: date
    by: str
    at: datetime
    closure: Closure | None


@dataclass(frozen=True)
class AssessmentState(KeyedByCase):
    """A single assessment (section 17, or the one that goes with a section 47 enquiry)."""

    id: uuid.UUID
    case_id: uuid.UUID
    referral_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    route: AssessmentRoute
    status: Status
    referral_date: date
    due_date: date
    opened_at: datetime
    lead: Lead | None = None
    findings: Findings = field(default_factory=Findings)
    submission: Submission | None = None
    authorisation: Authorisation | None = None
    #: Set when ``assessment.overdue`` was written: at most one each.
    overdue_notified_at: datetime | None = None
    #: Whether partners were told the status (it waits for the child's identity when that comes later).
    partner_status_sent: bool = False
    #: Set while the lead no longer meets the allocation rules (after a corrected decision).
    reallocation_required: ReallocationReason | None = None
    #: The child in need plan whose escalation to child protection opened this assessment (with its
    #: section 47 enquiry); ``None`` for one the front door's decision opened.
    escalated_from_plan_id: uuid.UUID | None = None
    #: The file of the council's history it was imported from (``None``: live work, decision 59).
    imported_from: str | None = None
    version: int = 1

    @property
    def about(self) -> dict[str, Any]:
        """The fields every event about the assessment opens with: which one, its case (the
        events' key), its child and its team."""
        return {"assessment_id": self.id, "case_id": self.case_id, "child_id": self.child_id, "team": self.team}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def escalated(self) -> bool:
        """Opened by an escalation from a child in need plan, not by a front-door decision."""
        return self.escalated_from_plan_id is not None


@dataclass(frozen=True)
class Section47State(KeyedByCase):
    """A section 47 enquiry, opened beside its assessment when the front door decides on a
    strategy discussion. It has its own version (its own ETag)."""

    id: uuid.UUID
    assessment_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    status: Section47Status = Section47Status.AWAITING_START
    strategy_discussion_date: date | None = None
    start_date: date | None = None
    icpc_target_date: date | None = None
    icpc_date: date | None = None
    icpc_not_required: bool | None = None
    outcome: Section47Outcome | None = None
    started_by: str | None = None
    concluded_by: str | None = None
    concluded_at: datetime | None = None
    withdrawn_at: datetime | None = None
    #: The file of the council's history it was imported from (``None``: live work, decision 59).
    imported_from: str | None = None
    version: int = 1

    @property
    def about(self) -> dict[str, Any]:
        """The fields every event about the enquiry opens with: which one, its assessment, its case
        (the events' key), its child and its team."""
        return {
            "section47_id": self.id,
            "assessment_id": self.assessment_id,
            "case_id": self.case_id,
            "child_id": self.child_id,
            "team": self.team,
        }

    @property
    def is_current(self) -> bool:
        """Not withdrawn: the enquiry that goes with its assessment."""
        return self.status is not Section47Status.WITHDRAWN

    @property
    def is_open(self) -> bool:
        """Awaiting its start or started: a case has at most one such enquiry."""
        return self.status in (Section47Status.AWAITING_START, Section47Status.STARTED)


@dataclass(frozen=True)
class AssessmentAndEnquiry:
    """What opening or correcting an assessment produces: the assessment, and the section 47
    enquiry the transition opened, changed or withdrew (``None`` when it touched none)."""

    assessment: AssessmentState
    section47: Section47State | None = None
