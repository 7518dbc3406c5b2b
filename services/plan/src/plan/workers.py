"""The drift check: a periodic worker inside the service. Safe with any number of replicas: see
:func:`plan.use_cases.drift.check_drift`."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.casework.policy import CouncilPolicy
from continuum.messaging.supervise import supervise
from continuum.persistence.uow import UnitOfWork
from plan.use_cases.drift import check_drift

log = logging.getLogger("plan.workers")


class DriftScheduler:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        source: str,
        policy: CouncilPolicy,
        interval: float = 60.0,
        batch_size: int = 500,
    ) -> None:
        self._session_factory = session_factory
        self.source = source
        self.policy = policy
        self.interval = interval
        self.batch_size = batch_size

    async def tick(self) -> int:
        """Check every plan due a look, a batch per transaction; returns how many findings this replica announced."""
        detected = 0
        while True:
            uow = UnitOfWork(self._session_factory, source=self.source)
            checked = await check_drift(uow, batch_size=self.batch_size, policy=self.policy)
            detected += checked.detected
            if checked.plans < self.batch_size:
                return detected

    async def run(self, stop: asyncio.Event) -> None:
        """Tick every ``interval`` in the kernel's supervised loop (a failed tick is logged, counted
        and retried with a backoff no longer than the interval)."""

        async def step() -> float:
            detected = await self.tick()
            if detected:
                log.info("plan drift detected", extra={"count": detected})
            return self.interval

        await supervise("plan-drift", step, stop, max_backoff=self.interval)
