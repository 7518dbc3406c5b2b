"""The referral API's request and response models (with OpenAPI examples)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from pydantic.json_schema import SkipJsonSchema

from continuum.codes import Disability, Ethnicity, ReferralSource, Sex
from continuum.contracts import DecisionOutcome, ThresholdLevel
from continuum.limits import Day, Instant
from continuum.policy import TEAM_PATTERN
from continuum.requests import RequestModel

# Every string a request sends has a maximum length (tests/test_bad_input.py walks the OpenAPI
# document for one without), and every list a maximum count.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
#: Narrative: concerns, reasons, questions and answers (about three pages).
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
TeamId = Annotated[str, StringConstraints(pattern=TEAM_PATTERN, max_length=50)]
LaChildId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=36)]
Upn = Annotated[str, StringConstraints(max_length=13)]
NhsNumber = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)]
Address = Annotated[str, StringConstraints(max_length=500)]
Postcode = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=8)]
Disabilities = Annotated[list[Disability], Field(max_length=len(Disability))]


class Strict(RequestModel):
    """A request body: unknown fields and NUL characters refused (see RequestModel)."""


class LawfulBasis(StrEnum):
    """Why the referrer may share this information (UK GDPR Article 6, with the Article 9 condition
    in DPA 2018 Schedule 1 paragraph 18, safeguarding of children, where it applies)."""

    CONSENT = "consent"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    SAFEGUARDING_CHILDREN = "public_task_safeguarding_children"


class Agency(StrEnum):
    POLICE = "police"
    HEALTH = "health"
    GP = "gp"
    SCHOOL = "school"
    PROBATION = "probation"
    ADULT_MENTAL_HEALTH = "adult_mental_health"
    HOUSING = "housing"
    EARLY_HELP = "early_help"
    OTHER_LA = "other_la"
    OTHER = "other"


CHILD_EXAMPLE: dict[str, Any] = {
    "la_child_id": "DEV000123",
    "given_name": "Sam",
    "family_name": "Example",
    "date_of_birth": "2017-05-04",
    "sex": "M",
    "ethnicity": "WBRI",
    "disabilities": ["NONE"],
    "upn": "A123456789012",
    "nhs_number": "9434765919",
    "address": "1 Example Street, Exampletown",
    "postcode": "EX1 1AA",
}


class ChildIn(Strict):
    """A child to register. ``date_of_birth`` for a born child, ``expected_date_of_birth`` (and sex
    ``U``) for an unborn one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CHILD_EXAMPLE]})

    la_child_id: LaChildId
    given_name: Name
    family_name: Name
    date_of_birth: Day | None = None
    expected_date_of_birth: Day | None = None
    sex: Sex
    ethnicity: Ethnicity
    disabilities: Disabilities = Field(default_factory=lambda: [Disability.NONE])
    upn: Upn | None = None
    nhs_number: NhsNumber | None = None
    address: Address | None = None
    postcode: Postcode | None = None
    confirmed_new: bool = Field(
        False,
        description="Set after a 409 possible-match answer, when a person has checked that the "
        "children with the same name and date of birth are not this child.",
    )


#: What every child has: a patch may change these but not send them as null.
CHILD_REQUIRED_FIELDS = ("given_name", "family_name", "sex", "ethnicity", "disabilities")


class ChildPatch(Strict):
    """Fields to change; omitted fields keep their value. Send ``If-Match`` with the version.
    Only what a child may lack (a date of birth, identifiers, address) may be sent as null."""

    # SkipJsonSchema: the OpenAPI document does not offer null where it is refused.
    given_name: Name | SkipJsonSchema[None] = None
    family_name: Name | SkipJsonSchema[None] = None
    date_of_birth: Day | None = None
    expected_date_of_birth: Day | None = None
    sex: Sex | SkipJsonSchema[None] = None
    ethnicity: Ethnicity | SkipJsonSchema[None] = None
    disabilities: Disabilities | SkipJsonSchema[None] = None
    upn: Upn | None = None
    nhs_number: NhsNumber | None = None
    address: Address | None = None
    postcode: Postcode | None = None

    @field_validator(*CHILD_REQUIRED_FIELDS, mode="before")
    @classmethod
    def _required_fields_are_not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null (every child has one); leave the field out to keep its value")
        return value


