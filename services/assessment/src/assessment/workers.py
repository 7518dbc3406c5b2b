"""The overdue scheduler: the kernel's periodic worker, flagging assessments past their due date.
Safe with any number of replicas: see :func:`assessment.use_cases.timeliness.flag_overdue`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from assessment.use_cases.timeliness import flag_overdue
from continuum.messaging.scheduler import Scheduler


def overdue_scheduler(
    session_factory: async_sessionmaker[AsyncSession], *, source: str, interval: float = 60.0, batch_size: int = 500
) -> Scheduler:
    """Flag every assessment now overdue, a batch per transaction, every ``interval`` seconds."""
    return Scheduler(
        "assessment-overdue",
        lambda uow, n: flag_overdue(uow, batch_size=n),
        session_factory,
        source=source,
        interval=interval,
        batch_size=batch_size,
        log_message="assessments flagged overdue",
    )
