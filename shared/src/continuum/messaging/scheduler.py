"""One periodic worker inside a service (assessments gone overdue, plans drifting, handovers to
escalate): every ``interval`` it runs batches, a unit of work each, until a batch comes back short.

Safe with any number of replicas when each batch takes its rows with ``FOR UPDATE SKIP LOCKED``
and leaves them no longer due: two replicas then share the work and never do it twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.messaging.supervise import supervise
from continuum.persistence.uow import UnitOfWork

log = logging.getLogger("continuum.messaging.scheduler")


@dataclass(frozen=True)
class Tally:
    """What one batch did, when what it counts is not what it took: ``taken`` rows looked at (fewer
    than the batch size: the last batch), ``counted`` what the tick reports (findings, say)."""

    taken: int
    counted: int


#: One batch: given a fresh unit of work and the batch size, how many rows it took (and counted),
#: or a :class:`Tally`.
Batch = Callable[[UnitOfWork, int], Awaitable[int | Tally]]


@dataclass(eq=False)
class Scheduler:
    """Runs ``batch`` every ``interval`` seconds in the kernel's supervised loop (a failed tick is
    logged, counted and retried with a backoff no longer than the interval)."""

    name: str
    batch: Batch
    session_factory: async_sessionmaker[AsyncSession]
    _: KW_ONLY
    source: str
    interval: float = 60.0
    batch_size: int = 500
    log_message: str

    async def tick(self) -> int:
        """Batches, a unit of work each, until one takes fewer than ``batch_size`` rows; the total
        they counted on this replica."""
        total = 0
        while True:
            done = await self.batch(UnitOfWork(self.session_factory, source=self.source), self.batch_size)
            tally = done if isinstance(done, Tally) else Tally(done, done)
            total += tally.counted
            if tally.taken < self.batch_size:
                return total

    async def run(self, stop: asyncio.Event) -> None:
        """Tick every ``interval`` until ``stop`` is set; a tick that counted something is logged
        (``log_message``, with the count)."""

        async def step() -> float:
            counted = await self.tick()
            if counted:
                log.info(self.log_message, extra={"worker": self.name, "count": counted})
            return self.interval

        await supervise(self.name, step, stop, max_backoff=self.interval)
