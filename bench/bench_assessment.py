"""Benchmark: the open-assessment path, from ``referral.decided`` on the topic to a committed row.

Continuum: the real ``EventConsumer`` (contract validation, inbox dedupe, one transaction per event
with the assessment row, the outbox rows and the audit row, offset commit after the database
commit) running the service's real handler. Floor: bare aiokafka consume plus one bare asyncpg
INSERT per event (autocommit), offsets committed per batch, on the same broker, topic and database.
Prints both throughputs and ``ratio = continuum / floor``; then the latency of one decision at a time
from the topic to its committed row, for both, and ``floor p50 / continuum p50``.

    python bench/bench_assessment.py        (own embedded PostgreSQL and Tansu; about 30 s)
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from continuum.codes import ReferralSource
from continuum.consumer import EventConsumer
from continuum.contracts import DecisionOutcome, Envelope, ReferralDecided
from continuum.db import make_engine, make_session_factory
from continuum.devstack import EmbeddedPostgres, TansuBroker, free_port, migrate
from continuum.kafka import ensure_topics, make_consumer, make_producer
from continuum.policy import load_policy
from continuum.settings import ServiceSettings

EVENTS = int(os.environ.get("BENCH_EVENTS", "2000"))
TOPIC = "bench.referral"
ALEMBIC_INI = Path(__file__).resolve().parents[1] / "services" / "assessment" / "alembic.ini"


def decided_event(team: str) -> bytes:
    case = uuid.uuid4()
    now = datetime.now(UTC)
    data = ReferralDecided(
        referral_id=uuid.uuid4(),
        case_id=case,
        child_id=uuid.uuid4(),
        received_at=now,
        referral_date=date(2026, 11, 20),
        source=ReferralSource.POLICE,
        outcome=DecisionOutcome.ASSESSMENT,
        team=team,
        decided_by="bench",
        decided_at=now,
        within_one_working_day=True,
    )
    return json.dumps(Envelope.wrap(data, source="referral", subject=str(case), aggregate_version=2).to_json_dict()).encode()


async def produce(bootstrap: str, n: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        batch = [producer.send(TOPIC, decided_event("north"), key=str(i).encode()) for i in range(n)]
        await asyncio.gather(*[await f for f in batch])
    finally:
        await producer.stop()


async def bench_continuum(settings: ServiceSettings, dsn: str, n: int) -> float:
    from assessment.consumers import make_intake_handlers

    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    group = f"bench-continuum-{uuid.uuid4().hex[:6]}"
    consumer = EventConsumer(
        name=group,
        topics=[TOPIC],
        handlers=make_intake_handlers(load_policy(None)),
        session_factory=sessions,
        consumer_factory=lambda: make_consumer(settings, TOPIC, group_id=group),
        producer_factory=lambda: make_producer(settings),
        source="assessment",
    )
    conn = await asyncpg.connect(dsn)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        # Timed from the first committed row, so the group join (slow on Tansu) is not measured.
        while (first := await conn.fetchval("SELECT count(*) FROM assessments")) == 0:
            await asyncio.sleep(0.005)
        started = time.perf_counter()
        while await conn.fetchval("SELECT count(*) FROM assessments") < n:
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        n -= first
    finally:
        stop.set()
        await task
        await conn.close()
        await engine.dispose()
    return n / elapsed


async def bench_floor(bootstrap: str, dsn: str, n: int) -> float:
    conn = await asyncpg.connect(dsn)
    await conn.execute("CREATE TABLE IF NOT EXISTS bench_floor (event_id uuid PRIMARY KEY, payload jsonb NOT NULL)")
    consumer = AIOKafkaConsumer(
        TOPIC,
        bootstrap_servers=bootstrap,
        group_id=f"bench-floor-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    done = 0
    started = 0.0
    try:
        while done < n:
            batches = await consumer.getmany(timeout_ms=200, max_records=100)
            if batches and not started:
                started = time.perf_counter()  # timed from the first record, after the group join
            for records in batches.values():
                for record in records:
                    event = json.loads(record.value or b"")
                    await conn.execute(
                        "INSERT INTO bench_floor (event_id, payload) VALUES ($1, $2)",
                        uuid.UUID(event["id"]),
                        record.value.decode(),
                    )
                    done += 1
            if batches:
                await consumer.commit()
        elapsed = time.perf_counter() - started
    finally:
        await consumer.stop()
        await conn.close()
    return n / elapsed


LATENCY_EVENTS = 100


async def _send_one(producer: AIOKafkaProducer, topic: str, value: bytes) -> None:
    await producer.send_and_wait(topic, value, key=uuid.uuid4().hex.encode())


async def _until_row(conn: asyncpg.Connection, sql: str, key: object) -> None:
    while await conn.fetchval(sql, key) is None:
        await asyncio.sleep(0.002)


async def latency_continuum(settings: ServiceSettings, dsn: str) -> list[float]:
    """Seconds from a decision landing on the topic to its committed assessment, one at a time,
    with the consumer already holding its partitions."""
    from assessment.consumers import make_intake_handlers

    topic = f"{TOPIC}.latency-continuum"
    await ensure_topics(settings, [topic], partitions=6)
    engine = make_engine(settings.database_url)
    group = f"bench-latency-{uuid.uuid4().hex[:6]}"
    consumer = EventConsumer(
        name=group,
        topics=[topic],
        handlers=make_intake_handlers(load_policy(None)),
        session_factory=make_session_factory(engine),
        consumer_factory=lambda: make_consumer(settings, topic, group_id=group),
        producer_factory=lambda: make_producer(settings),
        source="assessment",
    )
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    conn = await asyncpg.connect(dsn)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()
    latencies = []
    try:
        while not consumer.holds_all_partitions():
            await asyncio.sleep(0.05)
        for _ in range(LATENCY_EVENTS):
            value = decided_event("north")
            case_id = uuid.UUID(json.loads(value)["subject"])
            started = time.perf_counter()
            await _send_one(producer, topic, value)
            await _until_row(conn, "SELECT 1 FROM assessments WHERE case_id = $1", case_id)
            latencies.append(time.perf_counter() - started)
    finally:
        stop.set()
        await task
        await producer.stop()
        await conn.close()
        await engine.dispose()
    return latencies


async def latency_floor(settings: ServiceSettings, dsn: str) -> list[float]:
    """The same, for the floor: bare consume and one insert per event."""
    topic = f"{TOPIC}.latency-floor"
    await ensure_topics(settings, [topic], partitions=6)
    bootstrap = settings.kafka_bootstrap
    conn = await asyncpg.connect(dsn)
    writer = await asyncpg.connect(dsn)
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"bench-floor-latency-{uuid.uuid4().hex[:6]}", auto_offset_reset="earliest"
    )
    await consumer.start()
    stop = asyncio.Event()

    async def consume() -> None:
        while not stop.is_set():
            for records in (await consumer.getmany(timeout_ms=100)).values():
                for record in records:
                    event = json.loads(record.value or b"")
                    await writer.execute(
                        "INSERT INTO bench_floor (event_id, payload) VALUES ($1, $2)",
                        uuid.UUID(event["id"]),
                        record.value.decode(),
                    )

    task = asyncio.create_task(consume())
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    latencies = []
    try:
        while not consumer.assignment():
            await asyncio.sleep(0.05)
        for _ in range(LATENCY_EVENTS):
            value = decided_event("north")
            event_id = uuid.UUID(json.loads(value)["id"])
            started = time.perf_counter()
            await _send_one(producer, topic, value)
            await _until_row(conn, "SELECT 1 FROM bench_floor WHERE event_id = $1", event_id)
            latencies.append(time.perf_counter() - started)
    finally:
        stop.set()
        await task
        await producer.stop()
        await consumer.stop()
        await conn.close()
        await writer.close()
    return latencies


def _ms(latencies: list[float], q: int) -> float:
    return statistics.quantiles(latencies, n=100)[q - 1] * 1000


async def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-assessment-"))
    postgres = EmbeddedPostgres(workdir / "pg", free_port())
    broker = TansuBroker(free_port(), log_path=workdir / "tansu.log")
    postgres.start()
    broker.start()
    try:
        postgres.create_database("bench_assessment", drop_first=True)
        url = postgres.url("bench_assessment")
        dsn = postgres.url("bench_assessment", driver="")
        await asyncio.to_thread(migrate, ALEMBIC_INI, url)
        settings = ServiceSettings(
            env="dev", service_name="assessment", kafka_bootstrap=broker.bootstrap, kafka_idempotence=False, database_url=url
        )
        await ensure_topics(settings, [TOPIC], partitions=6)
        await produce(broker.bootstrap, EVENTS)
        floor = await bench_floor(broker.bootstrap, dsn, EVENTS)
        continuum = await bench_continuum(settings, dsn, EVENTS)
        print(f"assessment open path, {EVENTS} referral.decided events from the topic to committed rows")
        print(f"  floor (aiokafka consume + asyncpg insert): {floor:8.1f} events/s")
        print(f"  continuum (EventConsumer + handler):      {continuum:8.1f} events/s")
        print(f"  ratio = continuum / floor = {continuum / floor:.3f}")
        floor_lat = await latency_floor(settings, dsn)
        continuum_lat = await latency_continuum(settings, dsn)
        print(f"latency, one decision at a time ({LATENCY_EVENTS}), from the topic to a committed row:")
        print(f"  floor:     p50 {_ms(floor_lat, 50):7.1f} ms   p95 {_ms(floor_lat, 95):7.1f} ms")
        print(f"  continuum: p50 {_ms(continuum_lat, 50):7.1f} ms   p95 {_ms(continuum_lat, 95):7.1f} ms")
        print(f"  ratio = floor p50 / continuum p50 = {_ms(floor_lat, 50) / _ms(continuum_lat, 50):.3f}")
    finally:
        broker.stop()
        postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
