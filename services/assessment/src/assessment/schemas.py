"""The assessment API's request and response models: every field described, every string and list
bounded, examples an integrator can start from. Dates are London calendar dates (ISO 8601);
instants are UTC."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from assessment import examples
from assessment.domain import Section47Status
from continuum.casework.policy import TEAM_PATTERN
from continuum.contracts.assessment import (
    AssessmentOutcome,
    AssessmentRoute,
    AssessmentStatus,
    ReallocationReason,
    Section47Outcome,
    SpecialistAssessmentKind,
)
from continuum.contracts.codes import PrimaryNeedCode, ReasonForClosure
from continuum.persistence.child_copy import ChildSummary
from continuum.web.imports import BATCH_LIMIT, ImportAnswer
from continuum.web.limits import Day
from continuum.web.pagination import Page
from continuum.web.requests import RequestModel

# Every string a request sends has a maximum length (tests/integration/test_bad_input.py walks the OpenAPI
# document for one without), every list a maximum count, every date a plausible year (Day).
#: Narrative: reasons and the recommendation's summary (about three pages).
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
UserId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
RoleName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
FactorCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=3)]

# Fields the answers carry alike (an assessment's full view, its summary in a list, a worklist item,
# an enquiry), described once.
OpeningReferral = Annotated[
    uuid.UUID,
    Field(
        description="The referral whose decision opened it; for one an escalation opened, the episode's referral"
        " (the nil UUID when this service never saw it)"
    ),
]
EscalatedFrom = Annotated[
    uuid.UUID | None,
    Field(
        description="The child in need plan whose escalation to child protection opened it (null: the front door's decision did)"
    ),
]
ETagVersion = Annotated[int, Field(description="The version, as the ETag: send it as If-Match")]
CaseId = Annotated[uuid.UUID, Field(description="The case (episode)")]
ChildId = Annotated[uuid.UUID, Field(description="The child")]
ResponsibleTeam = Annotated[str, Field(description="The responsible team")]
AnyAssessmentStatus = Annotated[
    AssessmentStatus, Field(description="unallocated, in_progress, submitted, authorised or withdrawn")
]
ListedRoute = Annotated[AssessmentRoute, Field(description="section17 or section47")]
LeadPractitioner = Annotated[str | None, Field(description="The lead practitioner's user id")]
ReallocationPending = Annotated[bool, Field(description="A manager must reallocate the lead practitioner")]
ReferralReceived = Annotated[date, Field(description="The London date the referral was received")]
DueDate = Annotated[date, Field(description="Referral date plus 45 working days")]
AuthorisedOutcome = Annotated[AssessmentOutcome | None, Field(description="The authorised outcome")]
AuthorisationDate = Annotated[date | None, Field(description="Census AssessmentAuthorisationDate")]


class Strict(RequestModel):
    """A request body: unknown fields and NUL characters refused (see RequestModel)."""


# --- requests -------------------------------------------------------------------------------------


class AllocationIn(Strict):
    """Allocate (or reallocate) the lead practitioner. ``lead_practitioner_role`` is checked against
    the council policy: social-work roles may lead anything, the named section 17 roles only
    section 17 work. A reallocation needs a reason; while a reallocation is required, the lead in
    place may be confirmed (the same user id, with a reason)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.ALLOCATION]},
    )

    lead_practitioner: UserId = Field(description="The practitioner's user id (the `sub` of their token)")
    lead_practitioner_role: RoleName = Field(description="Their role, one the council policy allows to lead this route")
    reason: Text | None = Field(None, description="Why the assessment changes hands (required for a reallocation)")


class SpecialistAssessmentIn(Strict):
    """A specialist assessment used in this assessment."""

    kind: SpecialistAssessmentKind = Field(description="gcp2 (Graded Care Profile 2), parenting, pams, aim or risk")
    date: Day = Field(description="When it was completed; not in the future")
    completed_by: UserId = Field(description="Who completed it (a user id or a name of the assessor's service)")
    score_or_summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)] = Field(
        description="Its score or a short summary"
    )


