"""The consumer's inbox: an event id claimed per consumer, in the transaction that handles the
event, makes a redelivery a duplicate; ids are forgotten only after every topic forgot the event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.contracts import Envelope
from continuum.messaging.kafka import TOPIC_RETENTION_MS
from continuum.persistence.db import inbox

#: Handled event ids are kept longer than any topic keeps events (``TOPIC_RETENTION_MS``, 400 days),
#: so no event can be delivered again, even to a group that lost its offsets, after its id is forgotten.
INBOX_RETENTION = timedelta(milliseconds=TOPIC_RETENTION_MS) + timedelta(days=1)

# Built once: claiming an event id for this consumer, or finding it already claimed.
_CLAIM_IN_INBOX = (
    pg_insert(inbox)
    .values(consumer=bindparam("consumer"), event_id=bindparam("event_id"), event_type=bindparam("event_type"))
    .on_conflict_do_nothing()
    .returning(inbox.c.event_id)
)

# Built once: claiming a run's event ids in one statement (arrays, so it is prepared once whatever the run's length).
_CLAIMED = select(
    bindparam("consumer", type_=String()),
    func.unnest(bindparam("event_ids", type_=ARRAY(UUID(as_uuid=True)))),
    func.unnest(bindparam("event_types", type_=ARRAY(String()))),
)
_CLAIM_ALL_IN_INBOX = (
    pg_insert(inbox)
    .from_select(["consumer", "event_id", "event_type"], _CLAIMED)
    .on_conflict_do_nothing()
    .returning(inbox.c.event_id)
)


async def claim(session: AsyncSession, consumer: str, event: Envelope[Any]) -> bool:
    """Claim ``event`` for ``consumer`` in the session's transaction: ``False`` when it was claimed before."""
    params = {"consumer": consumer, "event_id": event.id, "event_type": event.type}
    return (await session.execute(_CLAIM_IN_INBOX, params)).first() is not None


async def claim_all(session: AsyncSession, consumer: str, events: Sequence[Envelope[Any]]) -> set[Any]:
    """Claim ``events`` in one prepared statement; the ids not claimed before."""
    params = {"consumer": consumer, "event_ids": [e.id for e in events], "event_types": [e.type for e in events]}
    return set((await session.execute(_CLAIM_ALL_IN_INBOX, params)).scalars())


async def prune_inbox(session_factory: async_sessionmaker[AsyncSession], consumer: str, *, retention: timedelta) -> int:
    """Forget ``consumer``'s handled event ids older than ``retention``: the topics no longer hold
    those events, so none can be delivered again (docs/operations.md, "Retention")."""
    cutoff = datetime.now(UTC) - retention
    async with session_factory() as session, session.begin():
        result = await session.execute(delete(inbox).where(inbox.c.consumer == consumer, inbox.c.handled_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
