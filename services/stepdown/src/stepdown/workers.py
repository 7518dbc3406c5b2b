"""The escalation scheduler: a periodic worker inside the service that sends handovers early help
did not answer by their deadline back to the team's manager. Safe with any number of replicas:
see :func:`stepdown.use_cases.escalation.escalate_overdue`."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.messaging.supervise import supervise
from continuum.persistence.uow import UnitOfWork
from stepdown.use_cases.escalation import escalate_overdue

log = logging.getLogger("stepdown.workers")


class EscalationScheduler:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], *, source: str, interval: float = 60.0, batch_size: int = 500
    ) -> None:
        self._session_factory = session_factory
        self.source = source
        self.interval = interval
        self.batch_size = batch_size

    async def tick(self, now: datetime | None = None) -> int:
        """Escalate every handover now overdue, a batch per transaction (``now``: a controlled clock
        for tests); returns how many this replica escalated."""
        total = 0
        while True:
            uow = UnitOfWork(self._session_factory, source=self.source)
            escalated = await escalate_overdue(uow, batch_size=self.batch_size, now=now)
            total += escalated
            if escalated < self.batch_size:
                return total

    async def run(self, stop: asyncio.Event) -> None:
        """Tick every ``interval`` in the kernel's supervised loop (a failed tick is logged, counted
        and retried with a backoff no longer than the interval)."""

        async def step() -> float:
            escalated = await self.tick()
            if escalated:
                log.info("handovers escalated", extra={"count": escalated})
            return self.interval

        await supervise("stepdown-escalation", step, stop, max_backoff=self.interval)
