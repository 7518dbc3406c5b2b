"""The drift check: a periodic worker inside the service, the kernel's one :class:`Scheduler`
running the drift check's batches. Safe with any number of replicas: see
:func:`plan.use_cases.drift.check_drift`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.casework.policy import CouncilPolicy
from continuum.messaging.scheduler import Scheduler, Tally
from continuum.persistence.uow import UnitOfWork
from plan.use_cases.drift import check_drift


def drift_scheduler(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    source: str,
    policy: CouncilPolicy,
    interval: float = 60.0,
    batch_size: int = 500,
) -> Scheduler:
    """Check every plan due a look, a batch per transaction; a tick counts the findings this
    replica announced (a batch takes its plans: fewer than the batch size ends the tick)."""

    async def batch(uow: UnitOfWork, size: int) -> Tally:
        checked = await check_drift(uow, batch_size=size, policy=policy)
        return Tally(taken=checked.plans, counted=checked.detected)

    return Scheduler(
        "plan-drift",
        batch,
        session_factory,
        source=source,
        interval=interval,
        batch_size=batch_size,
        log_message="plan drift detected",
    )
