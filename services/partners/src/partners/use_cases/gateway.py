"""The gateway's step for each status on ``continuum.partner-status``, in the consumer's transaction
(with its inbox row, so a redelivered event changes nothing): every agency's decision logged, and the
status published through the outbox to each agency that may have it, on its own topic."""

from __future__ import annotations

from typing import Any

from continuum.casework import clock
from continuum.contracts import Envelope, StatusChanged, StatusWithheld
from continuum.persistence.uow import EventKey, Transaction
from partners import repository
from partners.domain import Decision, Held, Outcome, Source, decide_changed, decide_withheld, log_id
from partners.domain.policy import PartnersPolicy
from partners.repository import LogEntry


def _source(event: Envelope[Any]) -> Source:
    return Source(event_id=event.id, service=event.source, time=event.time)


def _entries(outcomes: list[Outcome], source: Source, **about: Any) -> list[LogEntry]:
    """The log rows of one source event's decisions, all decided at the same instant."""
    now = clock.now()
    return [_entry(o, source, decided_at=now, **about) for o in outcomes]


def _entry(outcome: Outcome, source: Source, **about: Any) -> LogEntry:
    return LogEntry(
        id=outcome.sent_id or log_id(source.event_id, outcome.agency.id),
        agency_id=outcome.agency.id,
        decision=outcome.decision,
        lawful_basis=str(outcome.agency.lawful_basis),
        source_service=source.service,
        source_event_id=source.event_id,
        **about,
    )


async def status_changed(tx: Transaction, event: Envelope[Any], *, policy: PartnersPolicy) -> list[Outcome]:
    """A status with an NHS number: shared with each subscribed agency that was not sent a newer one."""
    changed: StatusChanged = event.data
    source = _source(event)
    held = await repository.held(tx, changed.nhs_number)
    outcomes = decide_changed(changed, source=source, policy=policy, held=held)
    for outcome in outcomes:
        if outcome.decision is Decision.SHARED and outcome.sent is not None:
            await tx.publish(
                outcome.sent, aggregate=EventKey(changed.nhs_number, 0), topic=outcome.agency.topic, event_id=outcome.sent_id
            )
            await repository.hold(
                tx,
                agency_id=outcome.agency.id,
                nhs_number=changed.nhs_number,
                held=Held(changed.status, changed.since, source.time),
                source_event_id=source.event_id,
            )
    about = {"status": changed.status, "since": changed.since, "nhs_number": changed.nhs_number, "child_id": None}
    await repository.log(tx, _entries(outcomes, source, **about))
    return outcomes


async def status_withheld(tx: Transaction, event: Envelope[Any], *, policy: PartnersPolicy) -> list[Outcome]:
    """A status no agency may be told (no NHS number known): each agency's decision logged, nothing sent."""
    withheld: StatusWithheld = event.data
    source = _source(event)
    outcomes = decide_withheld(withheld.status, withheld.reason, policy=policy)
    about = {"status": withheld.status, "since": withheld.since, "nhs_number": None, "child_id": withheld.child_id}
    await repository.log(tx, _entries(outcomes, source, **about))
    return outcomes