class RecordIn(Strict):
    """What the lead practitioner records; omitted fields keep their value, ``null`` clears one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.RECORD]})

    start_date: Day | None = Field(None, description="Census AssessmentActualStartDate; not before the referral date")
    child_seen_date: Day | None = Field(None, description="When the child was seen; not before the referral date")
    child_seen_alone: bool | None = Field(None, description="Whether the child was seen alone (needed once seen)")
    factors: list[FactorCode] | None = Field(
        None, description="Census assessment factor codes; 21 (no factors identified) only on its own", max_length=50
    )
    primary_need: PrimaryNeedCode | None = Field(None, description="Census PrimaryNeedCode, N0 to N9")
    specialist_assessments: list[SpecialistAssessmentIn] | None = Field(
        None, description="Specialist assessments used (replaces the list)", max_length=50
    )
    recommendation: AssessmentOutcome | None = Field(None, description="The outcome the lead practitioner recommends")
    recommendation_summary: Text | None = Field(None, description="The analysis behind the recommendation (stays in the service)")


class ReturnIn(Strict):
    """Send the submitted assessment back to the lead practitioner."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.RETURN]})

    reasons: Text = Field(description="What the lead practitioner must do before resubmitting (stays in the service)")


class AuthorisationIn(Strict):
    """Authorise the submitted assessment: the census authorisation date and the outcome."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.AUTHORISATION]})

    authorisation_date: Day = Field(
        description=(
            "Census AssessmentAuthorisationDate: not before the referral, the start date, the submission or a section 47 "
            "enquiry's conclusion, and not in the future"
        )
    )
    outcome: AssessmentOutcome = Field(
        description="The manager's decision (usually the recommendation); after a section 47 enquiry it follows the conference"
    )


class Section47StartIn(Strict):
    """Start a section 47 enquiry."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [examples.SECTION47_START]},
    )

    strategy_discussion_date: Day = Field(description="When the strategy discussion decided the enquiry; not before the referral")
    start_date: Day = Field(description="Census S47ActualStartDate; not before the strategy discussion")


class Section47ConclusionIn(Strict):
    """The conference date, or ``icpc_not_required`` when the enquiry ended without one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [*examples.SECTION47_CONCLUSIONS]})

    icpc_date: Day | None = Field(None, description="Census DateOfInitialCPC; not before the enquiry's start")
    icpc_not_required: bool = Field(False, description="Census ICPCnotRequired: the enquiry ended without a conference")
    outcome: Section47Outcome = Field(description="Whether the conference decided a child protection plan")


# What a history import names: a census code (checked child by child by the domain), an LA child id,
# a file, an LA code and a team.
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
LaChildId = Annotated[str, StringConstraints(min_length=1, max_length=36)]
TeamId = Annotated[str, StringConstraints(pattern=TEAM_PATTERN, max_length=50)]
Current = Annotated[bool, Field(description="The open episode's current stage: partners hear its status (the command says)")]


class AssessmentImportIn(Strict):
    """An assessment as the CIN census return tells it (census Assessments)."""

    start: Day | None = Field(description="Census AssessmentActualStartDate (its key in the episode; required)")
    authorised: Day | None = Field(description="Census AssessmentAuthorisationDate; null: still open")
    factors: list[Code] = Field(max_length=30, description="Census AssessmentFactors (DfE codes; 21: none identified)")
    outcome: Code | None = Field(description="nfa, early_help, cin_plan or child_protection; required when authorised")
    current_status: Current = False


class Section47ImportIn(Strict):
    """A section 47 enquiry as the return tells it (census Section47)."""

    start: Day = Field(description="Census S47ActualStartDate (its key in the episode)")
    icpc_target: Day | None = Field(description="Census InitialCPCtarget (null: 15 working days after the start)")
    icpc: Day | None = Field(description="Census DateOfInitialCPC; null: none held (yet)")
    icpc_not_required: bool = Field(description="Census ICPCnotRequired")
    current_status: Current = False


class EpisodeImportIn(Strict):
    referral_date: Day = Field(description="Census CINreferralDate: the episode's key, with the LA child id")
    primary_need: Code | None = Field(description="Census PrimaryNeedCode (N0 to N9)")
    assessments: list[AssessmentImportIn] = Field(max_length=50, description="The episode's assessments, each once")
    section47s: list[Section47ImportIn] = Field(max_length=50, description="Its enquiries, each with its own assessment")


class ChildAssessmentsIn(Strict):
    la_child_id: LaChildId = Field(description="Census LAchildID: the child's key, with the council's LA code")
    team: TeamId = Field(description="The team that holds the child's cases (a team of the council's policy)")
    episodes: list[EpisodeImportIn] = Field(min_length=1, max_length=100, description="The child's episodes, each once")


class AssessmentsImportIn(Strict):
    """A batch of a council's history for the assessment service: at most 200 children."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.ASSESSMENTS_IMPORT]})

    source: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(description="The file it came from")
    la: Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$", max_length=3)] = Field(description="The council's LA code")
    children: list[ChildAssessmentsIn] = Field(min_length=1, max_length=BATCH_LIMIT, description="The children, each once")


