"""What the gateway decides for one status and each agency, pure: share it, or log why not (not
subscribed, an older status than the one the agency holds, no NHS number known)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from continuum.contracts.partner import PartnerStatus, PartnerStatusShared, StatusChanged, WithheldReason, shared_event_id
from partners.domain.policy import Agency, PartnersPolicy


class Decision(StrEnum):
    """What was decided for one agency and one status (a sharing log row's ``decision``)."""

    SHARED = "shared"
    NOT_SUBSCRIBED = "not_subscribed"
    #: Older than the status the agency was last sent for the child: not sent after a newer one.
    SUPERSEDED = "superseded"
    NO_NHS_NUMBER = "no_nhs_number"
    #: Reserved: a child's record restricted from sharing is not modelled yet (decision 56).
    RESTRICTED = "restricted"


@dataclass(frozen=True)
class Source:
    """The event a decision is about: who decided the status, and when it was published."""

    event_id: uuid.UUID
    service: str
    time: datetime


@dataclass(frozen=True)
class Held:
    """The latest status an agency was sent for a child (by NHS number): what an older one loses to."""

    status: PartnerStatus
    since: date
    source_time: datetime


@dataclass(frozen=True)
class Outcome:
    """One agency's decision about one status, and what it is sent (``shared`` only)."""

    agency: Agency
    decision: Decision
    sent: PartnerStatusShared | None = None
    sent_id: uuid.UUID | None = None


def decide_changed(changed: StatusChanged, *, source: Source, policy: PartnersPolicy, held: dict[str, Held]) -> list[Outcome]:
    """Each agency's decision for a status with an NHS number: ``not_subscribed`` when its
    subscription leaves the status out; ``superseded`` when it was sent a newer status of the child
    (by ``since``, then by the source event's time); otherwise ``shared``, with the event it is sent.
    ``held``: per agency id, the latest status it was sent for this NHS number."""
    outcomes = []
    for agency in policy.agencies:
        if not agency.receives(changed.status):
            outcomes.append(Outcome(agency, Decision.NOT_SUBSCRIBED))
            continue
        latest = held.get(agency.id)
        if latest is not None and not _later(changed.since, source.time, than=latest):
            outcomes.append(Outcome(agency, Decision.SUPERSEDED))
            continue
        sent = PartnerStatusShared(**changed.model_dump())
        outcomes.append(Outcome(agency, Decision.SHARED, sent=sent, sent_id=shared_event_id(source.event_id, agency.id)))
    return outcomes


def _later(since: date, source_time: datetime, *, than: Held) -> bool:
    return (since, source_time) > (than.since, than.source_time)


def decide_withheld(status: PartnerStatus, reason: WithheldReason, *, policy: PartnersPolicy) -> list[Outcome]:
    """Each agency's decision for a status its service withheld: the reason (``no_nhs_number``) for
    an agency that would have received it, ``not_subscribed`` for the others. Nothing is sent."""
    why = Decision(reason.value)
    return [Outcome(agency, why if agency.receives(status) else Decision.NOT_SUBSCRIBED) for agency in policy.agencies]


def log_id(source_event_id: uuid.UUID, agency_id: str) -> uuid.UUID:
    """A sharing log row's id: one per source event and agency (the id of the event sent, if any)."""
    return shared_event_id(source_event_id, agency_id)
