"""The overdue scheduler's use case: flag open assessments past their due date, once each."""

from __future__ import annotations

from assessment import domain, repository
from assessment.use_cases.steps import publish_and_audit
from continuum.casework import clock
from continuum.persistence.uow import UnitOfWork


async def flag_overdue(uow: UnitOfWork, *, batch_size: int) -> int:
    """Flag up to ``batch_size`` open assessments past their due date (today is London's) and write
    one ``assessment.overdue`` each, in the transaction that claims them. A second replica running
    at the same moment skips the rows this one holds, and finds the ones it flagged no longer
    pending: each assessment's event is written exactly once. Returns how many were flagged."""
    now = clock.now()
    today = clock.london_date(now)
    async with uow as tx:
        flagged = []
        for state in await repository.claim_overdue(tx, today=today, batch_size=batch_size):
            overdue, events = domain.mark_overdue(state, now=now, today=today)
            flagged.append(overdue)
            await publish_and_audit(
                tx, events, overdue, action="assessment.overdue", purpose="flag an assessment past its due date"
            )
        await repository.save_assessments(tx, flagged)
        return len(flagged)
