"""The read model's consumer on the real broker: every case topic in; a redelivered event changes
nothing; what breaks its contract, or names a team the council does not have, goes to the
dead-letter topic while the next event flows."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from insight_support import (
    START,
    Cases,
    case_closed,
    child_registered,
    decided,
    eventually,
    information_requested,
    journey,
    received,
)

from continuum.contracts import ASSESSMENT_TOPIC, PLAN_TOPIC, REFERRAL_TOPIC, STEPDOWN_TOPIC
from continuum.persistence.uow import UnitOfWork
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import send_events
from continuum_tools.testing.suites import duplicates_change_nothing, handled, poison_is_dead_lettered
from insight.consumers import READ_MODEL_CONSUMER

TOPIC_OF = {"referral": REFERRAL_TOPIC, "assessment": ASSESSMENT_TOPIC, "plan": PLAN_TOPIC, "stepdown": STEPDOWN_TOPIC}


async def kept(cases: Cases, event_id: uuid.UUID) -> dict[str, Any] | None:
    return await cases.row("SELECT * FROM case_events WHERE id = :e", e=event_id)


async def test_the_events_of_every_case_topic_reach_the_read_model(broker: TansuBroker, cases: Cases) -> None:
    events = journey(uuid.uuid4())
    for event in events:
        await send_events(broker.bootstrap, TOPIC_OF[event.source], event, key=event.subject)
    for event in events:
        row = await eventually(lambda e=event: kept(cases, e.id), what=f"{event.type} kept")
        assert row["event_type"] == event.type and row["occurred_at"] == event.time
        assert row["data"] == event.data.model_dump(mode="json")


async def test_the_same_event_delivered_three_times_is_kept_once(broker: TansuBroker, cases: Cases) -> None:
    child, case = uuid.uuid4(), uuid.uuid4()
    event = decided(case_id=case, child_id=child, at=START)
    after = case_closed(case_id=case, child_id=child, at=START.replace(day=2))
    await duplicates_change_nothing(
        broker.bootstrap, REFERRAL_TOPIC, cases, consumer=READ_MODEL_CONSUMER, event=event, after=after
    )
    # Counted by id: in the whole suite, other services' apps on the same broker react to these
    # events with events of their own about the case (an assessment opened), which are kept too.
    for sent in (event, after):
        assert await cases.scalar("SELECT count(*) FROM case_events WHERE id = :e", e=sent.id) == 1


async def test_poison_goes_to_the_dlq_and_the_next_event_is_kept(broker: TansuBroker, cases: Cases) -> None:
    child = uuid.uuid4()
    bad = decided(case_id=uuid.uuid4(), child_id=child, at=START).to_json_dict()
    bad["data"]["outcome"] = "adoption"
    good = decided(case_id=uuid.uuid4(), child_id=child, at=START)
    unknown_team = decided(case_id=uuid.uuid4(), child_id=child, at=START, team="atlantis")
    await poison_is_dead_lettered(
        broker.bootstrap, REFERRAL_TOPIC, cases, consumer=READ_MODEL_CONSUMER, broken=bad, then=good, refused=[unknown_team]
    )
    assert await kept(cases, good.id) is not None
    assert await kept(cases, unknown_team.id) is None
    assert await handled(cases, READ_MODEL_CONSUMER, unknown_team) == 0


async def _rows_of(cases: Cases, child: uuid.UUID, case_ids: list[uuid.UUID]) -> dict[str, Any]:
    events = await cases.rows(
        "SELECT topic, event_type, schema_version, case_id, child_id, team, occurred_at, data FROM case_events"
        " WHERE child_id = :c OR case_id = ANY(:cases) ORDER BY occurred_at, event_type",
        c=child,
        cases=case_ids,
    )
    for row in events:  # the two children's rows, told apart by their ids only
        row["child_id"] = row["child_id"] is not None
        row["case_id"] = row["case_id"] is not None
        identity = row["event_type"].startswith("child.")  # each child its own names and LA child id
        row["data"] = {k: v for k, v in row["data"].items() if not k.endswith("_id") and not (identity and k != "version")}
    return {
        "events": events,
        "episodes": await cases.scalar("SELECT count(*) FROM episodes WHERE child_id = :c", c=child),
        "teams": await cases.scalar("SELECT teams FROM child_teams WHERE id = :c", c=child),
        "copy": await cases.scalar("SELECT version FROM children WHERE id = :c", c=child),
        "copy audited": await cases.scalar(
            "SELECT count(*) FROM audit_log WHERE action = 'child.copy' AND subject_id = :c", c=str(child)
        ),
    }


async def test_a_run_of_events_keeps_what_each_event_alone_keeps(cases: Cases) -> None:
    """A partition's batch in one handler call (one statement per kind of row) leaves the rows the
    events leave one at a time: the case-only request before the event naming its case and child,
    a team taken over, the identity updated, and the run delivered again (nothing changes)."""
    alone, together = uuid.uuid4(), uuid.uuid4()
    runs: dict[uuid.UUID, list[Any]] = {}
    for child in (alone, together):
        case = uuid.uuid4()
        runs[child] = [
            information_requested(case_id=case, at=START),
            *journey(child),
            received(case_id=case, child_id=child, at=START + timedelta(days=9), team="south"),
            child_registered(child, at=START + timedelta(days=10), version=2),
        ]
    for event in runs[alone]:
        assert await cases.deliver(event) == "handled"
    handler = cases.consumer.batch_handlers[runs[together][0].type]
    for _ in range(2):
        async with UnitOfWork(cases.runtime.session_factory, source="insight") as tx:
            await handler(tx, runs[together])
    cases_of = {c: [e.data.case_id for e in runs[c] if hasattr(e.data, "case_id")] for c in runs}
    one_by_one, as_a_run = await _rows_of(cases, alone, cases_of[alone]), await _rows_of(cases, together, cases_of[together])
    assert as_a_run == one_by_one
    assert as_a_run["teams"] == ["north", "south"] and as_a_run["copy"] == 2 and len(as_a_run["events"]) == 9
    assert as_a_run["copy audited"] == 2  # each identity event's copy, once