# --- answers --------------------------------------------------------------------------------------


class AssessmentsImportOut(ImportAnswer):
    """What the import did (or, in a dry run, would do): children by outcome, and each child refused."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.IMPORT_ANSWER]})


class SpecialistAssessmentOut(BaseModel):
    kind: SpecialistAssessmentKind = Field(description="gcp2, parenting, pams, aim or risk")
    date: Annotated[date, Field(description="When it was completed")]
    completed_by: str = Field(description="Who completed it")
    score_or_summary: str = Field(description="Its score or a short summary")


class AllocationOut(BaseModel):
    lead_practitioner: str = Field(description="The practitioner allocated")
    lead_practitioner_role: str = Field(description="Their role")
    previous_lead_practitioner: str | None = Field(description="Who led before (a reallocation)")
    reason: str | None = Field(description="Why it changed hands")
    allocated_by: str = Field(description="The manager who allocated")
    allocated_at: datetime = Field(description="When")


class ReturnOut(BaseModel):
    reasons: str = Field(description="Why the manager sent it back")
    returned_by: str = Field(description="The manager")
    returned_at: datetime = Field(description="When")


class Section47Out(BaseModel):
    """A section 47 enquiry. Its ETag is its own version."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.SECTION47_OUT]})

    id: uuid.UUID = Field(description="The enquiry's id")
    assessment_id: uuid.UUID = Field(description="The assessment it goes with")
    case_id: CaseId
    child_id: ChildId
    team: ResponsibleTeam
    status: Section47Status = Field(description="awaiting_start, started, concluded, or withdrawn by a corrected decision")
    strategy_discussion_date: date | None = Field(description="When the strategy discussion decided the enquiry")
    start_date: date | None = Field(description="Census S47ActualStartDate")
    icpc_target_date: date | None = Field(description="Census InitialCPCtarget: 15 working days after the strategy discussion")
    icpc_date: date | None = Field(description="Census DateOfInitialCPC")
    icpc_not_required: bool | None = Field(description="Census ICPCnotRequired")
    outcome: Section47Outcome | None = Field(description="Whether the conference decided a child protection plan")
    withdrawn_at: datetime | None = Field(None, description="When a corrected front-door decision withdrew it")
    version: ETagVersion


