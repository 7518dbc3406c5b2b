"""The escalation scheduler's use case: handovers early help did not answer by their deadline go
back to the team's manager, once each."""

from __future__ import annotations

from datetime import datetime

from continuum.casework import clock
from continuum.persistence.uow import UnitOfWork
from stepdown import domain, repository


async def escalate_overdue(uow: UnitOfWork, *, batch_size: int, now: datetime | None = None) -> int:
    """Escalate up to ``batch_size`` handovers past their deadline (today is London's), each with its
    worklist item and ``stepdown.escalated`` in the transaction that claims it. A second replica
    skips the rows this one holds and finds those it escalated no longer pending; the worklist's
    unique key is the last guard: a row whose item exists already publishes nothing. Returns how
    many this call escalated."""
    now = now or clock.now()
    today = clock.london_date(now)
    escalated = 0
    async with uow as tx:
        for stepdown in await repository.claim_overdue(tx, today=today, batch_size=batch_size):
            changed, events = domain.escalate_if_overdue(stepdown, now=now, today=today)
            if not events or not await repository.add_escalation(tx, changed):
                continue
            await repository.save_stepdown(tx, changed)
            await tx.publish_all(events, aggregate=changed)
            await tx.audit(
                "stepdown.escalate", subject_type="stepdown", subject_id=changed.id, purpose="escalate an unanswered handover"
            )
            escalated += 1
    return escalated
