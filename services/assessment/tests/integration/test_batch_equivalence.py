"""The intake consumer's batch handlers have exactly the effect of its per-event handlers.

The same stream of front-door events (decisions for an assessment and a strategy discussion, NFA
and early help decisions, redeliveries, a second decision for an opened referral, corrections,
children registered before and after their decisions, child updates with older versions, a
decision naming an unknown team) is applied once through the per-event handlers and once through
the batch handlers, each into a clean database of its own; both must hold the same rows
(assessments, enquiries, children, inbox, audit) and the same outbox events in the same order
(types, subjects, versions and payloads; event ids and envelope times aside). The instant
corrections are stamped with and the ids the service draws are the same on both sides.

Through the real runner on the real broker (which hands a batch handler runs of one type), and
straight to the batch handler with the types mixed in one run.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from assessment_support import child_registered, decided
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from assessment.consumers import make_intake_batch_handlers, make_intake_handlers
from assessment.use_cases import intake
from continuum.casework import clock
from continuum.casework.policy import load_policy
from continuum.contracts import ChildUpdated, Envelope
from continuum.messaging.consumer import BatchHandler, EventConsumer
from continuum.messaging.kafka import consumer_topics, ensure_topics, make_consumer, make_producer
from continuum.persistence.db import make_engine, make_session_factory
from continuum.persistence.uow import UnitOfWork
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import eventually, test_settings, unique

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
FROZEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
POLICY = load_policy(None)


def child_updated(child_id: uuid.UUID, *, version: int, nhs_number: str | None) -> Envelope[Any]:
    registered = child_registered(child_id, version=version, nhs_number=nhs_number).data
    data = ChildUpdated(**registered.model_dump())
    return Envelope.wrap(data, source="referral", subject=str(child_id), aggregate_version=version)


def the_stream(*, refused: bool = False) -> list[Envelope[Any]]:
    """Front-door events in an order that makes runs of one type and alternations, with every
    path of the intake handlers in it; ``refused``: with a decision naming an unknown team too."""
    a, b, c, f, g = (uuid.uuid4() for _ in range(5))
    same_time = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    a_decided = decided(child_id=a)  # its child registered before it
    b_decided = decided(child_id=b, outcome="strategy_discussion", team="south")  # its child after it
    c_decided = decided(child_id=c)
    f_one = decided(child_id=f, received_at=same_time)  # two cases of one child not yet known:
    f_two = decided(child_id=f, received_at=same_time)  # partners are told in (opened_at, id) order
    if refused:  # the ids drawn differ (see test_a_refused_decision_...): no tie on them
        f_two = decided(child_id=f, received_at=same_time + timedelta(minutes=1))
    stream = [
        child_registered(a, version=1),
        child_registered(g, version=2, nhs_number=None),
        a_decided,
        b_decided,
        c_decided,
        c_decided,  # redelivered within the run
        decided(child_id=c, referral_id=c_decided.data.referral_id),  # another decision for an opened referral
        decided(outcome="nfa"),
        decided(outcome="early_help"),
        f_one,
        f_two,
        child_registered(b, version=1),  # after its decision: the partner status goes out now
        child_updated(a, version=3, nhs_number="9434765870"),
        child_updated(a, version=2, nhs_number="9434765919"),  # older: changes nothing
        child_registered(f, version=1),
        child_registered(g, version=1),  # older than the copy
        decided(child_id=c, referral_id=c_decided.data.referral_id, outcome="strategy_discussion", correction_of=c_decided.id),
        decided(child_id=a),  # a second case of a known child
        *([decided(team="atlantis")] if refused else []),
        decided(child_id=uuid.uuid4(), outcome="strategy_discussion"),
        decided(
            child_id=b,
            referral_id=b_decided.data.referral_id,
            case_id=b_decided.data.case_id,
            outcome="nfa",
            correction_of=b_decided.id,
        ),
        child_updated(b, version=2, nhs_number="9434765870"),
        decided(child_id=f, referral_id=f_one.data.referral_id, case_id=f_one.data.case_id, team="east", correction_of=f_one.id),
        f_two,  # redelivered in a later run
        child_registered(c, version=1),
        decided(child_id=c),
    ]
    return stream


async def rows(engine: AsyncEngine, sql: str) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        return [dict(r) for r in (await conn.execute(text(sql))).mappings()]


async def everything(engine: AsyncEngine, *, relabel: bool = False) -> dict[str, Any]:
    """The database's rows, but for what the clock or the runner stamps (when a row was written, an
    event's id and envelope time), in a form two runs of the same stream can be compared in.
    ``relabel``: the ids the service drew (of assessments and enquiries) are named by where they
    first appear, for runs that drew different ones."""
    outbox = [
        {
            "topic": r["topic"],
            "key": r["key"],
            "event_type": r["event_type"],
            "subject": r["payload"]["subject"],
            "aggregate_version": r["payload"]["aggregate_version"],
            "data": r["payload"]["data"],
        }
        for r in await rows(engine, "SELECT * FROM outbox ORDER BY seq")
    ]
    audit = [
        {k: v for k, v in r.items() if k not in ("id", "at")} for r in await rows(engine, "SELECT * FROM audit_log ORDER BY id")
    ]
    assessments = {r["referral_id"]: r for r in await rows(engine, "SELECT * FROM assessments")}
    section47 = {r["id"]: r for r in await rows(engine, "SELECT * FROM section47_enquiries")}
    children = {r["id"]: {k: v for k, v in r.items() if k != "updated_at"} for r in await rows(engine, "SELECT * FROM children")}
    inbox = sorted((r["event_id"], r["event_type"]) for r in await rows(engine, "SELECT * FROM inbox"))
    found = {
        "outbox": outbox,
        "audit": audit,
        "assessments": assessments,
        "section47": section47,
        "children": children,
        "inbox": inbox,
    }
    if not relabel:
        return found
    drawn = {str(r["id"]) for r in await rows(engine, "SELECT id FROM assessments UNION ALL SELECT id FROM section47_enquiries")}
    names: dict[str, str] = {}

    def name(value: Any) -> Any:
        if isinstance(value, dict):
            return {name(k): name(v) for k, v in value.items()}
        if isinstance(value, list):
            return [name(v) for v in value]
        if str(value) in drawn:
            return names.setdefault(str(value), f"drawn-{len(names) + 1}")
        return value

    return {table: name(found[table]) for table in found}  # the outbox first: names follow the events' order


@pytest.fixture
def same_instants_and_ids(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Corrections stamp the instant they were applied, and the service draws the ids of what it
    opens: the same instant on both sides, and the same ids in the order they are drawn (random,
    so that the tie-break on ids is tested); the returned function starts the ids again."""
    monkeypatch.setattr(clock, "now", lambda: FROZEN)
    draws = random.Random()

    def uuid4() -> uuid.UUID:
        return uuid.UUID(int=draws.getrandbits(128), version=4)

    monkeypatch.setattr(intake, "uuid", SimpleNamespace(uuid4=uuid4, UUID=uuid.UUID))
    return lambda: draws.seed(8)


