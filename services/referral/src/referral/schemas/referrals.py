"""The API's models of referrals, decisions, information requests, contacts and the front door's lists."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationInfo, field_validator

from continuum.contracts import DecisionOutcome
from continuum.contracts.codes import ReasonForClosure
from continuum.web.limits import Instant
from referral import examples
from referral.domain import Intake
from referral.schemas.children import ChildIn, ChildOut
from referral.schemas.vocabulary import (
    NAME,
    AgencyCode,
    AllocatedTeam,
    Answer,
    Basis,
    CaseId,
    ChildId,
    ChildName,
    ClosedOn,
    Concerns,
    CorrectionReason,
    DecidedAt,
    DecidedBy,
    DueAt,
    EpisodeStatus,
    Id,
    Outcome,
    Overdue,
    Question,
    Reasons,
    ReceivedAt,
    ReferralDate,
    ReferralId,
    ReferredTeam,
    ReReferral,
    Source,
    Status,
    SteppedUpFrom,
    Strict,
    Team,
    Threshold,
    Version,
    WhenReceived,
    doc,
)


class Referrer(Strict):
    """Who made the referral."""

    name: Annotated[str, NAME, doc("The referrer's name")]
    agency: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), doc("The referrer's agency")]


class ReferralIn(Strict):
    """A referral for a new child (``child``) or a registered one (``child_id``): exactly one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.REFERRAL]})

    child_id: Annotated[uuid.UUID | None, doc("A registered child (or send `child`)")] = None
    # validate_default: the check runs when ``child`` is left out too, so the error names the field.
    child: ChildIn | None = doc("A child to register with the referral (or send `child_id`)", default=None, validate_default=True)
    received_at: ReceivedAt
    source: Source
    referrer: Annotated[Referrer, doc("Who made the referral")]
    concerns: Concerns
    lawful_basis: Basis
    suggested_threshold: Threshold
    team: Team = doc("The team that will work with the family if the case proceeds")

    @field_validator("child")
    @classmethod
    def _exactly_one_child(cls, child: ChildIn | None, info: ValidationInfo) -> ChildIn | None:
        if "child_id" not in info.data:  # child_id itself is invalid, and its error says so
            return child
        if (info.data["child_id"] is None) == (child is None):
            raise ValueError("give exactly one of child_id (a registered child) or child (a new child)")
        return child

    def intake(self, *, stepped_up_from: uuid.UUID | None = None) -> Intake:
        return Intake(
            received_at=self.received_at,
            source=self.source,
            referrer_name=self.referrer.name,
            referrer_agency=self.referrer.agency,
            concerns=self.concerns,
            lawful_basis=self.lawful_basis,
            suggested_threshold=self.suggested_threshold,
            team=self.team,
            stepped_up_from=stepped_up_from,
        )


class DecisionIn(Strict):
    """The front door's decision; send ``If-Match`` with the referral's version."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.DECISION]})

    outcome: Outcome
    reasons: Reasons
    team: AllocatedTeam


class CorrectionIn(DecisionIn):
    """A new decision that replaces the one in force, with the reason; send ``If-Match``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.CORRECTION]})

    correction_reason: CorrectionReason


class InformationRequestIn(Strict):
    """A question to a partner agency about the referral."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.QUESTION]})

    agency: AgencyCode
    question: Question
    due_at: Annotated[Instant, doc("When the answer is due (with a time zone; in the future)")]


class InformationAnswerIn(Strict):
    """The agency's answer; recorded once."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.ANSWER]})

    answer: Answer


class InformationRequestOut(BaseModel):
    """A question to a partner agency, and its answer once recorded."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.QUESTION_OUT]})

    id: Id
    agency: AgencyCode
    question: Annotated[str, doc("What the agency is asked")]
    requested_by: Annotated[str, doc("Who asked (their token's subject)")]
    requested_at: Annotated[datetime, doc("When it was asked")]
    due_at: Annotated[datetime, doc("When the answer is due")]
    answer: Annotated[str | None, doc("The agency's answer; null until recorded")]
    answered_at: Annotated[datetime | None, doc("When the answer was recorded")]
    overdue: Overdue


class DecisionOut(BaseModel):
    """One front-door decision: the original, or a correction naming the decision it corrects."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.DECISION_OUT]})

    id: Id
    outcome: Outcome
    reasons: Annotated[str, doc("Why the manager decided so")]
    team: Annotated[str, doc("The team the case is allocated to")]
    decided_by: DecidedBy
    decided_at: DecidedAt
    corrects: Annotated[uuid.UUID | None, doc("The decision this one corrects; null for the original")]
    correction_reason: Annotated[str | None, doc("Why it was corrected; null for the original")]


