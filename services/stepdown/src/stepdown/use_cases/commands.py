"""What the API asks the use cases to do: plain values, built from the request models (the use
cases know no HTTP and no pydantic)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from continuum.contracts.codes import ReasonForClosure
from stepdown.domain import DeclineReason, EarlyHelpOutcome, Engagement, Handover, Rating, StepdownStatus


@dataclass(frozen=True)
class RecordHandover:
    stepdown_id: uuid.UUID
    version: int
    handover: Handover


@dataclass(frozen=True)
class Accept:
    stepdown_id: uuid.UUID
    version: int


@dataclass(frozen=True)
class Decline:
    stepdown_id: uuid.UUID
    version: int
    reason: DeclineReason
    #: What the team manager needs to know (stays in the service: the event carries the reason only).
    detail: str


@dataclass(frozen=True)
class RecordEngagement:
    stepdown_id: uuid.UUID
    version: int
    engagement: Engagement
    #: The London date of the check (``None``: today).
    on: date | None


@dataclass(frozen=True)
class RecordOutcome:
    stepdown_id: uuid.UUID
    version: int
    outcome: EarlyHelpOutcome
    closed_on: date


@dataclass(frozen=True)
class Close:
    stepdown_id: uuid.UUID
    version: int
    reason: ReasonForClosure
    #: The census closure date (``None``: when statutory work ended).
    on: date | None
    unmet_need: bool


@dataclass(frozen=True)
class RequestStepUp:
    child_id: uuid.UUID
    stepdown_id: uuid.UUID | None
    #: The social-care team asked for (``None``, or not a team of the council: the step-down's, or the front door).
    team: str | None
    concerns: str
    what_was_tried: str


@dataclass(frozen=True)
class RecordFinding:
    month: str
    item_id: uuid.UUID
    version: int
    rating: Rating
    finding: str
    learning: str


@dataclass(frozen=True)
class ListStepdowns:
    """Step-downs of ``team`` (``None``: the caller's), of one child or case if asked, a page at a time."""

    team: str | None
    status: StepdownStatus | None
    child_id: uuid.UUID | None
    case_id: uuid.UUID | None
    cursor: str | None
    limit: int


@dataclass(frozen=True)
class Measure:
    date_from: date
    date_to: date
    team: str | None