@pytest.fixture
async def two_databases(make_database: Callable[[str, Path], str]) -> AsyncIterator[tuple[AsyncEngine, AsyncEngine]]:
    """Two clean assessment databases, migrated."""
    per_event = make_engine(make_database("assessment_eq_each", ALEMBIC_INI))
    batched = make_engine(make_database("assessment_eq_batch", ALEMBIC_INI))
    yield per_event, batched
    await per_event.dispose()
    await batched.dispose()


def recording(handlers: dict[str, BatchHandler], runs: list[list[str]]) -> dict[str, BatchHandler]:
    """The batch handlers, noting the types of each run they were given."""

    def wrap(handler: BatchHandler) -> BatchHandler:
        async def recorded(tx: Any, events: list[Envelope[Any]]) -> None:
            runs.append([e.type for e in events])
            await handler(tx, events)

        return recorded

    return {event_type: wrap(handler) for event_type, handler in handlers.items()}


async def consume(
    broker: TansuBroker, engine: AsyncEngine, stream: list[Envelope[Any]], batch_handlers: dict[str, BatchHandler] | None
) -> None:
    """Run the intake consumer (its per-event handlers, and the batch handlers if given) over the
    stream on a one-partition topic of its own, until the last event is handled."""
    settings = test_settings(broker.bootstrap)
    topic, group = unique("assessment.eq"), unique("assessment-eq")
    await ensure_topics(settings, [topic, *consumer_topics(group)], partitions=1)
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", linger_ms=50)
    await producer.start()
    try:  # sent as one burst, so that the consumer fetches long runs
        sent = [await producer.send(topic, json.dumps(e.to_json_dict()).encode(), key=e.subject.encode()) for e in stream]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
    consumer = EventConsumer(
        name=group,
        topics=[topic],
        handlers=make_intake_handlers(POLICY),
        batch_handlers=batch_handlers,
        session_factory=make_session_factory(engine),
        consumer_factory=lambda: make_consumer(settings, topic, group_id=group),
        producer_factory=lambda: make_producer(settings),
        source="assessment",
        retry_backoff=0.01,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    last = stream[-1].id
    try:
        await eventually(lambda: rows(engine, f"SELECT 1 FROM inbox WHERE event_id = '{last}'"), within=30)
    finally:
        stop.set()
        await task


async def test_the_batch_handlers_leave_what_the_per_event_handlers_leave_through_the_runner(
    broker: TansuBroker, two_databases: tuple[AsyncEngine, AsyncEngine], same_instants_and_ids: Callable[[], None]
) -> None:
    per_event, batched = two_databases
    stream = the_stream()
    runs: list[list[str]] = []
    same_instants_and_ids()
    await consume(broker, per_event, stream, None)
    same_instants_and_ids()
    await consume(broker, batched, stream, recording(make_intake_batch_handlers(POLICY), runs))

    expected, actual = await everything(per_event), await everything(batched)
    for table in expected:
        assert actual[table] == expected[table], table
    # The stream exercised what it is meant to: the batch handlers took runs of each type.
    assert any(len(run) > 1 and run[0] == "referral.decided" for run in runs), runs
    assert any(len(run) > 1 and run[0] != "referral.decided" for run in runs), runs
    assert len(expected["assessments"]) == 8 and len(expected["section47"]) == 3
    assert {r["event_type"] for r in expected["outbox"]} >= {
        "assessment.opened",
        "status.changed",
        "assessment.reassigned",
        "assessment.withdrawn",
        "section47.withdrawn",
    }


async def test_a_refused_decision_in_a_run_leaves_what_the_per_event_handlers_leave(
    broker: TansuBroker, two_databases: tuple[AsyncEngine, AsyncEngine], same_instants_and_ids: Callable[[], None]
) -> None:
    """A decision naming a team the policy does not know fails its run: the runner rolls back and
    applies the events one by one, and only that one is dead-lettered. (The ids drawn in the
    rolled-back try are drawn again, so they differ from the per-event side's.)"""
    per_event, batched = two_databases
    stream = the_stream(refused=True)
    same_instants_and_ids()
    await consume(broker, per_event, stream, None)
    await consume(broker, batched, stream, make_intake_batch_handlers(POLICY))

    expected, actual = await everything(per_event, relabel=True), await everything(batched, relabel=True)
    for table in expected:
        assert actual[table] == expected[table], table
    refused = next(e for e in stream if e.data.model_dump().get("team") == "atlantis")
    assert (refused.id, "referral.decided") not in expected["inbox"]


async def apply_one_by_one(engine: AsyncEngine, stream: list[Envelope[Any]]) -> None:
    handlers, sessions = make_intake_handlers(POLICY), make_session_factory(engine)
    for event in stream:
        async with UnitOfWork(sessions, source="assessment") as tx:
            await handlers[event.type](tx, event)


async def apply_as_one_run(engine: AsyncEngine, stream: list[Envelope[Any]]) -> None:
    batch = make_intake_batch_handlers(POLICY)["referral.decided"]
    async with UnitOfWork(make_session_factory(engine), source="assessment") as tx:
        await batch(tx, stream)


async def test_the_batch_handler_takes_the_types_mixed_in_one_run(
    two_databases: tuple[AsyncEngine, AsyncEngine], same_instants_and_ids: Callable[[], None]
) -> None:
    """What the batch handler does with a run that spans the types (children and decisions in
    their order), as a runner grouping events by batch handler would hand it: the same as each
    event through its per-event handler. (Redeliveries are the inbox's business, not the handlers'.)"""
    per_event, batched = two_databases
    stream = list({e.id: e for e in the_stream()}.values())
    same_instants_and_ids()
    await apply_one_by_one(per_event, stream)
    same_instants_and_ids()
    await apply_as_one_run(batched, stream)

    expected, actual = await everything(per_event), await everything(batched)
    for table in expected:
        assert actual[table] == expected[table], table
    assert len(expected["outbox"]) > 10