class ContactOut(BaseModel):
    """A referral received while the child's episode was open: recorded on that episode, never a
    second one (census rules 8815, 8820). A step-up from early help that came after the episode's
    closure (the events crossed) opens its referral when the closure arrives (``became_referral_id``)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.CONTACT_OUT]})

    id: Id
    case_id: Annotated[uuid.UUID, doc("The open episode it was recorded on")]
    referral_id: Annotated[uuid.UUID, doc("The referral that opened that episode")]
    child_id: ChildId
    received_at: Annotated[datetime, doc("When it was received (a step-up: when early help asked)")]
    source: Source
    referrer: Annotated[Referrer, doc("Who made it")]
    concerns: Annotated[str, doc("The concerns, as told")]
    team: Annotated[str, doc("The team it was addressed to")]
    stepped_up_from: SteppedUpFrom
    recorded_at: Annotated[datetime, doc("When this service recorded it")]
    became_referral_id: Annotated[uuid.UUID | None, doc("The referral it opened once the episode closed, if it did")]


class ContactItem(ContactOut):
    """A contact on the front door's list, with the child's name."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.CONTACT_ITEM]})

    child_name: ChildName


class ReferralOut(BaseModel):
    """A referral with its child, its decision history and its information requests."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.REFERRAL_OUT]})

    id: ReferralId
    case_id: CaseId
    child: Annotated[ChildOut, doc("The child referred")]
    received_at: WhenReceived
    referral_date: ReferralDate
    source: Source
    referrer: Annotated[Referrer, doc("Who made the referral")]
    concerns: Annotated[str, doc("The referrer's concerns, as told")]
    lawful_basis: Basis
    suggested_threshold: Threshold
    team: ReferredTeam
    re_referral: ReReferral
    stepped_up_from: SteppedUpFrom
    decision_due_at: DueAt
    overdue: Overdue
    status: Status
    decision: Annotated[DecisionOut | None, doc("The decision in force (the last of `decisions`); null until decided")]
    decisions: Annotated[list[DecisionOut], doc("Every decision in order: the original, then each correction")]
    decided_within_one_working_day: Annotated[bool | None, doc("Whether the original decision came by its due time")]
    episode_status: EpisodeStatus
    closed_on: ClosedOn
    closure_reason: Annotated[
        ReasonForClosure | None,
        doc("Census reason for closure, as the step-down service closed the episode; null while open"),
    ]
    information_requests: Annotated[list[InformationRequestOut], doc("Questions to partner agencies, in the order asked")]
    contacts: Annotated[
        list[ContactOut], doc("Referrals received while this episode was open (step-ups from early help), recorded on it")
    ]
    version: Version


class ReferralSummary(BaseModel):
    """A referral as a list shows it: no narrative, the decision in force."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.REFERRAL_SUMMARY]})

    id: ReferralId
    case_id: CaseId
    child_id: ChildId
    received_at: WhenReceived
    referral_date: ReferralDate
    source: Source
    team: ReferredTeam
    re_referral: ReReferral
    status: Status
    outcome: Annotated[DecisionOutcome | None, doc("The decision in force; null until decided")]
    allocated_team: Annotated[str | None, doc("The team the decision allocated the case to")]
    episode_status: EpisodeStatus
    closed_on: ClosedOn
    version: Version


class QueueItem(BaseModel):
    """An undecided referral on the front door's queue."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.QUEUE_ITEM]})

    referral_id: ReferralId
    case_id: CaseId
    child_id: ChildId
    child_name: ChildName
    received_at: WhenReceived
    source: Source
    suggested_threshold: Threshold
    team: ReferredTeam
    re_referral: ReReferral
    decision_due_at: DueAt
    overdue: Overdue
    open_information_requests: Annotated[int, doc("Questions to partner agencies not answered yet")]
