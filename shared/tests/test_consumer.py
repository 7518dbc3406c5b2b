"""Contract tests of the idempotent consumer runner on the real broker and database."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.contracts import Envelope, InformationRequested
from continuum.messaging.consumer import EventConsumer, PermanentFailure
from continuum.messaging.kafka import consumer_topics, dlq_topic, ensure_topics, make_consumer, make_producer
from continuum.observability import CONSUMER_HANDLED, CONSUMER_PAUSED_SECONDS
from continuum.persistence.db import make_engine, make_session_factory
from continuum.persistence.uow import UnitOfWork
from continuum_tools.devstack import EmbeddedPostgres, TansuBroker, free_port
from continuum_tools.testing import TcpProxy, eventually, read_raw, test_settings, unique


def an_event(case: str, version: int, agency: str = "police") -> Envelope[Any]:
    data = InformationRequested(
        request_id=uuid.uuid4(), referral_id=uuid.uuid4(), case_id=uuid.UUID(case), agency=agency, due_at="2030-01-01T00:00:00Z"
    )
    return Envelope.wrap(data, source="kernel-test", subject=case, aggregate_version=version)


async def record_effect(uow: UnitOfWork, event: Envelope[Any]) -> None:
    """The handler under test: one row per handled event, in handling order."""
    await uow.session.execute(
        text("INSERT INTO effects (event_id, subject, version) VALUES (:id, :subject, :version)"),
        {"id": event.id, "subject": event.subject, "version": event.aggregate_version},
    )


class Harness:
    """A consumer group on its own topic, a producer to feed it, and a way to run it."""

    def __init__(self, broker: TansuBroker, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.broker = broker
        self.sessions = sessions
        self.topic = unique("kernel.test")
        self.group = unique("kernel-consumer")
        self.settings = test_settings(broker.bootstrap)

    async def setup(self) -> None:
        await ensure_topics(self.settings, [self.topic, *consumer_topics(self.group)], partitions=3)

    def consumer(self, handler: Callable[..., Any] = record_effect) -> EventConsumer:
        return EventConsumer(
            name=self.group,
            topics=[self.topic],
            handlers={"information.requested": handler},
            session_factory=self.sessions,
            consumer_factory=lambda: make_consumer(self.settings, self.topic, group_id=self.group),
            producer_factory=lambda: make_producer(self.settings),
            source="kernel-test",
            retry_backoff=0.01,
        )

    async def send(self, *messages: Envelope[Any] | tuple[str, bytes]) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.broker.bootstrap)
        await producer.start()
        try:
            for m in messages:
                key, value = (m.subject, json.dumps(m.to_json_dict()).encode()) if isinstance(m, Envelope) else m
                await producer.send_and_wait(self.topic, value, key=key.encode())
        finally:
            await producer.stop()

    async def run_until(self, consumer: EventConsumer, done: Callable[[], Any], timeout: float = 20) -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))
        try:
            await eventually(done, within=timeout)
        finally:
            stop.set()
            await task

    async def effects(self) -> list[tuple[str, str, int]]:
        async with self.sessions() as session:
            rows = await session.execute(text("SELECT event_id::text, subject, version FROM effects ORDER BY seq"))
            return [(r[0], r[1], r[2]) for r in rows]


async def make_harness(broker: TansuBroker, sessions: async_sessionmaker[AsyncSession]) -> Harness:
    harness = Harness(broker, sessions)
    await harness.setup()
    return harness


async def test_a_duplicate_delivery_is_handled_once(kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker) -> None:
    h = await make_harness(broker, kernel_db)
    event, marker = an_event(str(uuid.uuid4()), 1), an_event(str(uuid.uuid4()), 1)
    await h.send(event, event, event, marker)

    await h.run_until(h.consumer(), lambda: _has(h, marker))

    assert sorted(e[0] for e in await h.effects()) == sorted([str(event.id), str(marker.id)])


async def test_a_poison_message_goes_to_the_dead_letter_topic_and_the_next_is_handled(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    h = await make_harness(broker, kernel_db)
    case = str(uuid.uuid4())
    after = an_event(case, 2)
    await h.send((case, b"{not json"), (case, json.dumps({"type": "information.requested", "data": {}}).encode()), after)

    await h.run_until(h.consumer(), lambda: _has(h, after))

    dead = await read_raw(broker.bootstrap, dlq_topic(h.group))
    reasons = [dict(r.headers)["dlq_reason"].decode() for r in dead]
    assert len(dead) == 2
    assert reasons[0].startswith("invalid: not JSON")
    assert reasons[1].startswith("invalid: information.requested does not match its contract")
    assert dict(dead[0].headers)["dlq_original_topic"].decode() == h.topic
    assert [e[0] for e in await h.effects()] == [str(after.id)]


async def test_a_handler_that_keeps_failing_dead_letters_the_event_and_changes_nothing(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    h = await make_harness(broker, kernel_db)
    # One case, so one partition: the good event is handled only after the bad one was dealt with.
    case = str(uuid.uuid4())
    bad, good = an_event(case, 1, agency="refuse-me"), an_event(case, 2)
    attempts = 0

    async def fails_for_refuse_me(uow: UnitOfWork, event: Envelope[Any]) -> None:
        nonlocal attempts
        await record_effect(uow, event)  # written, then rolled back with the failure
        if event.data.agency == "refuse-me":
            attempts += 1
            raise RuntimeError("downstream rule failed")

    await h.send(bad, good)
    await h.run_until(h.consumer(fails_for_refuse_me), lambda: _has(h, good))

    dead = await read_raw(broker.bootstrap, dlq_topic(h.group))
    assert attempts == 3
    assert [dict(r.headers)["dlq_reason"].decode() for r in dead] == [
        "failed after 3 attempts: RuntimeError: downstream rule failed"
    ]
    assert [e[0] for e in await h.effects()] == [str(good.id)]


async def test_a_permanent_failure_is_not_retried(kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker) -> None:
    h = await make_harness(broker, kernel_db)
    # One case, so one partition: the good event is handled only after the bad one was dealt with.
    case = str(uuid.uuid4())
    bad, good = an_event(case, 1, agency="refuse-me"), an_event(case, 2)
    attempts = 0

    async def refuses(uow: UnitOfWork, event: Envelope[Any]) -> None:
        nonlocal attempts
        if event.data.agency == "refuse-me":
            attempts += 1
            raise PermanentFailure("the case is unknown here")
        await record_effect(uow, event)

    await h.send(bad, good)
    await h.run_until(h.consumer(refuses), lambda: _has(h, good))

    assert attempts == 1
    dead = await read_raw(broker.bootstrap, dlq_topic(h.group))
    assert [dict(r.headers)["dlq_reason"].decode() for r in dead] == ["rejected: the case is unknown here"]


async def test_events_of_one_case_are_handled_in_order(kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker) -> None:
    h = await make_harness(broker, kernel_db)
    cases = [str(uuid.uuid4()) for _ in range(4)]
    events = [an_event(case, version) for version in range(1, 11) for case in cases]
    await h.send(*events)

    await h.run_until(h.consumer(), lambda: _count_is(h, 40))

    effects = await h.effects()
    for case in cases:
        assert [version for _, subject, version in effects if subject == case] == list(range(1, 11))


async def test_a_restarted_consumer_resumes_from_the_committed_offset(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    h = await make_harness(broker, kernel_db)
    case = str(uuid.uuid4())
    first_batch = [an_event(case, v) for v in range(1, 6)]
    await h.send(*first_batch)
    await h.run_until(h.consumer(), lambda: _count_is(h, 5))

    second_batch = [an_event(case, v) for v in range(6, 9)]
    await h.send(*second_batch)
    handled, duplicates = CONSUMER_HANDLED.labels(h.group, "handled"), CONSUMER_HANDLED.labels(h.group, "duplicate")
    handled_before, duplicates_before = handled._value.get(), duplicates._value.get()
    await h.run_until(h.consumer(), lambda: _count_is(h, 8))

    # Only the new events were read again: nothing before the committed offset came back.
    assert handled._value.get() - handled_before == 3
    assert duplicates._value.get() - duplicates_before == 0
    assert [v for _, _, v in await h.effects()] == list(range(1, 9))


async def _has(h: Harness, event: Envelope[Any]) -> bool:
    return any(e[0] == str(event.id) for e in await h.effects())


async def _count_is(h: Harness, n: int) -> bool:
    return len(await h.effects()) >= n


async def test_replaying_a_dead_letter_topic_handles_the_event_once(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    from continuum.messaging.dlq import replay

    h = await make_harness(broker, kernel_db)
    event = an_event(str(uuid.uuid4()), 1, agency="refuse-me")
    refusing = True

    async def refuses_until_fixed(uow: UnitOfWork, e: Envelope[Any]) -> None:
        if refusing and e.data.agency == "refuse-me":
            raise PermanentFailure("the rule was wrong")
        await record_effect(uow, e)

    marker = an_event(str(uuid.uuid4()), 1)
    await h.send(event, marker)
    await h.run_until(h.consumer(refuses_until_fixed), lambda: _has(h, marker))
    assert not await _has(h, event)

    refusing = False  # the fix is deployed
    assert await replay(h.settings, h.group) == 1
    assert await replay(h.settings, h.group) == 0  # the replay group remembers what it replayed
    await h.run_until(h.consumer(refuses_until_fixed), lambda: _has(h, event))

    assert sorted(e[0] for e in await h.effects()) == sorted([str(event.id), str(marker.id)])


async def test_a_failing_event_in_a_batch_does_not_hold_up_the_others(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    h = await make_harness(broker, kernel_db)
    case = str(uuid.uuid4())  # one key: one partition, so the three arrive in one batch
    before, bad, after = an_event(case, 1), an_event(case, 2, agency="refuse-me"), an_event(case, 3)
    attempts = 0

    async def fails_for_refuse_me(uow: UnitOfWork, event: Envelope[Any]) -> None:
        nonlocal attempts
        await record_effect(uow, event)
        if event.data.agency == "refuse-me":
            attempts += 1
            raise RuntimeError("downstream rule failed")

    await h.send(before, bad, after)
    await h.run_until(h.consumer(fails_for_refuse_me), lambda: _has(h, after))

    assert attempts == 3  # the try inside the batch counts as the first
    assert [e[0] for e in await h.effects()] == [str(before.id), str(after.id)]
    dead = await read_raw(broker.bootstrap, dlq_topic(h.group))
    assert [dict(r.headers)["dlq_reason"].decode() for r in dead] == [
        "failed after 3 attempts: RuntimeError: downstream rule failed"
    ]


async def test_a_refused_event_in_a_batch_is_dead_lettered_without_running_again(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    h = await make_harness(broker, kernel_db)
    case = str(uuid.uuid4())
    bad, after = an_event(case, 1, agency="refuse-me"), an_event(case, 2)
    attempts = 0

    async def refuses(uow: UnitOfWork, event: Envelope[Any]) -> None:
        nonlocal attempts
        if event.data.agency == "refuse-me":
            attempts += 1
            raise PermanentFailure("the case is unknown here")
        await record_effect(uow, event)

    await h.send(bad, after)
    await h.run_until(h.consumer(refuses), lambda: _has(h, after))

    assert attempts == 1
    dead = await read_raw(broker.bootstrap, dlq_topic(h.group))
    assert [dict(r.headers)["dlq_reason"].decode() for r in dead] == ["rejected: the case is unknown here"]


async def test_an_unknown_event_type_is_skipped_and_counted_not_dead_lettered(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    h = await make_harness(broker, kernel_db)
    case = str(uuid.uuid4())
    newer = an_event(case, 1).to_json_dict() | {"type": "information.withdrawn"}  # a rolling deploy's new event
    after = an_event(case, 2)
    unknown = CONSUMER_HANDLED.labels(h.group, "unknown_type")
    before = unknown._value.get()
    await h.send((case, json.dumps(newer).encode()), after)

    await h.run_until(h.consumer(), lambda: _has(h, after))

    assert unknown._value.get() == before + 1
    assert await read_raw(broker.bootstrap, dlq_topic(h.group), timeout=1.0) == []
    assert [e[0] for e in await h.effects()] == [str(after.id)]


async def test_the_consumers_database_away_for_ten_seconds_pauses_the_partition_and_loses_nothing(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker, postgres: EmbeddedPostgres
) -> None:
    proxy = TcpProxy(postgres.port)
    await proxy.start()
    engine = make_engine(postgres.url("kernel_test").replace(f":{postgres.port}/", f":{proxy.port}/"))
    through_proxy = make_session_factory(engine)
    h = await make_harness(broker, kernel_db)
    cases = [str(uuid.uuid4()) for _ in range(3)]
    first = [an_event(case, 1) for case in cases]
    later = [an_event(case, v) for v in range(2, 6) for case in cases]
    stop = asyncio.Event()
    consumer = h.consumer()
    consumer._session_factory = through_proxy
    task = asyncio.create_task(consumer.run(stop))
    try:
        await h.send(*first)
        await eventually(lambda: _count_is(h, 3), within=20)
        await proxy.cut()  # the database refuses connections
        await h.send(*later)
        await asyncio.sleep(10)  # the outage: proves nothing is applied or skipped while it lasts
        assert len(await h.effects()) == 3  # nothing applied meanwhile, nothing skipped
        await proxy.restore()
        await eventually(lambda: _count_is(h, 15), within=30)
    finally:
        stop.set()
        await task
        await engine.dispose()
        await proxy.cut()
    effects = await h.effects()
    assert sorted(e[0] for e in effects) == sorted(str(e.id) for e in first + later)  # each exactly once
    for case in cases:
        assert [v for _, subject, v in effects if subject == case] == [1, 2, 3, 4, 5]
    assert await read_raw(broker.bootstrap, dlq_topic(h.group), timeout=1.0) == []


async def test_the_consumers_database_refusing_connections_for_ten_seconds_pauses_the_partition_and_loses_nothing(
    outage_db: async_sessionmaker[AsyncSession], broker: TansuBroker, postgres: EmbeddedPostgres
) -> None:
    """``ALTER DATABASE ... ALLOW_CONNECTIONS false`` and its sessions terminated: every unit of
    work then fails to connect with SQLSTATE 55000 (asyncpg's ObjectNotInPrerequisiteStateError),
    which the runner once took for the event's fault and dead-lettered. Failing to get a
    connection is never the event's fault: the partition waits."""
    h = await make_harness(broker, outage_db)
    cases = [str(uuid.uuid4()) for _ in range(3)]
    first = [an_event(case, 1) for case in cases]
    later = [an_event(case, v) for v in range(2, 6) for case in cases]
    paused = CONSUMER_PAUSED_SECONDS.labels(h.group)
    stop = asyncio.Event()
    task = asyncio.create_task(h.consumer().run(stop))
    try:
        await h.send(*first)
        await eventually(lambda: _count_is(h, 3), within=20)
        postgres.refuse_connections("kernel_outage")
        await h.send(*later)
        await asyncio.sleep(10)  # the ten-second outage the test is about
        assert paused._value.get() > 0  # it waited for the database
        assert await read_raw(broker.bootstrap, dlq_topic(h.group), timeout=1.0) == []  # and blamed no event
        postgres.allow_connections("kernel_outage")
        await eventually(lambda: _count_is(h, 15), within=30)
    finally:
        postgres.allow_connections("kernel_outage")
        stop.set()
        await task
    effects = await h.effects()
    assert sorted(e[0] for e in effects) == sorted(str(e.id) for e in first + later)  # each exactly once
    for case in cases:
        assert [v for _, subject, v in effects if subject == case] == [1, 2, 3, 4, 5]
    assert await read_raw(broker.bootstrap, dlq_topic(h.group), timeout=1.0) == []


async def test_replaying_a_still_poisonous_message_does_not_loop_and_never_touches_the_shared_topic(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    from continuum.messaging.dlq import replay_report

    h = await make_harness(broker, kernel_db)
    case = str(uuid.uuid4())  # one partition: the poison is dead-lettered before the healthy one is handled
    poison = an_event(case, 1, agency="refuse-me")
    healthy = an_event(case, 2)

    async def refuses(uow: UnitOfWork, e: Envelope[Any]) -> None:
        if e.data.agency == "refuse-me":
            raise PermanentFailure("still refused")
        await record_effect(uow, e)

    await h.send(poison, healthy)
    await h.run_until(h.consumer(refuses), lambda: _has(h, healthy))
    source_before = len(await read_raw(broker.bootstrap, h.topic))

    for run in (1, 2):
        report = await replay_report(h.settings, h.group)
        assert (report.replayed, report.left) == (1, 0)
        # The group handles the replay and refuses it again: one more dead letter, counted.
        await h.run_until(h.consumer(refuses), lambda run=run: _dead_count_is(broker, h.group, run + 1))  # type: ignore[misc]

    dead = await read_raw(broker.bootstrap, dlq_topic(h.group))
    assert [dict(r.headers)["dlq_attempts"] for r in dead] == [b"1", b"2", b"3"]
    assert {dict(r.headers)["dlq_original_topic"] for r in dead} == {h.topic.encode()}
    assert len(await read_raw(broker.bootstrap, h.topic)) == source_before  # nothing written back to the shared topic
    assert [e[0] for e in await h.effects()] == [str(healthy.id)]


async def _dead_count_is(broker: TansuBroker, group: str, n: int) -> bool:
    return len(await read_raw(broker.bootstrap, dlq_topic(group), timeout=1.0)) >= n


async def test_the_inbox_forgets_event_ids_older_than_the_topics_keep_events(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    from continuum.messaging.consumer import INBOX_RETENTION
    from continuum.messaging.kafka import TOPIC_RETENTION_MS

    h = await make_harness(broker, kernel_db)
    consumer = h.consumer()
    async with kernel_db() as session, session.begin():
        for age_days, name in ((402, consumer.name), (399, consumer.name), (402, "another-consumer")):
            await session.execute(
                text(
                    "INSERT INTO inbox (consumer, event_id, event_type, handled_at) "
                    "VALUES (:c, gen_random_uuid(), 'information.requested', now() - make_interval(days => :d))"
                ),
                {"c": name, "d": age_days},
            )
    assert INBOX_RETENTION.total_seconds() * 1000 > TOPIC_RETENTION_MS
    assert await consumer.prune_inbox() == 1  # only this consumer's, only past the retention
    async with kernel_db() as session:
        left = (await session.execute(text("SELECT consumer FROM inbox ORDER BY consumer"))).scalars().all()
    assert left == ["another-consumer", consumer.name]


async def record_effects(uow: UnitOfWork, events: list[Envelope[Any]]) -> None:
    """The batch form of ``record_effect``: one statement for the whole run, in order."""
    await uow.session.execute(
        text("INSERT INTO effects (event_id, subject, version) VALUES (:id, :subject, :version)"),
        [{"id": e.id, "subject": e.subject, "version": e.aggregate_version} for e in events],
    )


async def test_a_batch_handler_applies_a_run_at_once_with_the_per_event_effect(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    h = await make_harness(broker, kernel_db)
    cases = [str(uuid.uuid4()) for _ in range(3)]
    events = [an_event(case, v) for v in range(1, 11) for case in cases]
    runs: list[int] = []

    async def batch(uow: UnitOfWork, run: list[Envelope[Any]]) -> None:
        runs.append(len(run))
        await record_effects(uow, run)

    consumer = h.consumer()
    consumer.batch_handlers = {"information.requested": batch}
    duplicates = CONSUMER_HANDLED.labels(h.group, "duplicate")
    duplicates_before = duplicates._value.get()
    await h.send(*events, events[0], events[5])  # two redeliveries

    async def all_read() -> bool:  # the redeliveries too, as duplicates
        return await _count_is(h, 30) and duplicates._value.get() - duplicates_before >= 2

    await h.run_until(consumer, all_read)

    effects = await h.effects()
    assert sorted(e[0] for e in effects) == sorted(str(e.id) for e in events)  # each once, duplicates skipped
    for case in cases:
        assert [v for _, subject, v in effects if subject == case] == list(range(1, 11))
    assert max(runs) > 1  # the runs really went through the batch handler


async def test_a_failing_batch_falls_back_to_the_per_event_handler_and_isolates_the_poison(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    h = await make_harness(broker, kernel_db)
    case = str(uuid.uuid4())
    events = [an_event(case, v, agency="refuse-me" if v == 4 else "police") for v in range(1, 8)]

    async def refuses(uow: UnitOfWork, e: Envelope[Any]) -> None:
        if e.data.agency == "refuse-me":
            raise PermanentFailure("refused")
        await record_effect(uow, e)

    async def batch(uow: UnitOfWork, run: list[Envelope[Any]]) -> None:
        if any(e.data.agency == "refuse-me" for e in run):
            raise PermanentFailure("refused")
        await record_effects(uow, run)

    consumer = h.consumer(refuses)
    consumer.batch_handlers = {"information.requested": batch}
    await h.send(*events)
    await h.run_until(consumer, lambda: _count_is(h, 6))

    assert [v for _, _, v in await h.effects()] == [1, 2, 3, 5, 6, 7]
    dead = await read_raw(broker.bootstrap, dlq_topic(h.group))
    assert [dict(r.headers)["dlq_reason"].decode() for r in dead] == ["rejected: refused"]


async def test_a_consumer_whose_broker_restarted_empty_reads_the_new_stream_from_its_start(
    kernel_db: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """A memory broker restarted forgets the topics and the group's offsets, but a running consumer
    keeps its positions. Events written after the restart land at offsets below those positions;
    the consumer must read them all, not resume where the old log ended."""
    broker = TansuBroker(port=free_port(), log_path=tmp_path / "tansu.log")
    broker.start()
    try:
        h = await make_harness(broker, kernel_db)
        before = [an_event(str(uuid.uuid4()), 1) for _ in range(30)]
        after = [an_event(str(uuid.uuid4()), 1) for _ in range(60)]
        await h.send(*before)
        consumer = h.consumer()
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))
        try:
            await eventually(lambda: _count_is(h, 30), within=20)
            broker.stop()
            broker.start()  # memory storage: topics, offsets and the group are gone
            await h.setup()
            await h.send(*after)
            await eventually(lambda: _count_is(h, 90), within=30)
        finally:
            stop.set()
            await task
    finally:
        broker.stop()
    handled = {e[0] for e in await h.effects()}
    assert handled == {str(e.id) for e in [*before, *after]}
    assert len(await h.effects()) == 90
