"""Requests for information to partner agencies, and their answers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from continuum.casework.errors import Conflict, Invalid
from continuum.contracts import EventData, InformationReceived, InformationRequested
from referral.domain.referrals import ReferralState


class Agency(StrEnum):
    """A partner agency the front door may ask for information."""

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


@dataclass(frozen=True, kw_only=True)
class InformationRequestState:
    id: uuid.UUID
    referral_id: uuid.UUID
    agency: Agency
    question: str
    requested_by: str
    requested_at: datetime
    due_at: datetime
    answer: str | None = None
    answered_at: datetime | None = None
    recorded_by: str | None = None

    def overdue(self, now: datetime) -> bool:
        return self.answered_at is None and now > self.due_at


def request_information(
    referral: ReferralState, *, agency: Agency, question: str, due_at: datetime, by: str, now: datetime
) -> tuple[InformationRequestState, list[EventData]]:
    """A question to a partner agency about the referral, due by ``due_at``."""
    if due_at.tzinfo is None:
        raise Invalid("due_at", "give a time zone (e.g. 2026-11-26T16:00:00Z)")
    if due_at <= now:
        raise Invalid("due_at", "must be in the future")
    request = InformationRequestState(
        id=uuid.uuid4(),
        referral_id=referral.id,
        agency=agency,
        question=question,
        requested_by=by,
        requested_at=now,
        due_at=due_at,
    )
    event = InformationRequested(
        request_id=request.id, referral_id=referral.id, case_id=referral.case_id, agency=agency.value, due_at=due_at
    )
    return request, [event]


def record_information(
    request: InformationRequestState, *, referral: ReferralState, answer: str, by: str, now: datetime
) -> tuple[InformationRequestState, list[EventData]]:
    """The agency's answer, once; on time when it came by the due time."""
    if request.answered_at is not None:
        raise Conflict("this request already has its answer", field="answer", slug="already-answered")
    answered = replace(request, answer=answer, answered_at=now, recorded_by=by)
    event = InformationReceived(
        request_id=request.id,
        referral_id=referral.id,
        case_id=referral.case_id,
        agency=request.agency.value,
        received_at=now,
        on_time=now <= request.due_at,
    )
    return answered, [event]
