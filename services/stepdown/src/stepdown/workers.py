"""The escalation scheduler: the kernel's periodic worker, inside the service, that sends handovers
early help did not answer by their deadline back to the team's manager. Safe with any number of
replicas: see :func:`stepdown.use_cases.escalation.escalate_overdue`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.messaging.scheduler import Scheduler
from continuum.persistence.uow import UnitOfWork
from stepdown.use_cases.escalation import escalate_overdue


def escalation_scheduler(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    source: str,
    interval: float = 60.0,
    batch_size: int = 500,
    now: datetime | None = None,
) -> Scheduler:
    """Escalate every handover overdue at each tick, a batch per transaction (``now``: a fixed
    instant, for tests that control the clock; ``None``: the clock's)."""

    async def batch(uow: UnitOfWork, size: int) -> int:
        return await escalate_overdue(uow, batch_size=size, now=now)

    return Scheduler(
        "stepdown-escalation",
        batch,
        session_factory,
        source=source,
        interval=interval,
        batch_size=batch_size,
        log_message="handovers escalated",
    )
