"""The overdue scheduler: a periodic worker inside the service that flags assessments past their
due date. Safe with any number of replicas: see :func:`assessment.use_cases.timeliness.flag_overdue`."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assessment.use_cases.timeliness import flag_overdue
from continuum.messaging.supervise import supervise
from continuum.persistence.uow import UnitOfWork

log = logging.getLogger("assessment.workers")


class OverdueScheduler:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        source: str,
        interval: float = 60.0,
        batch_size: int = 500,
    ) -> None:
        self._session_factory = session_factory
        self.source = source
        self.interval = interval
        self.batch_size = batch_size

    async def tick(self) -> int:
        """Flag every assessment now overdue, a batch per transaction; returns how many this replica flagged."""
        total = 0
        while True:
            uow = UnitOfWork(self._session_factory, source=self.source)
            flagged = await flag_overdue(uow, batch_size=self.batch_size)
            total += flagged
            if flagged < self.batch_size:
                return total

    async def run(self, stop: asyncio.Event) -> None:
        """Tick every ``interval`` in the kernel's supervised loop: a failed tick (the database
        restarting) is logged, counted and retried with a backoff no longer than the interval."""

        async def step() -> float:
            flagged = await self.tick()
            if flagged:
                log.info("assessments flagged overdue", extra={"count": flagged})
            return self.interval

        await supervise("assessment-overdue", step, stop, max_backoff=self.interval)
