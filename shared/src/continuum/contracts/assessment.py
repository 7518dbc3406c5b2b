"""Events the assessment service publishes on ``continuum.assessment``.

Narrative (the practitioner's analysis, the manager's reasons for returning an assessment) never
leaves the service: events carry codes, dates and ids, which is what the census, the plan service
and step-down need.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from continuum.contracts.codes import AssessmentFactor, PrimaryNeedCode, ReasonForClosure
from continuum.contracts.envelope import EventData

ASSESSMENT_TOPIC = "continuum.assessment"


class AssessmentRoute(StrEnum):
    """A single assessment under section 17, or one that goes with a section 47 enquiry."""

    SECTION17 = "section17"
    SECTION47 = "section47"


class AssessmentOutcome(StrEnum):
    """What the authorised assessment decides: NFA and early help close the episode (RC8, RC9)."""

    NFA = "nfa"
    EARLY_HELP = "early_help"
    CIN_PLAN = "cin_plan"
    CHILD_PROTECTION = "child_protection"


class SpecialistAssessmentKind(StrEnum):
    GRADED_CARE_PROFILE_2 = "gcp2"
    PARENTING = "parenting"
    PAMS = "pams"
    AIM = "aim"
    RISK = "risk"


# The values ``assessment.reassigned`` (and the assessment API) show. The assessment service owns its
# statuses (its own enum, for its tables and its domain) and publishes their values as these.
class AssessmentStatus(StrEnum):
    """Where an assessment stands: open (``unallocated``, ``in_progress``, ``submitted``: on the
    45-working-day clock) or closed (``authorised``, or ``withdrawn`` by a corrected front-door
    decision, which a later correction may reinstate)."""

    UNALLOCATED = "unallocated"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    AUTHORISED = "authorised"
    WITHDRAWN = "withdrawn"


class ReallocationReason(StrEnum):
    """Why the lead practitioner must be reallocated (an allocation rule no longer holds)."""

    #: The assessment now goes with a section 47 enquiry, which needs a social worker as lead.
    SECTION47_NEEDS_SOCIAL_WORKER = "section47_needs_social_worker"
    #: The assessment moved to another team, whose manager chooses (or confirms) the lead.
    TEAM_CHANGED = "team_changed"


class Section47Outcome(StrEnum):
    """Whether the enquiry ended in a child protection plan (the ICPC decided one) or not."""

    CP_PLAN = "cp_plan"
    NO_CP_PLAN = "no_cp_plan"


class AssessmentEvent(EventData):
    """What every assessment event opens with: the assessment, its case (the Kafka key) and its child."""

    topic = ASSESSMENT_TOPIC

    assessment_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID


class AssessmentOpened(AssessmentEvent):
    """A referral decided for assessment (or a strategy discussion) opened an assessment; or a
    child in need plan's escalation to child protection opened one on the section 47 route, with
    its enquiry already started (``escalated_from_plan_id`` set)."""

    event_type = "assessment.opened"

    referral_id: uuid.UUID = Field(
        description="The episode's referral. For an assessment an escalation opened: the referral of the episode's first"
        " assessment here, or the nil UUID when this service never saw the episode's referral"
    )
    referral_date: date = Field(
        description="The London date the referral was received; for an assessment an escalation opened, the strategy"
        " discussion's date (its 45 working days run from it)"
    )
    due_date: date = Field(description="Referral date plus 45 working days (England and Wales)")
    team: str
    route: AssessmentRoute
    section47_id: uuid.UUID | None
    opened_at: datetime
    escalated_from_plan_id: uuid.UUID | None = Field(
        default=None,
        description="The child in need plan whose escalation (ended escalate_cp, or a strategy discussion recorded"
        " during it) opened this assessment with its section 47 enquiry; null when the front door's decision opened it",
    )


class AssessmentAllocated(AssessmentEvent):
    """A social-work-qualified manager allocated (or reallocated) the lead practitioner."""

    event_type = "assessment.allocated"

    team: str
    lead_practitioner: str
    lead_practitioner_role: str
    social_worker: bool = Field(description="Whether the lead practitioner's role is a social-work role")
    allocated_by: str
    allocated_at: datetime
    previous_lead_practitioner: str | None = Field(None, description="Set on a reallocation")


class AssessmentSubmitted(AssessmentEvent):
    event_type = "assessment.submitted"

    team: str
    submitted_by: str
    submitted_at: datetime
    recommendation: AssessmentOutcome


class AssessmentReturned(AssessmentEvent):
    """The manager sent the assessment back to the lead practitioner (the reasons stay in the service)."""

    event_type = "assessment.returned"

    team: str
    returned_by: str
    returned_at: datetime


class AssessmentAuthorised(AssessmentEvent):
    """The manager authorised the assessment: everything the CIN census and the plan service need."""

    event_type = "assessment.authorised"

    referral_id: uuid.UUID
    team: str
    route: AssessmentRoute
    section47_id: uuid.UUID | None
    lead_practitioner: str
    lead_practitioner_role: str
    authorised_by: str
    referral_date: date
    start_date: date = Field(description="Census AssessmentActualStartDate")
    authorisation_date: date = Field(description="Census AssessmentAuthorisationDate")
    due_date: date
    working_days: int = Field(description="Working days from the referral date to the authorisation date")
    within_timescale: bool = Field(description="Authorised within 45 working days of the referral")
    child_seen_date: date | None
    child_seen_alone: bool | None
    factors: list[AssessmentFactor] = Field(description="Census AssessmentFactors")
    primary_need: PrimaryNeedCode = Field(description="Census PrimaryNeedCode")
    specialist_assessments: list[SpecialistAssessmentKind]
    outcome: AssessmentOutcome
    closure_date: date | None = Field(description="Census CINclosureDate, when the outcome closes the episode")
    reason_for_closure: ReasonForClosure | None = Field(
        description="RC8 after NFA, RC9 after early help, when the episode had no section 47 enquiry here (rule 2990);"
        " RC7 when it had one (step-down, which closes the episode, makes the same check)"
    )


class AssessmentRecorded(AssessmentEvent):
    """What the census and Ofsted's Annex A read of an assessment while it is open changed: its
    start date (AssessmentActualStartDate), the date the child was seen, or its primary need.
    Published when one of these changes, not on every save; codes and dates only, no narrative.
    Each carries all three as they now stand (``null``: not recorded, or cleared)."""

    event_type = "assessment.recorded"

    team: str
    route: AssessmentRoute
    start_date: date | None = Field(description="Census AssessmentActualStartDate")
    child_seen_date: date | None = Field(description="When the child was seen (Ofsted Annex A)")
    primary_need: PrimaryNeedCode | None = Field(description="Census PrimaryNeedCode")
    recorded_by: str
    recorded_at: datetime


class AssessmentOverdue(AssessmentEvent):
    """An open assessment passed its due date; published once per assessment."""

    event_type = "assessment.overdue"

    team: str
    lead_practitioner: str | None
    due_date: date
    detected_at: datetime


class AssessmentWithdrawn(AssessmentEvent):
    """A corrected front-door decision (NFA or early help) means the assessment is no longer
    wanted; it stops, unauthorised, and may be reinstated by a later correction."""

    event_type = "assessment.withdrawn"

    team: str
    withdrawn_at: datetime
    correction_of: uuid.UUID | None = Field(default=None, description="The corrected referral.decided event, if known")


class AssessmentReassigned(AssessmentEvent):
    """A corrected front-door decision changed the assessment's team, its route (section 17 or
    section 47, with or without an enquiry), its due date, or reinstated a withdrawn assessment.
    Carries what it was and what it is, so a subscriber can move it without reading anything else."""

    event_type = "assessment.reassigned"

    referral_id: uuid.UUID
    previous_team: str = Field(description="The team that held the assessment before the correction")
    team: str = Field(description="The team that holds it now")
    previous_route: AssessmentRoute
    route: AssessmentRoute
    previous_status: AssessmentStatus
    status: AssessmentStatus
    referral_date: date = Field(description="The London calendar date the referral was received")
    due_date: date = Field(description="Referral date plus 45 working days (England and Wales)")
    section47_id: uuid.UUID | None = Field(description="The section 47 enquiry that goes with the assessment now, if any")
    correction_of: uuid.UUID | None = Field(default=None, description="The corrected referral.decided event, if known")
    reassigned_at: datetime


class AssessmentReallocationRequired(AssessmentEvent):
    """The lead practitioner no longer meets the allocation rules (after a corrected front-door
    decision): a social-work-qualified manager of the team must reallocate. Until then the
    assessment cannot be recorded, submitted or authorised."""

    event_type = "assessment.reallocation_required"

    team: str
    lead_practitioner: str
    lead_practitioner_role: str
    reason: ReallocationReason
    correction_of: uuid.UUID | None = Field(default=None, description="The corrected referral.decided event, if known")
    detected_at: datetime


class Section47Event(EventData):
    """What every section 47 event opens with: the enquiry, the assessment it goes with, its case and child, the team."""

    topic = ASSESSMENT_TOPIC

    section47_id: uuid.UUID
    assessment_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str


class Section47Started(Section47Event):
    event_type = "section47.started"

    strategy_discussion_date: date
    start_date: date = Field(description="Census S47ActualStartDate")
    icpc_target_date: date = Field(description="Census InitialCPCtarget: 15 working days after the strategy discussion")
    started_by: str


class Section47Concluded(Section47Event):
    event_type = "section47.concluded"

    start_date: date
    icpc_target_date: date
    icpc_date: date | None = Field(description="Census DateOfInitialCPC")
    icpc_not_required: bool = Field(description="Census ICPCnotRequired")
    icpc_within_target: bool | None
    outcome: Section47Outcome
    concluded_by: str
    concluded_at: datetime


class Section47Withdrawn(Section47Event):
    """A corrected front-door decision no longer asks for a strategy discussion: the enquiry that
    had not concluded stops (``start_date`` says whether it had started)."""

    event_type = "section47.withdrawn"

    start_date: date | None = Field(description="Census S47ActualStartDate, when the enquiry had started")
    correction_of: uuid.UUID | None = Field(default=None, description="The corrected referral.decided event, if known")
    withdrawn_at: datetime


__all__ = [
    "ASSESSMENT_TOPIC",
    "AssessmentAllocated",
    "AssessmentAuthorised",
    "AssessmentOpened",
    "AssessmentOutcome",
    "AssessmentOverdue",
    "AssessmentReallocationRequired",
    "AssessmentReassigned",
    "AssessmentRecorded",
    "AssessmentReturned",
    "AssessmentRoute",
    "AssessmentStatus",
    "AssessmentSubmitted",
    "AssessmentWithdrawn",
    "ReallocationReason",
    "Section47Concluded",
    "Section47Outcome",
    "Section47Started",
    "Section47Withdrawn",
    "SpecialistAssessmentKind",
]
