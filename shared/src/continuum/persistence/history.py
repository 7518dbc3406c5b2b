"""A service's events as its history: every event it committed, published or not, from the event
history (what the relay published long ago) and the outbox (the rest), in one ``seq`` order
(decision 53). What ``GET /v1/history`` pages through, and what a rebuild of insight's read model
reads, so that nothing of a rebuild comes from the broker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from continuum.persistence.db import event_history, outbox


@dataclass(frozen=True)
class HistoryPage:
    """Up to a page of events as ``(seq, envelope)`` in ``seq`` order, and the ``seq`` to read on
    after (``None``: this was the last page)."""

    events: list[tuple[int, dict[str, Any]]]
    next_after: int | None

    @property
    def last(self) -> int | None:
        return self.events[-1][0] if self.events else None


async def read_history(session: AsyncSession, *, after: int, limit: int, topics: Sequence[str] | None = None) -> HistoryPage:
    """The events after ``seq`` ``after`` (of ``topics`` only, if given), at most ``limit``.

    A row is in exactly one of the two tables (the upkeep moves it in one statement) and keeps its
    ``seq``, so the union is the outbox's whole order. Like any order by ``seq``, it sees an event
    only once its transaction has committed: one committing while a rebuild pages may land behind
    the page already read; it reaches the read model through the broker as usual (decision 53)."""

    def branch(table: Table) -> Any:
        query = select(table.c.seq, table.c.payload).where(table.c.seq > after)
        if topics:
            query = query.where(table.c.topic.in_(list(topics)))
        return query.order_by(table.c.seq).limit(limit + 1)

    both = union_all(branch(event_history), branch(outbox)).subquery()
    rows = (await session.execute(select(both.c.seq, both.c.payload).order_by(both.c.seq).limit(limit + 1))).all()
    events = [(int(row.seq), row.payload) for row in rows[:limit]]
    return HistoryPage(events, events[-1][0] if len(rows) > limit else None)
