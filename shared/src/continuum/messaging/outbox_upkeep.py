"""The outbox's upkeep, done by the relay between batches: pruning what was published long ago, and
the backlog metrics (how many events wait, how long the oldest has waited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.observability import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE
from continuum.persistence.db import outbox


async def prune_outbox(session_factory: async_sessionmaker[AsyncSession], *, retention: timedelta) -> int:
    """Delete events published longer ago than ``retention``: the topics hold them now, and the
    table would otherwise grow for ever. Unpublished rows are never touched. How many went."""
    cutoff = datetime.now(UTC) - retention
    async with session_factory() as session, session.begin():
        result = await session.execute(delete(outbox).where(outbox.c.published_at < cutoff))
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