class ChildOut(BaseModel):
    id: uuid.UUID
    la_child_id: str
    given_name: str
    family_name: str
    date_of_birth: date | None
    expected_date_of_birth: date | None
    sex: Sex
    ethnicity: Ethnicity
    disabilities: list[Disability]
    upn: str | None
    nhs_number: str | None
    address: str | None
    postcode: str | None
    version: int


class Referrer(Strict):
    name: Name
    agency: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


REFERRAL_EXAMPLE: dict[str, Any] = {
    "child": CHILD_EXAMPLE,
    "received_at": "2026-11-26T09:30:00Z",
    "source": "6",
    "referrer": {"name": "PC Example", "agency": "Example Constabulary"},
    "concerns": "Police attended a domestic incident at the home overnight; the child was present.",
    "lawful_basis": "public_task_safeguarding_children",
    "suggested_threshold": "child_in_need",
    "team": "north",
}


class ReferralIn(Strict):
    """A referral for a new child (``child``) or a registered one (``child_id``): exactly one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [REFERRAL_EXAMPLE]})

    child_id: uuid.UUID | None = None
    # validate_default: the check runs when ``child`` is left out too, so the error names the field.
    child: ChildIn | None = Field(None, validate_default=True)
    received_at: Instant
    source: ReferralSource
    referrer: Referrer
    concerns: Text
    lawful_basis: LawfulBasis
    suggested_threshold: ThresholdLevel
    team: TeamId = Field(description="The team that will work with the family if the case proceeds")

    @field_validator("child")
    @classmethod
    def _exactly_one_child(cls, child: ChildIn | None, info: ValidationInfo) -> ChildIn | None:
        if "child_id" not in info.data:  # child_id itself is invalid, and its error says so
            return child
        if (info.data["child_id"] is None) == (child is None):
            raise ValueError("give exactly one of child_id (a registered child) or child (a new child)")
        return child


class DecisionIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "outcome": "assessment",
                    "reasons": "Domestic abuse with the child present; needs a single assessment.",
                    "team": "north",
                }
            ]
        },
    )

    outcome: DecisionOutcome
    reasons: Text
    team: TeamId


class CorrectionIn(DecisionIn):
    correction_reason: Text


class InformationRequestIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "agency": "police",
                    "question": "Previous call-outs to the address in the last 12 months?",
                    "due_at": "2026-11-26T16:00:00Z",
                }
            ]
        },
    )

    agency: Agency
    question: Text
    due_at: Instant


class InformationAnswerIn(Strict):
    answer: Text


class InformationRequestOut(BaseModel):
    id: uuid.UUID
    agency: Agency
    question: str
    requested_by: str
    requested_at: datetime
    due_at: datetime
    answer: str | None
    answered_at: datetime | None
    overdue: bool


class DecisionOut(BaseModel):
    id: uuid.UUID
    outcome: DecisionOutcome
    reasons: str
    team: str
    decided_by: str
    decided_at: datetime
    corrects: uuid.UUID | None
    correction_reason: str | None


class ReferralOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    child: ChildOut
    received_at: datetime
    source: ReferralSource
    referrer: Referrer
    concerns: str
    lawful_basis: LawfulBasis
    suggested_threshold: ThresholdLevel
    team: str
    re_referral: bool
    stepped_up_from: uuid.UUID | None
    decision_due_at: datetime
    overdue: bool
    status: str
    decision: DecisionOut | None
    decided_within_one_working_day: bool | None
    closed_on: date | None
    closure_reason: str | None
    information_requests: list[InformationRequestOut]
    version: int


class QueueItem(BaseModel):
    referral_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    child_name: str
    received_at: datetime
    source: ReferralSource
    suggested_threshold: ThresholdLevel
    team: str
    re_referral: bool
    decision_due_at: datetime
    overdue: bool
    open_information_requests: int


class QueuePage(BaseModel):
    items: list[QueueItem]
    next_cursor: str | None


class PossibleMatch(BaseModel):
    """A registered child that a new child's details match, in a 409 answer's ``candidates``
    (only to callers who may see every child: the front door)."""

    child_id: uuid.UUID = Field(description="the registered child")
    la_child_id: str = Field(description="the council's own id of the registered child")
    matched_on: list[str] = Field(
        description="the fields that matched: given_name, family_name, date_of_birth, nhs_number_or_upn"
    )
    differs_on: list[str] = Field(default_factory=list, description="identity fields that differ despite a matching identifier")
