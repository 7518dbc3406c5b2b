"""The consumer's in-transaction step: keep one case event in the read model. Idempotent twice
over (the kernel's inbox, and the event id as the row's key), and indifferent to order: each write
only adds what the event says (its row, its case's child, the teams it names; the child's copy
keeps the newest version)."""

from __future__ import annotations

from typing import Any

from continuum.contracts import ChildRegistered, ChildUpdated, Envelope
from continuum.persistence.child_copy import keep_child_copies, keep_child_copy
from continuum.persistence.uow import Transaction
from insight import domain, repository
from insight.tables import Child


async def record(tx: Transaction, event: Envelope[Any]) -> None:
    """Keep ``event`` (any event type of a case topic) in the read model."""
    kept = domain.case_event(event)
    if not await repository.add_event(tx, kept):
        return  # recorded already: a redelivery changes nothing
    if kept.case_id is not None and kept.child_id is not None:
        await repository.add_episode(tx, case_id=kept.case_id, child_id=kept.child_id)
    if kept.child_id is not None:
        await repository.add_child_teams(tx, child_id=kept.child_id, teams=kept.teams)
    if isinstance(event.data, ChildRegistered | ChildUpdated):
        await keep_child_copy(tx, Child, event.data)


async def record_all(tx: Transaction, events: list[Envelope[Any]], kept: list[domain.CaseEvent] | None = None) -> None:
    """Keep ``events`` (a run the inbox claimed, each once) as :func:`record` keeps each, with one
    statement per kind of row: the same rows, whatever their order (each write only adds).
    ``kept``: the events as the read model keeps them, when the caller has made them already."""
    kept = kept if kept is not None else [domain.case_event(e) for e in events]
    new = await repository.add_events(tx, kept)
    fresh = [(k, e) for k, e in zip(kept, events, strict=True) if k.id in new]
    await repository.add_episodes(tx, [(k.case_id, k.child_id) for k, _ in fresh if k.case_id and k.child_id])
    await repository.add_children_teams(tx, [(k.child_id, t) for k, _ in fresh if k.child_id for t in k.teams])
    await keep_child_copies(tx, Child, [e.data for _, e in fresh if isinstance(e.data, ChildRegistered | ChildUpdated)])
