"""plan.drift_detected: once per new finding, whether the check runs twice or two replicas race."""

from __future__ import annotations

import asyncio
from typing import Any

from plan_support import Api, Cases, eventually

from continuum.messaging.scheduler import Scheduler
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import read_events
from plan.workers import drift_scheduler


def _replica(cases: Cases, batch_size: int = 3) -> Scheduler:
    # A small batch so that racing replicas interleave over many transactions.
    policy = cases.runtime.policy
    assert policy is not None
    return drift_scheduler(cases.runtime.session_factory, source="plan", policy=policy, batch_size=batch_size)


async def _drifting(api: Api, cases: Cases, n: int, days: int = 400) -> list[dict[str, Any]]:
    plans = [await cases.started(api) for _ in range(n)]
    for plan in plans:
        await cases.backdate(plan["id"], days)
    return plans


async def _counts(cases: Cases, plans: list[dict[str, Any]]) -> dict[tuple[str, str, str], int]:
    rows = await cases.rows(
        "SELECT payload->'data'->>'plan_id' AS plan, payload->'data'->>'kind' AS kind, payload->'data'->>'key' AS key, "
        "count(*) AS n FROM outbox WHERE event_type = 'plan.drift_detected' AND payload->'data'->>'plan_id' = ANY(:ids) "
        "GROUP BY 1, 2, 3",
        ids=[str(p["id"]) for p in plans],
    )
    return {(r["plan"], r["kind"], r["key"]): r["n"] for r in rows}


async def test_the_drift_check_run_twice_announces_each_finding_once(api: Api, cases: Cases) -> None:
    (plan,) = await _drifting(api, cases, 1)
    await _replica(cases).tick()
    first = await _counts(cases, [plan])
    kinds = {kind for _, kind, _ in first}
    assert {"open_over_threshold", "review_overdue", "visits_missed"} <= kinds
    assert (str(plan["id"]), "open_over_threshold", "12") in first and set(first.values()) == {1}
    # Again, and after a change to the plan puts it back in the check's queue: nothing new.
    await _replica(cases).tick()
    await cases.backdate(plan["id"], 0)
    await _replica(cases).tick()
    assert await _counts(cases, [plan]) == first
    assert await cases.scalar("SELECT count(*) FROM plan_drift_findings WHERE plan_id = :p", p=plan["id"]) == len(first)


async def test_two_replicas_racing_announce_each_finding_once(api: Api, cases: Cases) -> None:
    plans = await _drifting(api, cases, 12)
    first, second = _replica(cases), _replica(cases)
    await asyncio.gather(first.tick(), second.tick(), first.tick(), second.tick())
    counts = await _counts(cases, plans)
    assert {p for p, _, _ in counts} == {str(p["id"]) for p in plans}
    assert set(counts.values()) == {1}
    audits = await cases.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'plan.drift_detected' AND subject_id = ANY(:ids)",
        ids=[str(p["id"]) for p in plans],
    )
    assert audits == len(plans)  # one audit row per plan flagged


async def test_a_plan_reviewed_on_time_and_visited_does_not_drift(api: Api, cases: Cases) -> None:
    plan = await cases.started(api)
    await _replica(cases).tick()
    assert await _counts(cases, [plan]) == {}


async def test_the_services_own_scheduler_announces_through_the_relay_once(api: Api, cases: Cases, broker: TansuBroker) -> None:
    (plan,) = await _drifting(api, cases, 1, days=200)
    scheduler: Scheduler = cases.runtime.schedulers["plan-drift"]
    await scheduler.tick()
    await eventually(lambda: cases.events(plan["case_id"], "plan.drift_detected"))
    events = await read_events(
        broker.bootstrap,
        "continuum.plan",
        match=lambda e: (
            e.type == "plan.drift_detected" and str(e.data.plan_id) == str(plan["id"]) and e.data.kind == "open_over_threshold"
        ),
        count=1,
        settle=0.5,
    )
    assert [e.data.key for e in events] == ["6"]
