"""The read model's consumer: every event of the case topics (referral, assessment, plan,
step-down; not the partner-status topic), each event type of the contracts, through the kernel's
idempotent consumer (its inbox, retries, and dead letters for what breaks its contract or names a
team the council does not have)."""

from __future__ import annotations

from typing import Any

from continuum.casework.policy import CouncilPolicy
from continuum.contracts import Envelope
from continuum.messaging.consumer import BatchHandler, Handler, PermanentFailure
from continuum.persistence.uow import Transaction
from insight import domain
from insight.use_cases import intake

READ_MODEL_CONSUMER = domain.READ_MODEL_CONSUMER
READ_MODEL_TOPICS = domain.CASE_TOPICS


def _check_teams(event: Envelope[Any], kept: domain.CaseEvent, policy: CouncilPolicy) -> None:
    if any(policy.team(t) is None for t in kept.teams):
        raise PermanentFailure(f"{event.type} names a team the council policy does not know")


def make_handlers(policy: CouncilPolicy) -> dict[str, Handler]:
    async def on_event(tx: Transaction, event: Envelope[Any]) -> None:
        _check_teams(event, domain.case_event(event), policy)
        await intake.record(tx, event)

    return dict.fromkeys(domain.CASE_EVENT_TYPES, on_event)


def make_batch_handlers(policy: CouncilPolicy) -> dict[str, BatchHandler]:
    """One handler for a run of events of any case type (a partition's batch, claimed in the inbox
    with one statement): each kind of row written with one statement for the run. An event naming
    an unknown team fails the run; the runner then hands its events to :func:`make_handlers`' one
    by one, and only that event is dead-lettered."""

    async def on_events(tx: Transaction, events: list[Envelope[Any]]) -> None:
        kept = [domain.case_event(e) for e in events]
        for event, row in zip(events, kept, strict=True):
            _check_teams(event, row, policy)
        await intake.record_all(tx, events, kept)

    return dict.fromkeys(domain.CASE_EVENT_TYPES, on_events)