class AssessmentOut(BaseModel):
    """A single assessment, with its child, its history and its section 47 enquiry. ETag: its version."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ASSESSMENT_OUT]})

    id: uuid.UUID = Field(description="The assessment's id")
    case_id: uuid.UUID = Field(description="The case (episode) it belongs to")
    referral_id: OpeningReferral
    escalated_from_plan_id: EscalatedFrom
    child_id: ChildId
    child: ChildSummary | None = Field(description="The child's identity (null until it arrives from the front door)")
    team: ResponsibleTeam
    route: AssessmentRoute = Field(description="section17, or section47 (with an enquiry)")
    status: AnyAssessmentStatus
    referral_date: date = Field(
        description="Census CINreferralDate: the London date the referral was received; for an assessment an escalation"
        " opened, the strategy discussion's date (its 45 working days run from it)"
    )
    due_date: DueDate
    working_days_left: int | None = Field(description="Until the due date; negative when overdue; null once closed")
    overdue: bool = Field(description="Open and past its due date")
    lead_practitioner: LeadPractitioner
    lead_practitioner_role: str | None = Field(description="Their role")
    reallocation_required: bool = Field(description="The lead no longer meets the allocation rules: a manager must reallocate")
    reallocation_reason: ReallocationReason | None = Field(description="Why a reallocation is required")
    start_date: date | None = Field(description="Census AssessmentActualStartDate")
    child_seen_date: date | None = Field(description="When the child was seen")
    child_seen_alone: bool | None = Field(description="Whether the child was seen alone")
    factors: list[str] = Field(description="Census assessment factor codes")
    primary_need: PrimaryNeedCode | None = Field(description="Census PrimaryNeedCode")
    specialist_assessments: list[SpecialistAssessmentOut] = Field(description="Specialist assessments used")
    recommendation: AssessmentOutcome | None = Field(description="The lead practitioner's recommendation")
    recommendation_summary: str | None = Field(description="The analysis behind it")
    submitted_at: datetime | None = Field(description="When it was submitted for authorisation (null when not awaiting it)")
    outcome: AuthorisedOutcome
    authorisation_date: AuthorisationDate
    authorised_by: str | None = Field(description="The manager who authorised it")
    closure_date: date | None = Field(description="Census CINclosureDate, when the outcome closed the episode")
    closure_reason: ReasonForClosure | None = Field(
        description="RC8 after NFA, RC9 after early help; RC7 for either when the episode had a section 47 enquiry (rule 2990)"
    )
    allocations: list[AllocationOut] = Field(description="Every allocation and reallocation, oldest first")
    returns: list[ReturnOut] = Field(description="Every return to the lead practitioner, oldest first")
    section47: Section47Out | None = Field(description="Its section 47 enquiry: the current one, else the last withdrawn")
    version: ETagVersion


class AssessmentSummary(BaseModel):
    """An assessment as a lookup by case, referral or child lists it."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.SUMMARY]})

    assessment_id: uuid.UUID = Field(description="The assessment's id (GET /v1/assessments/{id} for all of it)")
    case_id: CaseId
    referral_id: OpeningReferral
    escalated_from_plan_id: EscalatedFrom
    child_id: ChildId
    team: ResponsibleTeam
    route: ListedRoute
    status: AnyAssessmentStatus
    lead_practitioner: LeadPractitioner
    reallocation_required: ReallocationPending
    referral_date: ReferralReceived
    due_date: DueDate
    outcome: AuthorisedOutcome
    authorisation_date: AuthorisationDate
    version: int = Field(description="The assessment's version (its ETag)")


class WorklistItem(BaseModel):
    """An open assessment on a team's worklist."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.WORKLIST_ITEM]})

    assessment_id: uuid.UUID = Field(description="The assessment's id")
    case_id: CaseId
    child_id: ChildId
    child_name: str | None = Field(description="The child's name (null until the identity arrives)")
    team: ResponsibleTeam
    route: ListedRoute
    status: AssessmentStatus = Field(description="unallocated, in_progress or submitted")
    lead_practitioner: LeadPractitioner
    reallocation_required: ReallocationPending
    referral_date: ReferralReceived
    due_date: DueDate
    working_days_left: int = Field(description="Until the due date; negative when overdue")
    overdue: bool = Field(description="Past its due date")


WorklistPage = Page[WorklistItem]
AssessmentPage = Page[AssessmentSummary]


class OutcomeCounts(BaseModel):
    nfa: int = Field(0, description="No further action (the episode closed, RC8; RC7 after a section 47 enquiry)")
    early_help: int = Field(0, description="Stepped down to early help (the episode closed, RC9; RC7 after a section 47 enquiry)")
    cin_plan: int = Field(0, description="A child in need plan")
    child_protection: int = Field(0, description="Child protection")


class Measures(BaseModel):
    completed: int = Field(description="Assessments authorised in the range")
    median_working_days: float | None = Field(description="From the referral date to authorisation (the statutory clock)")
    median_working_days_from_start: float | None = Field(description="From the assessment's start date to authorisation")
    within_45_working_days: float | None = Field(description="Share authorised within 45 working days of the referral, 0 to 1")
    outcomes: OutcomeCounts = Field(description="How many ended in each outcome")


class TeamMeasures(Measures):
    team: str = Field(description="The team")


class MeasuresOut(Measures):
    """Timeliness and outcomes of the assessments authorised in a date range (inclusive)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.MEASURES]})

    date_from: date = Field(description="First authorisation date counted")
    date_to: date = Field(description="Last authorisation date counted")
    by_team: list[TeamMeasures] = Field(description="The same, for each team with an assessment authorised in the range")
