"""Contract tests of the outbox relay on the real broker and database."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.contracts import Envelope, InformationRequested
from continuum.messaging.kafka import ensure_topics, make_consumer, make_inspector, make_producer
from continuum.messaging.outbox_upkeep import HISTORY_COLUMNS
from continuum.messaging.relay import OutboxRelay
from continuum.observability import OUTBOX_PUBLISH_FAILURES
from continuum.persistence.db import event_history, outbox
from continuum.persistence.uow import EventKey, UnitOfWork
from continuum_tools.devstack import EmbeddedPostgres, TansuBroker, free_port
from continuum_tools.testing import eventually, read_events, test_settings

TOPIC = InformationRequested.topic


async def write_case_events(
    sessions: async_sessionmaker[AsyncSession],
    cases: int,
    per_case: int,
    *,
    case_ids: list[str] | None = None,
    first_version: int = 1,
) -> dict[str, list[uuid.UUID]]:
    """Each case's events in separate transactions, interleaved across cases; returns ids per case
    in order. New cases, unless ``case_ids`` names them (their next events, from ``first_version``)."""
    ids: dict[str, list[uuid.UUID]] = defaultdict(list)
    case_ids = case_ids or [str(uuid.uuid4()) for _ in range(cases)]
    for version in range(first_version, first_version + per_case):
        for case in case_ids:
            uow = UnitOfWork(sessions, source="kernel-test")
            async with uow:
                data = InformationRequested(
                    request_id=uuid.uuid4(),
                    referral_id=uuid.uuid4(),
                    case_id=uuid.UUID(case),
                    agency="police",
                    due_at="2030-01-01T00:00:00Z",
                )
                envelope = await uow.publish(data, aggregate=EventKey(case, version))
            ids[case].append(envelope.id)
    return ids


def relay_for(sessions: async_sessionmaker[AsyncSession], bootstrap: str) -> OutboxRelay:
    settings = test_settings(bootstrap)
    return OutboxRelay(sessions, lambda: make_producer(settings), service="kernel-test", poll_interval=0.05)


async def unpublished(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).where(outbox.c.published_at.is_(None)))).scalar_one())


def assert_exactly_once_in_order(events: list[Envelope[Any]], expected: dict[str, list[uuid.UUID]]) -> None:
    seen: dict[str, list[uuid.UUID]] = defaultdict(list)
    for event in events:
        seen[event.subject].append(event.id)
    assert dict(seen) == dict(expected)


async def drained(sessions: async_sessionmaker[AsyncSession], *, within: float = 20) -> None:
    """Wait until every outbox row is marked published."""

    async def nothing_left() -> bool:
        return await unpublished(sessions) == 0

    await eventually(nothing_left, within=within, what="every outbox row published")


async def run_until_drained(relay: OutboxRelay, sessions: async_sessionmaker[AsyncSession], timeout: float = 20) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await drained(sessions, within=timeout)
    finally:
        stop.set()
        await task


async def test_relay_publishes_every_event_once_in_order_per_case(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    expected = await write_case_events(kernel_db, cases=4, per_case=5)

    await run_until_drained(relay_for(kernel_db, broker.bootstrap), kernel_db)

    events = await read_events(broker.bootstrap, TOPIC, match=lambda e: e.subject in expected, count=20, settle=0.5)
    assert_exactly_once_in_order(events, expected)


async def test_two_relays_running_together_publish_each_event_once(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    expected = await write_case_events(kernel_db, cases=5, per_case=8)
    first, second = relay_for(kernel_db, broker.bootstrap), relay_for(kernel_db, broker.bootstrap)
    first.batch_size = second.batch_size = 3  # many small batches, so the two contend

    await asyncio.gather(run_until_drained(first, kernel_db), run_until_drained(second, kernel_db))

    events = await read_events(broker.bootstrap, TOPIC, match=lambda e: e.subject in expected, count=40, settle=0.5)
    assert_exactly_once_in_order(events, expected)


async def test_writes_succeed_while_the_broker_is_down_and_drain_once_when_it_returns(
    kernel_db: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    broker = TansuBroker(port=free_port(), log_path=tmp_path / "tansu.log")
    broker.start()
    await ensure_topics(test_settings(broker.bootstrap), [TOPIC])
    relay = relay_for(kernel_db, broker.bootstrap)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        broker.stop()
        expected = await write_case_events(kernel_db, cases=3, per_case=4)  # the writes do not need the broker
        failures = OUTBOX_PUBLISH_FAILURES.labels("kernel-test")
        before = failures._value.get()
        # The relay has met the broker's absence since the writes (it cannot have published them).
        await eventually(lambda: failures._value.get() > before, within=20, what="the relay failing to reach the broker")
        assert await unpublished(kernel_db) == 12
        assert relay.broker_available is False

        broker.start()  # memory storage: the returning broker starts empty, so every event seen is from the backlog
        await ensure_topics(test_settings(broker.bootstrap), [TOPIC])
        await drained(kernel_db, within=40)
    finally:
        stop.set()
        await task

    events = await read_events(broker.bootstrap, TOPIC, match=lambda e: e.subject in expected, count=12, settle=1.0)
    broker.stop()
    assert_exactly_once_in_order(events, expected)


async def test_published_events_older_than_the_retention_move_to_the_history_and_nothing_else(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    await write_case_events(kernel_db, cases=1, per_case=3)
    async with kernel_db() as session, session.begin():
        seqs = list((await session.execute(select(outbox.c.seq).order_by(outbox.c.seq))).scalars())
        old, recent = datetime.now(UTC) - timedelta(days=8), datetime.now(UTC) - timedelta(days=6)
        await session.execute(update(outbox).where(outbox.c.seq == seqs[0]).values(published_at=old))
        await session.execute(update(outbox).where(outbox.c.seq == seqs[1]).values(published_at=recent))

    async with kernel_db() as session:
        first = (await session.execute(select(outbox).where(outbox.c.seq == seqs[0]))).one()._asdict()

    assert await relay_for(kernel_db, broker.bootstrap).archive() == 1

    async with kernel_db() as session:
        left = list((await session.execute(select(outbox.c.seq).order_by(outbox.c.seq))).scalars())
        kept = [row._asdict() for row in (await session.execute(select(event_history))).all()]
    assert left == seqs[1:]  # the recent one and the unpublished one stay
    # Moved, not deleted: the row whole (its seq too) but for the relay's bookkeeping.
    assert kept == [{name: first[name] for name in HISTORY_COLUMNS}]


# --- faults: the broker loses what it acknowledged, a publisher freezes, a batch half fails -----------


def relay_with_inspector(sessions: async_sessionmaker[AsyncSession], bootstrap: str, **options: Any) -> OutboxRelay:
    settings = test_settings(bootstrap)
    return OutboxRelay(
        sessions,
        lambda: make_producer(settings),
        service="kernel-test",
        poll_interval=0.05,
        inspector_factory=lambda: make_inspector(settings),
        declare_topics=lambda topics: ensure_topics(settings, topics),
        topics=[TOPIC],
        **options,
    )


def first_deliveries(events: list[Envelope[Any]]) -> dict[str, list[uuid.UUID]]:
    """Each event's first delivery, per case, in topic order: what an idempotent consumer applies."""
    seen: set[uuid.UUID] = set()
    firsts: dict[str, list[uuid.UUID]] = defaultdict(list)
    for event in events:
        if event.id not in seen:
            seen.add(event.id)
            firsts[event.subject].append(event.id)
    return dict(firsts)


