"""Contract tests of the outbox relay on the real broker and database."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.contracts import Envelope, InformationRequested
from continuum.db import outbox
from continuum.devstack import TansuBroker, free_port
from continuum.kafka import ensure_topics, make_producer
from continuum.relay import OutboxRelay
from continuum.testing import read_events, test_settings
from continuum.uow import UnitOfWork

TOPIC = InformationRequested.topic


async def write_case_events(sessions: async_sessionmaker[AsyncSession], cases: int, per_case: int) -> dict[str, list[uuid.UUID]]:
    """Each case's events in separate transactions, interleaved across cases; returns ids per case in order."""
    ids: dict[str, list[uuid.UUID]] = defaultdict(list)
    case_ids = [str(uuid.uuid4()) for _ in range(cases)]
    for version in range(1, per_case + 1):
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
                envelope = await uow.publish(data, subject=case, aggregate_version=version)
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


async def run_until_drained(relay: OutboxRelay, sessions: async_sessionmaker[AsyncSession], timeout: float = 20) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        async with asyncio.timeout(timeout):
            while await unpublished(sessions):
                await asyncio.sleep(0.05)
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
        await asyncio.sleep(2)
        assert await unpublished(kernel_db) == 12
        assert relay.broker_available is False

        broker.start()  # memory storage: the returning broker starts empty, so every event seen is from the backlog
        await ensure_topics(test_settings(broker.bootstrap), [TOPIC])
        async with asyncio.timeout(40):
            while await unpublished(kernel_db):
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task

    events = await read_events(broker.bootstrap, TOPIC, match=lambda e: e.subject in expected, count=12, settle=1.0)
    broker.stop()
    assert_exactly_once_in_order(events, expected)


async def test_published_events_older_than_the_retention_are_pruned_and_nothing_else(
    kernel_db: async_sessionmaker[AsyncSession], broker: TansuBroker
) -> None:
    await write_case_events(kernel_db, cases=1, per_case=3)
    async with kernel_db() as session, session.begin():
        seqs = list((await session.execute(select(outbox.c.seq).order_by(outbox.c.seq))).scalars())
        old, recent = datetime.now(UTC) - timedelta(days=8), datetime.now(UTC) - timedelta(days=6)
        await session.execute(update(outbox).where(outbox.c.seq == seqs[0]).values(published_at=old))
        await session.execute(update(outbox).where(outbox.c.seq == seqs[1]).values(published_at=recent))

    assert await relay_for(kernel_db, broker.bootstrap).prune() == 1

    async with kernel_db() as session:
        left = list((await session.execute(select(outbox.c.seq).order_by(outbox.c.seq))).scalars())
    assert left == seqs[1:]  # the recent one and the unpublished one stay
