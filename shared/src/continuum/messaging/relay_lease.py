"""The outbox relay's lease: one replica publishes at a time (``continuum.messaging.relay``).

**A replica frozen inside a transaction holds nothing for long.** Marking locks the lease row
(so a replica that lost the lease marks nothing); a replica frozen between its statements would
keep that lock, and the other replica's take-over (an upsert of that row) would wait on it for as
long as the freeze lasted. So every transaction of the relay sets ``lock_timeout`` (a tenth of the
lease: taking the lease gives up and tries at the next pass instead of waiting) and
``idle_in_transaction_session_timeout`` (half the lease: PostgreSQL ends the session of a replica
frozen mid-transaction, and its locks go with it, before its lease runs out).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.persistence.db import relay_lease

_LEASE_ROW = 1
#: The bounds of every relay transaction, as parts of the lease (see the module's docstring).
LOCK_TIMEOUT_OF_LEASE = 0.1
IDLE_IN_TRANSACTION_OF_LEASE = 0.5
_BOUNDED = text(
    "SELECT set_config('lock_timeout', :lock_ms, true), set_config('idle_in_transaction_session_timeout', :idle_ms, true)"
)
#: SQLSTATE of a lock not granted within ``lock_timeout``.
_LOCK_NOT_AVAILABLE = "55P03"


class RelayLease:
    """One replica's hold on the lease row; ``holds`` while it may publish."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], *, service: str, lease_seconds: float) -> None:
        self._session_factory = session_factory
        self.lease_seconds = lease_seconds
        self.owner = f"{service}:{uuid.uuid4()}"
        self.holds = False
        self._renew_at = 0.0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction bounded as the module's docstring says."""
        async with self._session_factory() as session, session.begin():
            bounds = {
                "lock_ms": f"{max(1, round(self.lease_seconds * LOCK_TIMEOUT_OF_LEASE * 1000))}",
                "idle_ms": f"{max(1, round(self.lease_seconds * IDLE_IN_TRANSACTION_OF_LEASE * 1000))}",
            }
            await session.execute(_BOUNDED, bounds)
            yield session

    async def take(self) -> bool:
        """Take or renew the lease; ``True`` while this replica may publish. A lease held for less
        than half its time is not renewed yet (one write fewer per batch); marking checks it anyway."""
        if self.holds and time.monotonic() < self._renew_at:
            return True
        renewing_from = time.monotonic()
        now = datetime.now(UTC)
        until = now + timedelta(seconds=self.lease_seconds)
        insert = pg_insert(relay_lease).values(id=_LEASE_ROW, owner=self.owner, until=until)
        stmt = insert.on_conflict_do_update(
            index_elements=[relay_lease.c.id],
            set_={"owner": self.owner, "until": until},
            where=(relay_lease.c.owner == self.owner) | (relay_lease.c.until < now),
        ).returning(relay_lease.c.owner)
        try:
            async with self.transaction() as session:
                held = (await session.execute(stmt)).first() is not None
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                raise
            # The lease row is locked by a replica marking a batch (or frozen doing it, until
            # PostgreSQL ends its session): not ours this pass.
            held = False
        self.holds = held
        self._renew_at = renewing_from + self.lease_seconds / 2
        return held

    async def still_mine(self, session: AsyncSession) -> bool:
        """In a marking transaction: whether this replica still holds the lease, its row locked
        until the marking commits (a replica that lost the lease marks nothing)."""
        mine = (
            await session.execute(
                select(relay_lease.c.owner)
                .where(relay_lease.c.owner == self.owner, relay_lease.c.until > func.now())
                .with_for_update()
            )
        ).first()
        if mine is None:
            self.holds = False
        return mine is not None

    async def release(self) -> None:
        """Hand the lease on: the next replica need not wait for it to expire."""
        async with self.transaction() as session:
            await session.execute(delete(relay_lease).where(relay_lease.c.owner == self.owner))
        self.holds = False
