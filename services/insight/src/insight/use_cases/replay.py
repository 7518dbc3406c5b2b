"""A rebuild of the read model (decision 53): emptying it, and the replay of events from the
services' histories. The replay: events from the services' histories handed to the read
model's consumer exactly as the broker's are (``EventConsumer.handle``: the same handler, the
inbox row in the handler's transaction), so an event the read model has, from the broker or an
earlier replay, is a duplicate and changes nothing. Each event commits in its own transaction, as
from the broker; a batch that fails part-way (the database away) is sent again whole, harmlessly."""

from __future__ import annotations

import logging
from typing import Any

from continuum.casework.errors import Invalid
from continuum.contracts import Envelope, parse_event
from continuum.messaging.consumer import EventConsumer
from continuum.messaging.failures import refusal
from continuum.persistence.uow import UnitOfWork
from insight import repository
from insight.results import Replayed
from insight.use_cases.commands import ReplayEvents

log = logging.getLogger("insight.replay")


def _read(events: tuple[dict[str, Any], ...], consumer: EventConsumer) -> list[Envelope[Any] | None]:
    """Each event read against its contract, ``None`` for one the read model does not take; the
    first that is not an event at all answers 422 naming it, before anything is handled."""
    read: list[Envelope[Any] | None] = []
    for index, raw in enumerate(events):
        if raw.get("type") not in consumer.handlers:
            read.append(None)
            continue
        try:
            read.append(parse_event(raw))  # a type the consumer handles is one the contracts know
        except ValueError as exc:
            raise Invalid(f"events.{index}", f"not an event of its contract: {str(exc).splitlines()[0]}") from exc
    return read


async def replay(uow: UnitOfWork, command: ReplayEvents, *, consumer: EventConsumer) -> Replayed:
    """Hand every event of ``command`` the read model takes to ``consumer``, all in one transaction
    as a partition's batch from the broker; if that fails, one by one, so that only an event the
    read model refuses is left out (counted); one audit row."""
    read = _read(command.events, consumer)
    taken = [event for event in read if event is not None]
    outcomes = {"handled": 0, "duplicate": 0, "skipped": len(read) - len(taken), "refused": 0}
    try:
        for outcome in await consumer.handle_all(taken):
            outcomes[outcome] += 1
    except Exception:  # noqa: BLE001  (the one to blame is found one by one; a cause that is not a refusal is raised there)
        await _one_by_one(taken, consumer, outcomes)
    result = Replayed(
        received=len(command.events),
        recorded=outcomes["handled"],
        duplicates=outcomes["duplicate"],
        skipped=outcomes["skipped"],
        refused=outcomes["refused"],
    )
    async with uow as tx:
        await tx.audit(
            "read_model.replay",
            subject_type="read_model",
            subject_id=f"{result.recorded} new of {result.received}",
            purpose="read model rebuild",
        )
    return result


async def _one_by_one(events: list[Envelope[Any]], consumer: EventConsumer, outcomes: dict[str, int]) -> None:
    """Each event in its own transaction, as the broker's consumer does after a batch failed: a
    refused one is counted and logged by id; any other failure is raised (a 5xx: the batch is sent
    again, harmlessly)."""
    for event in events:
        try:
            outcomes[await consumer.handle(event, consumer.handlers[event.type])] += 1
        except Exception as failed:  # the consumer raises its own wrapper of the cause
            cause = getattr(failed, "cause", failed)
            if refusal(cause) is None:
                raise cause from failed  # the database away, a bug: a 5xx, and the batch is sent again
            log.warning("replayed event refused", extra={"event_id": str(event.id), "event_type": event.type})
            outcomes["refused"] += 1


async def empty(uow: UnitOfWork) -> dict[str, int]:
    """Empty the read model for a rebuild from nothing, in one transaction; one audit row."""
    async with uow as tx:
        emptied = await repository.empty_read_model(tx)
        events = f"{emptied['case_events']} events"
        await tx.audit("read_model.empty", subject_type="read_model", subject_id=events, purpose="read model rebuild")
    return emptied
