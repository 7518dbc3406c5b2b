"""The published language: every event Continuum services exchange, and its JSON Schema.

Add a contract by defining an :class:`EventData` subclass in the producer's module and listing it
in :data:`CATALOGUE`. A change that breaks a published schema needs a new ``schema_version``.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from pydantic import ValidationError

from continuum.contracts.assessment import (
    ASSESSMENT_TOPIC,
    AssessmentAllocated,
    AssessmentAuthorised,
    AssessmentOpened,
    AssessmentOverdue,
    AssessmentReallocationRequired,
    AssessmentReassigned,
    AssessmentRecorded,
    AssessmentReturned,
    AssessmentSubmitted,
    AssessmentWithdrawn,
    Section47Concluded,
    Section47Started,
    Section47Withdrawn,
)
from continuum.contracts.envelope import Envelope, EventData
from continuum.contracts.partner import (
    AGENCY_TOPIC_PREFIX,
    PARTNER_STATUS_TOPIC,
    PartnerStatus,
    PartnerStatusShared,
    StatusChanged,
    StatusWithheld,
    WithheldReason,
    agency_topic,
)
from continuum.contracts.plan import (
    PLAN_TOPIC,
    CareProceedingsLetterSent,
    MeetingScheduled,
    PlanCategoryChanged,
    PlanDrafted,
    PlanDriftDetected,
    PlanEnded,
    PlanReviewed,
    PlanStarted,
    PreproceedingsDecided,
    PreproceedingsRecorded,
    PreproceedingsStarted,
    StrategyDiscussionRecorded,
    VisitRecorded,
)
from continuum.contracts.referral import (
    REFERRAL_TOPIC,
    ChildRegistered,
    ChildUpdated,
    DecisionOutcome,
    InformationReceived,
    InformationRequested,
    ReferralDecided,
    ReferralReceived,
    ThresholdLevel,
)
from continuum.contracts.retired import RETIRED
from continuum.contracts.stepdown import (
    STEPDOWN_TOPIC,
    CaseClosed,
    CaseReopened,
    StepdownAccepted,
    StepdownDecisionCorrected,
    StepdownDeclined,
    StepdownEngagementRecorded,
    StepdownEscalated,
    StepdownRequested,
    StepdownWithdrawn,
    StepUpRequested,
)

CATALOGUE: dict[str, type[EventData]] = {
    cls.event_type: cls
    for cls in (
        ChildRegistered,
        ChildUpdated,
        ReferralReceived,
        ReferralDecided,
        InformationRequested,
        InformationReceived,
        StepUpRequested,
        StatusChanged,
        StatusWithheld,
        PartnerStatusShared,
        AssessmentOpened,
        AssessmentAllocated,
        AssessmentRecorded,
        AssessmentSubmitted,
        AssessmentReturned,
        AssessmentAuthorised,
        AssessmentOverdue,
        AssessmentWithdrawn,
        AssessmentReassigned,
        AssessmentReallocationRequired,
        Section47Started,
        Section47Concluded,
        Section47Withdrawn,
        PlanDrafted,
        PlanStarted,
        PlanReviewed,
        PlanCategoryChanged,
        VisitRecorded,
        MeetingScheduled,
        PlanDriftDetected,
        PreproceedingsStarted,
        PreproceedingsRecorded,
        PreproceedingsDecided,
        CareProceedingsLetterSent,
        StrategyDiscussionRecorded,
        PlanEnded,
        StepdownRequested,
        StepdownAccepted,
        StepdownDeclined,
        StepdownEscalated,
        StepdownEngagementRecorded,
        StepdownWithdrawn,
        StepdownDecisionCorrected,
        CaseClosed,
        CaseReopened,
    )
}

ALL_TOPICS = (
    REFERRAL_TOPIC,
    ASSESSMENT_TOPIC,
    PLAN_TOPIC,
    STEPDOWN_TOPIC,
    PARTNER_STATUS_TOPIC,
)


class UnknownEventType(ValueError):
    pass


@functools.cache
def _envelope_of(data_cls: type[EventData]) -> type[Envelope[Any]]:
    """The envelope model of one event type, parametrised once (pydantic looks a parametrisation
    up again at every subscription, which costs more than validating a small event)."""
    return Envelope[data_cls]  # type: ignore[valid-type]


def parse_event(raw: bytes | str | dict[str, Any]) -> Envelope[Any]:
    """Validate a wire message against its contract. Raises ``ValueError`` (or a subclass) with the
    reason when it is not JSON, has no known type, or does not match the schema."""
    try:
        obj = json.loads(raw) if isinstance(raw, bytes | str) else raw
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise ValueError("event is not a JSON object")
    event_type = obj.get("type")
    data_cls = CATALOGUE.get(str(event_type))
    if data_cls is None:
        raise UnknownEventType(f"unknown event type {event_type!r}")
    try:
        return _envelope_of(data_cls).model_validate(obj)
    except ValidationError as exc:
        raise ValueError(f"{event_type} does not match its contract: {exc}") from exc


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every event's envelope, keyed by ``<type>.v<version>``."""
    versions = [*CATALOGUE.values(), *RETIRED]
    return {
        f"{cls.event_type}.v{cls.schema_version}": Envelope[cls].model_json_schema()  # type: ignore[valid-type]
        for cls in sorted(versions, key=lambda c: (c.event_type, c.schema_version))
    }


__all__ = [
    "AGENCY_TOPIC_PREFIX",
    "ALL_TOPICS",
    "ASSESSMENT_TOPIC",
    "CATALOGUE",
    "PARTNER_STATUS_TOPIC",
    "PLAN_TOPIC",
    "REFERRAL_TOPIC",
    "STEPDOWN_TOPIC",
    "ChildRegistered",
    "ChildUpdated",
    "DecisionOutcome",
    "Envelope",
    "EventData",
    "InformationReceived",
    "InformationRequested",
    "PartnerStatus",
    "PartnerStatusShared",
    "ReferralDecided",
    "ReferralReceived",
    "StatusChanged",
    "StatusWithheld",
    "StepUpRequested",
    "ThresholdLevel",
    "UnknownEventType",
    "WithheldReason",
    "agency_topic",
    "json_schemas",
    "parse_event",
]
