"""stepdown.escalated: a handover early help did not answer by its deadline goes back to the team's
manager exactly once (event and worklist item), with a controlled clock, even with two replicas'
schedulers racing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from stepdown_support import Api, Cases, eventually

from continuum.messaging.scheduler import Scheduler
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import read_events
from stepdown.workers import escalation_scheduler


def _at_london_noon(day: object) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)  # type: ignore[arg-type]


async def test_a_handover_is_not_escalated_on_its_deadline_day_and_is_the_day_after(cases: Cases) -> None:
    row = await cases.pending_handover()

    def scheduler(now: datetime) -> Scheduler:
        return escalation_scheduler(cases.runtime.session_factory, source="stepdown", now=now)

    await scheduler(_at_london_noon(row["response_due"])).tick()
    assert await cases.events(row["case_id"], "stepdown.escalated") == []
    await scheduler(_at_london_noon(row["response_due"] + timedelta(days=1))).tick()
    [event] = await cases.events(row["case_id"], "stepdown.escalated")
    assert event["payload"]["data"]["reason"] == "unanswered"
    assert event["payload"]["data"]["response_due"] == row["response_due"].isoformat()


async def test_two_schedulers_racing_escalate_each_overdue_handover_once(api: Api, cases: Cases, broker: TansuBroker) -> None:
    overdue = [await cases.pending_handover() for _ in range(12)]
    later = max(r["response_due"] for r in overdue) + timedelta(days=3)
    now = _at_london_noon(later)

    def replica() -> Scheduler:
        # A small batch, so the two replicas interleave over many transactions.
        return escalation_scheduler(cases.runtime.session_factory, source="stepdown", batch_size=3, now=now)

    first, second = replica(), replica()
    escalated = await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
    ids = [r["id"] for r in overdue]
    counts = await cases.rows(
        "SELECT payload->'data'->>'stepdown_id' AS id, count(*) AS n FROM outbox "
        "WHERE event_type = 'stepdown.escalated' AND payload->'data'->>'stepdown_id' = ANY(:ids) GROUP BY 1",
        ids=[str(i) for i in ids],
    )
    assert {c["id"]: c["n"] for c in counts} == {str(i): 1 for i in ids}
    assert sum(escalated) >= len(ids)  # other tests' pending handovers are escalated too, each once
    assert await cases.scalar("SELECT count(*) FROM escalations WHERE stepdown_id = ANY(:ids)", ids=ids) == len(ids)
    assert await replica().tick() == 0

    # The team manager's worklist shows each; the relay publishes each event once.
    async with api.manager() as manager:
        worklist = (await manager.get("/v1/stepdowns/escalations", params={"team": "north", "limit": 200})).json()["items"]
    listed = {i["stepdown_id"] for i in worklist if i["reason"] == "unanswered"}
    assert {str(i) for i in ids} <= listed
    target = overdue[0]
    events = await read_events(
        broker.bootstrap,
        "continuum.stepdown",
        match=lambda e: e.type == "stepdown.escalated" and e.data.stepdown_id == target["id"],
        count=1,
        settle=0.5,
    )
    assert len(events) == 1


async def test_a_handover_whose_worklist_item_exists_already_publishes_nothing(cases: Cases) -> None:
    """The unique key is the last guard: a replica that finds the item written publishes nothing."""
    row = await cases.pending_handover()
    await cases.execute(
        "INSERT INTO escalations (id, stepdown_id, case_id, child_id, team, reason, response_due, escalated_at) "
        "VALUES (:i, :s, :c, :ch, 'north', 'unanswered', :d, now())",
        i=uuid.uuid4(),
        s=row["id"],
        c=row["case_id"],
        ch=row["child_id"],
        d=row["response_due"],
    )
    later = _at_london_noon(row["response_due"] + timedelta(days=5))
    await escalation_scheduler(cases.runtime.session_factory, source="stepdown", now=later).tick()
    assert await cases.events(row["case_id"], "stepdown.escalated") == []


async def test_the_services_own_scheduler_runs(cases: Cases) -> None:
    """The app starts the scheduler as a worker: its tick escalates what is due."""
    row = await cases.pending_handover()
    await cases.execute("UPDATE stepdowns SET response_due = response_due - 365 WHERE id = :s", s=row["id"])
    scheduler: Scheduler = cases.runtime.schedulers["stepdown-escalation"]
    await scheduler.tick()
    await eventually(lambda: cases.events(row["case_id"], "stepdown.escalated"))
