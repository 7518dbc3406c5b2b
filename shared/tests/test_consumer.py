"""Contract tests of the idempotent consumer runner on the real broker and database."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.consumer import EventConsumer, PermanentFailure
from continuum.contracts import Envelope, InformationRequested
from continuum.devstack import TansuBroker
from continuum.kafka import dlq_topic, ensure_topics, make_consumer, make_producer
from continuum.observability import CONSUMER_HANDLED
from continuum.testing import read_raw, test_settings, unique
from continuum.uow import UnitOfWork


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
        await ensure_topics(self.settings, [self.topic, dlq_topic(self.group)], partitions=3)

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
            async with asyncio.timeout(timeout):
                while not await done():
                    await asyncio.sleep(0.05)
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
    bad, good = an_event(str(uuid.uuid4()), 1, agency="refuse-me"), an_event(str(uuid.uuid4()), 1)
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
    bad, good = an_event(str(uuid.uuid4()), 1, agency="refuse-me"), an_event(str(uuid.uuid4()), 1)
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
    from continuum.dlq import replay

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
