"""The assessment API's request and response models (with OpenAPI examples)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from continuum.codes import PrimaryNeedCode
from continuum.contracts.assessment import AssessmentOutcome, AssessmentRoute, Section47Outcome, SpecialistAssessmentKind
from continuum.limits import Day
from continuum.requests import RequestModel

# Every string a request sends has a maximum length (tests/test_bad_input.py walks the OpenAPI
# document for one without), every list a maximum count, every date a plausible year (Day).
#: Narrative: reasons and the recommendation's summary (about three pages).
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
UserId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
RoleName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
FactorCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=3)]


class Strict(RequestModel):
    """A request body: unknown fields and NUL characters refused (see RequestModel)."""


class AllocationIn(Strict):
    """Allocate (or reallocate) the lead practitioner. ``lead_practitioner_role`` is checked against
    the council policy: social-work roles may lead anything, the named section 17 roles only
    section 17 work. A reallocation needs a reason."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"lead_practitioner": "sw-alex", "lead_practitioner_role": "social_worker"}]},
    )

    lead_practitioner: UserId = Field(description="The practitioner's user id (the `sub` of their token)")
    lead_practitioner_role: RoleName
    reason: Text | None = None


class SpecialistAssessmentIn(Strict):
    kind: SpecialistAssessmentKind
    date: Day
    completed_by: UserId
    score_or_summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]


RECORD_EXAMPLE: dict[str, Any] = {
    "start_date": "2026-11-23",
    "child_seen_date": "2026-11-24",
    "child_seen_alone": True,
    "factors": ["3A", "3B", "4B"],
    "primary_need": "N1",
    "specialist_assessments": [
        {"kind": "gcp2", "date": "2026-12-01", "completed_by": "sw-alex", "score_or_summary": "Level 3 in 2 of 5 areas"}
    ],
    "recommendation": "cin_plan",
    "recommendation_summary": "Domestic abuse in the home affects the child; a CIN plan with DA support is needed.",
}


class RecordIn(Strict):
    """What the lead practitioner records; omitted fields keep their value. Send ``If-Match``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [RECORD_EXAMPLE]})

    start_date: Day | None = Field(None, description="The assessment's actual start date")
    child_seen_date: Day | None = None
    child_seen_alone: bool | None = None
    factors: list[FactorCode] | None = Field(
        None, description="Census assessment factor codes; 21 (no factors identified) only on its own", max_length=50
    )
    primary_need: PrimaryNeedCode | None = None
    specialist_assessments: list[SpecialistAssessmentIn] | None = Field(None, max_length=50)
    recommendation: AssessmentOutcome | None = None
    recommendation_summary: Text | None = None


class ReturnIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reasons": "The child's views are missing; see them alone first."}]}
    )

    reasons: Text


class AuthorisationIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"authorisation_date": "2026-12-10", "outcome": "cin_plan"}]}
    )

    authorisation_date: Day
    outcome: AssessmentOutcome = Field(description="The manager's decision (usually the recommendation)")


class Section47StartIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"strategy_discussion_date": "2026-11-23", "start_date": "2026-11-23"}]},
    )

    strategy_discussion_date: Day
    start_date: Day


class Section47ConclusionIn(Strict):
    """The conference date, or ``icpc_not_required`` when the enquiry ended without one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"icpc_date": "2026-12-11", "outcome": "cp_plan"},
                {"icpc_not_required": True, "outcome": "no_cp_plan"},
            ]
        },
    )

    icpc_date: Day | None = None
    icpc_not_required: bool = False
    outcome: Section47Outcome


class ChildSummary(BaseModel):
    """The local copy of the child's identity (``null`` until the ``child.*`` event arrives)."""

    la_child_id: str
    given_name: str
    family_name: str
    date_of_birth: date | None
    expected_date_of_birth: date | None
    nhs_number: str | None


class SpecialistAssessmentOut(BaseModel):
    kind: SpecialistAssessmentKind
    date: date
    completed_by: str
    score_or_summary: str


class AllocationOut(BaseModel):
    lead_practitioner: str
    lead_practitioner_role: str
    previous_lead_practitioner: str | None
    reason: str | None
    allocated_by: str
    allocated_at: datetime


class ReturnOut(BaseModel):
    reasons: str
    returned_by: str
    returned_at: datetime


class Section47Out(BaseModel):
    id: uuid.UUID
    assessment_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    status: str
    strategy_discussion_date: date | None
    start_date: date | None
    icpc_target_date: date | None
    icpc_date: date | None
    icpc_not_required: bool | None
    outcome: Section47Outcome | None
    version: int


class AssessmentOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    referral_id: uuid.UUID
    child_id: uuid.UUID
    child: ChildSummary | None
    team: str
    route: AssessmentRoute
    status: str
    referral_date: date
    due_date: date
    working_days_left: int | None = Field(description="Until the due date; negative when overdue; null once closed")
    overdue: bool
    lead_practitioner: str | None
    lead_practitioner_role: str | None
    start_date: date | None
    child_seen_date: date | None
    child_seen_alone: bool | None
    factors: list[str]
    primary_need: PrimaryNeedCode | None
    specialist_assessments: list[SpecialistAssessmentOut]
    recommendation: AssessmentOutcome | None
    recommendation_summary: str | None
    submitted_at: datetime | None
    outcome: AssessmentOutcome | None
    authorisation_date: date | None
    authorised_by: str | None
    closure_date: date | None
    closure_reason: str | None
    allocations: list[AllocationOut]
    returns: list[ReturnOut]
    section47: Section47Out | None
    version: int


class WorklistItem(BaseModel):
    assessment_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    child_name: str | None
    team: str
    route: AssessmentRoute
    status: str
    lead_practitioner: str | None
    referral_date: date
    due_date: date
    working_days_left: int
    overdue: bool


class WorklistPage(BaseModel):
    items: list[WorklistItem]
    next_cursor: str | None


class OutcomeCounts(BaseModel):
    nfa: int = 0
    early_help: int = 0
    cin_plan: int = 0
    child_protection: int = 0


class Measures(BaseModel):
    completed: int = Field(description="Assessments authorised in the range")
    median_working_days: float | None = Field(description="From the referral date to authorisation (the statutory clock)")
    median_working_days_from_start: float | None = Field(description="From the assessment's start date to authorisation")
    within_45_working_days: float | None = Field(description="Share authorised within 45 working days of the referral, 0 to 1")
    outcomes: OutcomeCounts


class TeamMeasures(Measures):
    team: str


class MeasuresOut(Measures):
    date_from: date
    date_to: date
    by_team: list[TeamMeasures]