async def test_a_broker_restarted_empty_mid_stream_gets_every_event_again_in_order_per_case(
    kernel_db: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    broker = TansuBroker(port=free_port(), log_path=tmp_path / "tansu.log")
    broker.start()
    await ensure_topics(test_settings(broker.bootstrap), [TOPIC])
    relay = relay_with_inspector(kernel_db, broker.bootstrap)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        before = await write_case_events(kernel_db, cases=4, per_case=5)
        await drained(kernel_db)
        broker.stop()
        broker.start()  # memory storage: everything acknowledged before is gone, topics too
        after = await write_case_events(kernel_db, cases=4, per_case=5)
        expected = {case: ids for part in (before, after) for case, ids in part.items()}
        events = await read_events(
            broker.bootstrap, TOPIC, match=lambda e: e.subject in expected, count=40, timeout=60, settle=1.0
        )
    finally:
        stop.set()
        await task
        broker.stop()
    assert first_deliveries(events) == expected
    assert await unpublished(kernel_db) == 0


async def test_a_batch_in_flight_when_the_broker_dies_never_lands_ahead_of_the_older_events_it_lost(
    kernel_db: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """A short outage with a batch in flight: the broker stops answering while the relay sends
    each case's next event, dies, and comes back empty two seconds later. The producer used to
    retry that batch into the new broker by itself, and only its acknowledgement (an offset given
    out again) told the relay of the loss: the republished older events then landed behind it, so
    a consumer met each case's latest event first. For every case, the events' first deliveries on
    the topic must be in outbox order (later copies are duplicates an inbox skips)."""
    broker = TansuBroker(port=free_port(), log_path=tmp_path / "tansu.log")
    broker.start()
    settings = test_settings(broker.bootstrap)
    await ensure_topics(settings, [TOPIC])
    sent: list[str] = []

    def counting_producer() -> Any:
        producer = make_producer(settings)
        send = producer.send

        async def counted(topic: str, *args: Any, **kwargs: Any) -> Any:
            sent.append(topic)
            return await send(topic, *args, **kwargs)

        producer.send = counted  # type: ignore[method-assign]
        return producer

    relay = relay_with_inspector(kernel_db, broker.bootstrap)
    relay._producer_factory = counting_producer
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        before = await write_case_events(kernel_db, cases=8, per_case=3)
        await drained(kernel_db)
        broker.pause()
        in_flight = len(sent) + 8  # the next wave: each case's fourth event
        after = await write_case_events(kernel_db, cases=8, per_case=3, case_ids=list(before), first_version=4)
        await eventually(lambda: len(sent) >= in_flight, within=10, what="the next wave sent to the paused broker")
        broker.kill()
        await asyncio.sleep(2)  # the outage
        broker.start()  # memory storage: empty
        expected = {case: before[case] + after[case] for case in before}
        events = await read_events(
            broker.bootstrap, TOPIC, match=lambda e: e.subject in expected, count=48, timeout=60, settle=2.0
        )
    finally:
        stop.set()
        await task
        broker.stop()
    assert first_deliveries(events) == expected
    assert await unpublished(kernel_db) == 0


async def test_a_connection_closed_between_batches_is_replaced_and_the_broker_checked_before_sending(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    """A connection the broker closed while the relay had nothing to send (idle, or a restart) is
    not used again, nor silently replaced by the producer: the relay makes a new producer, which
    checks the broker before it sends. Not a publishing failure."""
    relay = relay_with_inspector(kernel_db, broker.bootstrap)
    failures = OUTBOX_PUBLISH_FAILURES.labels("kernel-test")
    before = failures._value.get()
    first = await write_case_events(kernel_db, cases=2, per_case=2)
    assert await relay.publish_pending() == 4
    producer = relay._producer
    assert producer is not None
    for conn in list(producer.client._conns.values()):
        conn.close()  # as a broker closes an idle connection
    later = await write_case_events(kernel_db, cases=2, per_case=2, case_ids=list(first), first_version=3)
    assert await relay.publish_pending() == 4
    assert relay._producer is not producer and failures._value.get() == before
    await relay._drop_clients()
    expected = {case: first[case] + later[case] for case in first}
    events = await read_events(broker.bootstrap, TOPIC, match=lambda e: e.subject in expected, count=8, settle=0.5)
    assert_exactly_once_in_order(events, expected)


async def test_a_five_second_broker_outage_mid_stream_keeps_every_cases_order(
    kernel_db: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """As an operator would see it: cases keep changing while the (memory) broker is stopped in the
    middle of the stream, stays away five seconds, and comes back empty. Every case's events'
    first deliveries are in outbox order on the new broker."""
    broker = TansuBroker(port=free_port(), log_path=tmp_path / "tansu.log")
    broker.start()
    await ensure_topics(test_settings(broker.bootstrap), [TOPIC])
    relay = relay_with_inspector(kernel_db, broker.bootstrap)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    cases = [str(uuid.uuid4()) for _ in range(12)]
    expected: dict[str, list[uuid.UUID]] = defaultdict(list)

    async def keep_writing() -> None:
        for version in range(1, 31):
            for case, ids in (await write_case_events(kernel_db, 0, 1, case_ids=cases, first_version=version)).items():
                expected[case] += ids
            await asyncio.sleep(0.1)  # a stream over three seconds, not one burst

    try:
        writing = asyncio.create_task(keep_writing())

        async def first_wave_published() -> bool:
            return sum(len(ids) for ids in expected.values()) - await unpublished(kernel_db) >= len(cases)

        # A part of the stream is on the broker, the rest on its way.
        await eventually(first_wave_published, within=20, what="a part of the stream published")
        assert not writing.done()
        broker.kill()  # as a crash: no goodbye to its clients, whatever was in flight stays unanswered
        await asyncio.sleep(5)  # the outage the test is about
        broker.start()
        await writing
        events = await read_events(
            broker.bootstrap, TOPIC, match=lambda e: e.subject in expected, count=360, timeout=60, settle=2.0
        )
    finally:
        stop.set()
        await task
        broker.stop()
    assert first_deliveries(events) == dict(expected)
    assert await unpublished(kernel_db) == 0


async def test_a_topic_made_again_by_the_broker_with_fewer_partitions_gets_every_event_again(
    kernel_db: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """Tansu (and Kafka with auto.create.topics.enable) makes a topic on its first mention, with
    the broker's default partitions: after a restart, a consumer's metadata request can make the
    relay's topic again before the relay declares it. The relay (here one starting afresh, as after
    a restart of the service) must notice that partitions it published to are gone, republish in
    order, and not hang asking for their ends."""
    broker = TansuBroker(port=free_port(), log_path=tmp_path / "tansu.log")
    broker.start()
    await ensure_topics(test_settings(broker.bootstrap), [TOPIC], partitions=6)
    try:
        stop = asyncio.Event()
        task = asyncio.create_task(relay_with_inspector(kernel_db, broker.bootstrap).run(stop))
        before = await write_case_events(kernel_db, cases=12, per_case=3)
        await drained(kernel_db)
        stop.set()
        await task
        broker.stop()
        broker.start()
        # A subscriber asks the new broker about the topic first: its metadata request makes it.
        subscriber = make_consumer(test_settings(broker.bootstrap), TOPIC, group_id="kernel-subscriber")
        await subscriber.start()
        try:
            await eventually(lambda: subscriber.partitions_for_topic(TOPIC), within=10, interval=0.1, what="the topic made again")
            assert len(subscriber.partitions_for_topic(TOPIC) or ()) < 6
        finally:
            await subscriber.stop()
        after = await write_case_events(kernel_db, cases=4, per_case=3)
        expected = {case: ids for part in (before, after) for case, ids in part.items()}
        stop = asyncio.Event()
        task = asyncio.create_task(relay_with_inspector(kernel_db, broker.bootstrap).run(stop))
        try:
            events = await read_events(
                broker.bootstrap, TOPIC, match=lambda e: e.subject in expected, count=48, timeout=30, settle=1.0
            )
        finally:
            stop.set()
            await task
    finally:
        broker.stop()
    assert first_deliveries(events) == expected
    assert await unpublished(kernel_db) == 0


async def test_a_shared_topic_refilled_by_another_service_after_a_broker_loss_gets_this_services_events_again(
    kernel_db: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """Several services write ``continuum.partner-status``. After the broker comes back empty,
    another service's relay may republish into a partition of it before this relay looks: the
    partition then ends near where this relay's offsets were, and the loss cannot be seen there.
    The loss of this service's own topic shows it: every topic this relay wrote is sent again
    (the fault journey once ended with a child's partner status missing, in a full run)."""
    shared = "kernel-test.shared"
    broker = TansuBroker(port=free_port(), log_path=tmp_path / "tansu.log")
    broker.start()
    settings = test_settings(broker.bootstrap)
    try:
        await ensure_topics(settings, [TOPIC, shared], partitions=1)
        own = await write_case_events(kernel_db, cases=1, per_case=2)
        (case,) = own
        told = await write_case_events(kernel_db, cases=0, per_case=1, case_ids=[case], first_version=3)
        async with kernel_db() as session, session.begin():  # the last event goes to the shared topic
            await session.execute(update(outbox).where(outbox.c.event_id == told[case][0]).values(topic=shared))
        await run_until_drained(relay_with_inspector(kernel_db, broker.bootstrap), kernel_db)
        broker.stop()
        broker.start()  # memory storage: it comes back empty
        await ensure_topics(settings, [TOPIC, shared], partitions=1)
        other = make_producer(settings)  # another service republishing into the shared topic first
        await other.start()
        try:
            for n in range(3):
                await other.send_and_wait(shared, value=b"{}", key=f"other-{n}".encode())
        finally:
            await other.stop()
        stop = asyncio.Event()
        task = asyncio.create_task(relay_with_inspector(kernel_db, broker.bootstrap).run(stop))
        try:
            events = await read_events(broker.bootstrap, shared, match=lambda e: e.subject == case, count=1, timeout=30)
        finally:
            stop.set()
            await task
    finally:
        broker.stop()
    assert [e.id for e in events] == told[case]


async def test_a_publisher_frozen_while_holding_the_lease_is_replaced_within_seconds(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    settings = test_settings(broker.bootstrap)
    thaw = asyncio.Event()

    class FreezingProducer:
        """A producer whose first send hangs until ``thaw``: a pod cut off mid-batch."""

        def __init__(self) -> None:
            self.real = make_producer(settings)

        async def start(self) -> None:
            await self.real.start()

        async def stop(self) -> None:
            await self.real.stop()

        async def send(self, *args: Any, **kwargs: Any) -> Any:
            await thaw.wait()
            return await self.real.send(*args, **kwargs)

    frozen = OutboxRelay(kernel_db, FreezingProducer, service="kernel-test", poll_interval=0.05, lease_seconds=1.0)  # type: ignore[arg-type]
    standby = relay_for(kernel_db, broker.bootstrap)
    standby.lease_seconds = 1.0
    expected = await write_case_events(kernel_db, cases=4, per_case=5)
    stuck = asyncio.create_task(frozen.publish_pending())
    await eventually(lambda: frozen.holds_lease, within=10, what="the frozen relay holding the lease")
    assert await unpublished(kernel_db) == 20

    started = asyncio.get_running_loop().time()
    await run_until_drained(standby, kernel_db, timeout=10)
    took = asyncio.get_running_loop().time() - started
    thaw.set()
    assert await stuck == 0  # it sent its batch late, but no longer held the lease: it marked nothing
    await frozen._drop_clients()

    assert took < 5
    events = await read_events(broker.bootstrap, TOPIC, match=lambda e: e.subject in expected, count=40, timeout=10, settle=1.0)
    assert first_deliveries(events) == expected


async def test_a_publisher_frozen_inside_its_marking_transaction_is_replaced_within_the_lease(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    """Frozen after locking the lease row to mark its batch, and before committing (a paused pod,
    a stalled host): the other replica's take-over waited on that lock for as long as the freeze
    lasted (30 s and more with a 5-second lease, nothing published meanwhile). PostgreSQL now ends
    a relay session idle in its transaction for half the lease, and taking the lease never waits
    on the lock for long: the standby publishes once the frozen lease runs out."""
    lease = 5.0
    frozen, thaw = asyncio.Event(), asyncio.Event()

    async def freeze_once() -> None:
        if not frozen.is_set():
            frozen.set()
            await thaw.wait()

    holder, standby = relay_for(kernel_db, broker.bootstrap), relay_for(kernel_db, broker.bootstrap)
    holder.lease_seconds = standby.lease_seconds = lease
    holder.while_marking = freeze_once
    expected = await write_case_events(kernel_db, cases=4, per_case=5)
    stop = asyncio.Event()
    holding = asyncio.create_task(holder.run(stop))
    standing_by: asyncio.Task[None] | None = None
    try:
        await asyncio.wait_for(frozen.wait(), 10)
        started = asyncio.get_running_loop().time()
        standing_by = asyncio.create_task(standby.run(stop))
        await drained(kernel_db, within=lease + 5)  # fails here if the take-over waits on the frozen lock
        took = asyncio.get_running_loop().time() - started
        assert standby.holds_lease and took < lease + 1.5
        more = await write_case_events(kernel_db, cases=2, per_case=3)  # the standby keeps publishing
        await drained(kernel_db, within=10)
    finally:
        thaw.set()  # the frozen one wakes to a session PostgreSQL ended: its marking never commits
        stop.set()
        await holding
        if standing_by is not None:
            await standing_by
    expected |= more
    events = await read_events(broker.bootstrap, TOPIC, match=lambda e: e.subject in expected, count=26, timeout=10, settle=1.0)
    assert first_deliveries(events) == expected  # nothing lost, each case in order (late copies are duplicates)
    assert await unpublished(kernel_db) == 0


async def test_when_part_of_a_batch_fails_no_later_event_is_marked_before_an_earlier_one(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    settings = test_settings(broker.bootstrap)
    sends = 0

    class FlakyProducer:
        """The fourth send of the first batch fails; the others are acknowledged."""

        def __init__(self) -> None:
            self.real = make_producer(settings)

        async def start(self) -> None:
            await self.real.start()

        async def stop(self) -> None:
            await self.real.stop()

        async def send(self, *args: Any, **kwargs: Any) -> Any:
            nonlocal sends
            sends += 1
            if sends == 4:
                failed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
                failed.set_exception(ConnectionError("lost the leader"))
                return failed
            return await self.real.send(*args, **kwargs)

    expected = await write_case_events(kernel_db, cases=2, per_case=4)  # seq: a1 b1 a2 b2 a3 b3 ...
    relay = OutboxRelay(kernel_db, FlakyProducer, service="kernel-test", poll_interval=0.05)  # type: ignore[arg-type]
    with pytest.raises(ConnectionError):
        await relay.publish_pending()
    async with kernel_db() as session:
        marked = [
            r.published_at is not None for r in (await session.execute(select(outbox.c.published_at).order_by(outbox.c.seq)))
        ]
    # Waves of one row per case: a1 b1 | a2 b2 (b2 fails) | a3 | a4. Case b sends nothing after its
    # failure, so b3 never reaches the topic before b2; case a carries on.
    assert marked == [True, True, True, False, True, False, True, False]
    await relay._drop_clients()

    await run_until_drained(relay, kernel_db)
    events = await read_events(broker.bootstrap, TOPIC, match=lambda e: e.subject in expected, count=8, settle=1.0)
    assert first_deliveries(events) == expected


async def test_an_operator_republishes_what_was_published_since_a_time(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker, postgres: EmbeddedPostgres
) -> None:
    from typer.testing import CliRunner

    from continuum_tools.cli import app

    await write_case_events(kernel_db, cases=2, per_case=3)
    await run_until_drained(relay_for(kernel_db, broker.bootstrap), kernel_db)
    since = datetime.now(UTC)
    later = await write_case_events(kernel_db, cases=2, per_case=2)
    await run_until_drained(relay_for(kernel_db, broker.bootstrap), kernel_db)

    command = ["outbox", "republish", "--since", since.isoformat(), "--database-url", postgres.url("kernel_test")]
    result = await asyncio.to_thread(CliRunner().invoke, app, command)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("4 event(s) marked for republishing")  # only what was published since
    assert await unpublished(kernel_db) == 4
    await run_until_drained(relay_for(kernel_db, broker.bootstrap), kernel_db)
    events = await read_events(broker.bootstrap, TOPIC, match=lambda e: e.subject in later, count=8, settle=1.0)
    assert len(events) == 8 and first_deliveries(events) == later
