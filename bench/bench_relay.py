"""Benchmark: the outbox relay, from committed outbox rows to acknowledged publishes marked sent.

Continuum: ``OutboxRelay.publish_pending`` until the outbox is drained: it takes (renews) its lease,
reads a batch in ``seq`` order, sends it in waves that keep each case's order, checks the
acknowledged offsets against what the broker acknowledged before, marks the rows and records the
offsets under the lease. Floor: the same durable work with the least machinery: bare asyncpg reads
the same batch, a bare aiokafka producer (same settings: acks=all, linger 5 ms) sends it all at
once, one UPDATE marks it. Both on the same embedded PostgreSQL with production durability (fsync
and synchronous commit on) and the same Tansu broker, alternating rounds (each side going first in turn); the ratio is
the median of continuum / floor throughput. The outbox is laid out as intakes write it.

    python bench/bench_relay.py        (own embedded PostgreSQL and Tansu; about a minute)
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaProducer
from common import ROUNDS, log_lines, production_logging, sides_in_order, spread, summary
from sqlalchemy import text

from continuum.contracts import InformationRequested
from continuum.messaging.kafka import ensure_topics, make_producer
from continuum.messaging.relay import OutboxRelay
from continuum.persistence.db import make_engine, make_session_factory, platform_metadata
from continuum.settings import ServiceSettings
from continuum_tools.devstack import EmbeddedPostgres, TansuBroker, free_port

EVENTS = int(os.environ.get("BENCH_EVENTS", "3000"))
EVENTS_PER_CASE = 3  # an intake writes three events for its case: child, referral, partner status
BATCH = 200
TOPIC = InformationRequested.topic


def payloads(n: int) -> list[tuple[str, str, str]]:
    """(key, event_type, payload JSON) for n events, EVENTS_PER_CASE per case, laid out as intakes
    write them: each intake commits its case's events together, so a case's events sit side by side
    in the outbox (the layout where keeping a case's order costs the relay most: a wave may hold
    one event of a case only)."""
    rows = []
    cases = [str(uuid.uuid4()) for _ in range(n // EVENTS_PER_CASE)]
    for case in cases:
        for version in range(EVENTS_PER_CASE):
            payload = {
                "id": str(uuid.uuid4()),
                "type": "information.requested",
                "source": "bench",
                "specversion": "1.0",
                "subject": case,
                "aggregate_version": version + 1,
                "data": {"request_id": str(uuid.uuid4()), "case_id": case, "agency": "police", "padding": "x" * 600},
            }
            rows.append((case, "information.requested", json.dumps(payload)))
    return rows


async def fill(dsn: str, rows: list[tuple[str, str, str]]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("TRUNCATE outbox, relay_lease, relay_offsets")
        await conn.executemany(
            "INSERT INTO outbox (event_id, topic, key, event_type, payload) VALUES ($1, $2, $3, $4, $5::jsonb)",
            [(uuid.uuid4(), TOPIC, key, event_type, payload) for key, event_type, payload in rows],
        )
    finally:
        await conn.close()


async def run_continuum(settings: ServiceSettings) -> float:
    engine = make_engine(settings.database_url)
    relay = OutboxRelay(make_session_factory(engine), lambda: make_producer(settings), service="bench", batch_size=BATCH)
    started = time.perf_counter()
    total = 0
    try:
        while (published := await relay.publish_pending()) > 0:
            total += published
    finally:
        await relay._drop_clients()
        await engine.dispose()
    elapsed = time.perf_counter() - started
    assert total == EVENTS, total
    return total / elapsed


async def run_floor(settings: ServiceSettings, dsn: str) -> float:
    conn = await asyncpg.connect(dsn)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", linger_ms=5, request_timeout_ms=10_000)
    await producer.start()
    started = time.perf_counter()
    total = 0
    try:
        while True:
            rows = await conn.fetch(
                "SELECT seq, topic, key, event_type, payload::text FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1",
                BATCH,
            )
            if not rows:
                break
            sends = [
                await producer.send(
                    r["topic"], r["payload"].encode(), key=r["key"].encode(), headers=[("ce_type", r["event_type"].encode())]
                )
                for r in rows
            ]
            await asyncio.gather(*sends)
            await conn.execute("UPDATE outbox SET published_at = now() WHERE seq = ANY($1)", [r["seq"] for r in rows])
            total += len(rows)
    finally:
        await producer.stop()
        await conn.close()
    elapsed = time.perf_counter() - started
    assert total == EVENTS, total
    return total / elapsed


async def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="continuum-bench-relay-"))
    postgres = EmbeddedPostgres(work / "pg", free_port(), durable=True)
    broker = TansuBroker(free_port(), log_path=work / "tansu.log")
    service_log = work / "service.log"
    production_logging(service_log)  # the relay logs at INFO, as in production
    postgres.start()
    broker.start()
    try:
        postgres.create_database("bench_relay", drop_first=True)
        url = postgres.url("bench_relay")
        dsn = postgres.url("bench_relay", driver="")
        settings = ServiceSettings(env="dev", database_url=url, kafka_bootstrap=broker.bootstrap, kafka_idempotence=False)
        engine = make_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(platform_metadata.create_all)
            await conn.execute(text("SELECT 1"))
        await engine.dispose()
        await ensure_topics(settings, [TOPIC])
        rows = payloads(EVENTS)
        ratios = []
        print(f"{EVENTS} events, {EVENTS_PER_CASE} per case, batches of {BATCH}; database fsync on", flush=True)
        for round_ in range(1, ROUNDS + 1):
            # Floor and product take turns going first, so neither always meets a warmer cache.
            measured: dict[str, float] = {}
            for side in sides_in_order(round_):
                await fill(dsn, rows)
                measured[side] = await (run_floor(settings, dsn) if side == "floor" else run_continuum(settings))
            floor, continuum = measured["floor"], measured["product"]
            ratios.append(continuum / floor)
            print(
                f"round {round_} ({sides_in_order(round_)[0]} first): floor {floor:,.0f} events/s, "
                f"continuum {continuum:,.0f} events/s, ratio {continuum / floor:.2f}",
                flush=True,
            )
        print(f"relay: ratio {spread(ratios)}; the relay's log at INFO: {log_lines(service_log)} lines")
        summary("outbox relay", ratios, "relay / floor events per second")
    finally:
        broker.stop()
        postgres.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
