"""The outbox's upkeep, done by the relay between batches: moving what was published long ago to
the event history, and the backlog metrics (how many events wait, how long the oldest has waited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.observability import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE
from continuum.persistence.db import event_history, outbox

#: What of an outbox row the history keeps: all but the relay's bookkeeping (attempts, last error).
HISTORY_COLUMNS = ("seq", "event_id", "topic", "key", "event_type", "payload", "created_at", "published_at")


async def archive_outbox(
    session_factory: async_sessionmaker[AsyncSession], *, retention: timedelta, now: datetime | None = None
) -> int:
    """Move the events published longer ago than ``retention`` (before ``now``, default the
    wall clock) from the outbox to the event history, in one statement: the hot outbox stays small,
    and the service's history stays whole (decision 53: the topics forget after 400 days, a memory
    broker at its restart; a rebuild of insight's read model reads the history). Unpublished rows
    are never touched. How many moved."""
    cutoff = (now or datetime.now(UTC)) - retention
    moved = (
        delete(outbox).where(outbox.c.published_at < cutoff).returning(*(outbox.c[name] for name in HISTORY_COLUMNS)).cte("moved")
    )
    # The DELETE ... RETURNING is a CTE of the INSERT itself, at the statement's top level (where
    # PostgreSQL wants a data-modifying WITH): the rows leave the outbox only as they enter the history.
    statement = insert(event_history).add_cte(moved).from_select(list(HISTORY_COLUMNS), select(*moved.c))
    async with session_factory() as session, session.begin():
        result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def refresh_outbox_metrics(session_factory: async_sessionmaker[AsyncSession], *, service: str) -> None:
    """Set the backlog gauges: unpublished rows, and the age of the oldest."""
    async with session_factory() as session:
        count, oldest = (
            await session.execute(select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.published_at.is_(None)))
        ).one()
    OUTBOX_BACKLOG.labels(service).set(count)
    age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
    OUTBOX_OLDEST_AGE.labels(service).set(age)
