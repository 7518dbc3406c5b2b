"""assessment.overdue: once per assessment, even with two replicas' schedulers racing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

from assessment_support import Cases, eventually

from assessment.workers import overdue_scheduler
from continuum.messaging.scheduler import Scheduler
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import read_events


async def test_two_schedulers_racing_write_one_overdue_event_per_assessment(cases: Cases, broker: TansuBroker) -> None:
    overdue = [await cases.open(referral_date=date(2025, 6, 2), with_child=False) for _ in range(40)]
    on_time = await cases.open(referral_date=date(2026, 11, 20), with_child=False)

    def replica() -> Scheduler:
        # A small batch so the two replicas interleave over many transactions.
        return overdue_scheduler(cases.runtime.session_factory, source="assessment", batch_size=3)

    first, second = replica(), replica()
    flagged = await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
    ids = [a["id"] for a in overdue]
    counts = await cases.rows(
        "SELECT payload->'data'->>'assessment_id' AS id, count(*) AS n FROM outbox "
        "WHERE event_type = 'assessment.overdue' AND payload->'data'->>'assessment_id' = ANY(:ids) GROUP BY 1",
        ids=[str(i) for i in ids],
    )
    assert {c["id"]: c["n"] for c in counts} == {str(i): 1 for i in ids}
    assert sum(flagged) >= len(ids)  # other tests' overdue assessments may be flagged too, each once
    assert (
        await cases.scalar("SELECT count(*) FROM assessments WHERE id = ANY(:ids) AND overdue_notified_at IS NULL", ids=ids) == 0
    )
    assert await cases.events(on_time["case_id"], "assessment.overdue") == []
    # A later tick finds nothing new.
    assert await replica().tick() == 0

    # The relay publishes it, once.
    target = overdue[0]
    events = await read_events(
        broker.bootstrap,
        "continuum.assessment",
        match=lambda e: e.type == "assessment.overdue" and e.data.assessment_id == target["id"],
        count=1,
        settle=0.5,
    )
    assert len(events) == 1 and events[0].data.due_date == target["due_date"]
    audit = await cases.scalar(
        "SELECT count(*) FROM audit_log WHERE subject_id = :a AND action = 'assessment.overdue'", a=str(target["id"])
    )
    assert audit == 1


async def test_authorised_and_withdrawn_assessments_are_never_overdue(cases: Cases) -> None:
    row = await cases.open(referral_date=date(2025, 6, 2), with_child=False)
    async with cases.runtime.session_factory() as session, session.begin():
        from sqlalchemy import text

        await session.execute(text("UPDATE assessments SET status = 'withdrawn' WHERE id = :a"), {"a": row["id"]})
    await overdue_scheduler(cases.runtime.session_factory, source="assessment").tick()
    assert await cases.events(row["case_id"], "assessment.overdue") == []


async def test_the_services_own_scheduler_runs(cases: Cases) -> None:
    """The app starts the scheduler as a worker: its tick flags what is due."""
    scheduler: Scheduler = cases.runtime.schedulers["assessment-overdue"]
    row = await cases.open(referral_date=date(2025, 1, 6), with_child=False, case_id=uuid.uuid4())
    await scheduler.tick()
    await eventually(lambda: cases.events(row["case_id"], "assessment.overdue"))
