"""The drift check (the scheduler's use case): every started plan due a look today, its findings,
and ``plan.drift_detected`` once per new finding, however many replicas run it."""

from __future__ import annotations

from dataclasses import dataclass

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import UnitOfWork
from plan import repository
from plan.domain import drift


@dataclass(frozen=True)
class Checked:
    plans: int
    detected: int


async def check_drift(uow: UnitOfWork, *, batch_size: int, policy: CouncilPolicy) -> Checked:
    """One batch, in one transaction: claim the plans due a look (``FOR UPDATE SKIP LOCKED``: a
    second replica takes others), record their findings (``ON CONFLICT DO NOTHING`` on (plan,
    kind, key): a finding already recorded, or recorded meanwhile by another replica's committed
    transaction, returns nothing), publish only those this transaction recorded (auditing each plan
    flagged once), and set when each plan is next due a look. The finding rows, the outbox rows and the audit rows commit
    together, so each finding's event is written exactly once."""
    now = clock.now()
    today = clock.london_date(now)
    async with uow as tx:
        plans = await repository.claim_drift_due(tx, today=today, batch_size=batch_size)
        found = [(plan, finding) for plan in plans for finding in drift.findings(plan, today=today, policy=policy)]
        recorded = await repository.record_findings(tx, [(plan.id, finding) for plan, finding in found], at=now)
        detected, flagged = 0, set()
        for plan, finding in found:
            if (plan.id, finding.kind.value, finding.key) in recorded:
                await tx.publish(drift.detected(plan, finding, now=now), aggregate=plan)
                detected += 1
                if plan.id not in flagged:  # one audit row per plan the check flagged
                    flagged.add(plan.id)
                    await tx.audit("plan.drift_detected", subject_type="plan", subject_id=plan.id, purpose="drift check")
        await repository.set_next_checks(tx, [(plan.id, drift.next_check(plan, today=today, policy=policy)) for plan in plans])
        return Checked(plans=len(plans), detected=detected)
