"""Benchmark: the partners service's gateway catching up (issue 19, decision 56).

``BENCH_PARTNER_EVENTS`` (6,000) ``status.changed`` events on ``continuum.partner-status`` (6
partitions, keyed by the NHS number): 1,000 children, each its six statuses in order, read from a
fresh consumer group into an empty database, under the development policy's eight agencies.

- Continuum: the real ``EventConsumer`` with the gateway's handlers as ``partners.app`` gives them:
  per event one transaction holding its inbox row, the agencies' latest statuses of the child read
  and locked, the one updated for each agency it is shared with, a sharing-log row per agency and an
  outbox row per agency it is shared with (``partner.status`` to the agency's own topic).
- Floor: bare aiokafka and bare asyncpg doing the same durable work with the least machinery: per
  event one transaction of one statement per kind of row (the inbox claimed with ``ON CONFLICT DO
  NOTHING RETURNING``, the latest statuses locked, upserted with ``unnest``, the log rows and the
  outbox rows with ``unnest``, the outbox payload a small envelope built in Python), then the offset.

Both on the same Tansu and PostgreSQL (``fsync=on``, ``synchronous_commit=on``), each into its own
database, emptied and CHECKPOINTed before its run; rounds in which each goes first in turn; events
per second from the first fetched record to the last offset committed. Both sides' rows are compared
after every round (counts, and contents but for the instants and envelopes each writes).

    python bench/bench_partners.py     (own embedded PostgreSQL and Tansu; about a minute)
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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer, TopicPartition
from common import ROUNDS, consume_until_done, instrumented, log_lines, production_logging, sides_in_order, summary

from continuum.casework.policy import load_policy
from continuum.contracts import PARTNER_STATUS_TOPIC, Envelope, PartnerStatus, StatusChanged
from continuum.contracts.partner import SHARED_EVENT_NAMESPACE
from continuum.messaging.kafka import ensure_topics, make_consumer
from continuum.settings import ServiceSettings
from continuum_tools.devstack import EmbeddedPostgres, TansuBroker, free_port, migrate
from partners.consumers import GATEWAY_TOPICS, make_handlers
from partners.domain.policy import partners_policy

EVENTS = int(os.environ.get("BENCH_PARTNER_EVENTS", "6000"))
PARTITIONS = 6
ALEMBIC_INI = Path(__file__).resolve().parents[1] / "services" / "partners" / "alembic.ini"
POLICY = partners_policy(load_policy())
TABLES = ("sharing_log", "agency_statuses", "inbox", "outbox")
OWNERS = ("referral", "assessment", "plan", "plan", "stepdown", "stepdown")
START = datetime(2026, 4, 1, 9, tzinfo=UTC)


@dataclass
class Progress:
    ends: dict[TopicPartition, int]
    first: float = 0.0
    last: float = 0.0
    committed: dict[TopicPartition, int] = field(default_factory=dict)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def fetched(self, batches: dict[TopicPartition, list[Any]]) -> None:
        if batches and not self.first:
            self.first = time.perf_counter()

    def offsets(self, offsets: dict[TopicPartition, int]) -> None:
        self.committed.update(offsets)
        if not self.done.is_set() and all(self.committed.get(tp, 0) >= end for tp, end in self.ends.items()):
            self.last = time.perf_counter()
            self.done.set()

    def rate(self, events: int) -> float:
        return events / (self.last - self.first)


def stream(events: int) -> list[tuple[bytes, bytes]]:
    """Each child's six statuses in order, a week apart, keyed by its NHS number (key, value)."""
    messages = []
    for i in range(events // len(PartnerStatus) + 1):
        number = f"{9_000_000_000 + i}"
        for k, (status, owner) in enumerate(zip(PartnerStatus, OWNERS, strict=True)):
            data = StatusChanged(
                nhs_number=number,
                date_of_birth=date(2016, 3, 14),
                status=status,
                since=date(2026, 4, 1) + timedelta(days=7 * k),
                responsible_service="Continuum Development Council's children's social care",
                contact="01632 960001",
            )
            at = START + timedelta(days=7 * k)
            envelope = Envelope.wrap(data, source=owner, subject=number, aggregate_version=0, time=at)
            messages.append((number.encode(), json.dumps(envelope.to_json_dict()).encode()))
    return messages[:events]


async def produce(bootstrap: str, messages: list[tuple[bytes, bytes]]) -> dict[TopicPartition, int]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        acks = await asyncio.gather(*[await producer.send(PARTNER_STATUS_TOPIC, value, key=key) for key, value in messages])
    finally:
        await producer.stop()
    ends: dict[TopicPartition, int] = {}
    for ack in acks:
        tp = TopicPartition(ack.topic, ack.partition)
        ends[tp] = max(ends.get(tp, 0), ack.offset + 1)
    return ends


# --- the floor ----------------------------------------------------------------------------------------

_CLAIM = "INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id"
_HELD = "SELECT agency_id, since, source_time FROM agency_statuses WHERE nhs_number = $1 FOR UPDATE"
_HOLD = """
INSERT INTO agency_statuses (agency_id, nhs_number, status, since, source_time, source_event_id)
SELECT a, $2, $3, $4, $5, $6 FROM unnest($1::text[]) AS a
ON CONFLICT (agency_id, nhs_number) DO UPDATE SET status = excluded.status, since = excluded.since,
    source_time = excluded.source_time, source_event_id = excluded.source_event_id
"""
_LOG = """
INSERT INTO sharing_log (id, decided_at, agency_id, decision, status, since, nhs_number, lawful_basis, source_service,
                         source_event_id)
SELECT i, now(), a, d, $4, $5, $6, b, $7, $8 FROM unnest($1::uuid[], $2::text[], $3::text[], $9::text[]) AS u(i, a, d, b)
"""
_OUTBOX = """
INSERT INTO outbox (event_id, topic, key, event_type, payload)
SELECT i, t, $3, 'partner.status', p FROM unnest($1::uuid[], $2::text[], $4::jsonb[]) AS u(i, t, p)
"""
BASES = {a.id: str(a.lawful_basis) for a in POLICY.agencies}


async def floor_apply(conn: asyncpg.Connection, value: bytes) -> None:
    e = json.loads(value)
    d = e["data"]
    async with conn.transaction():
        if await conn.fetchval(_CLAIM, "bench-floor", uuid.UUID(e["id"]), e["type"]) is None:
            return
        held = {r[0]: (r[1], r[2]) for r in await conn.fetch(_HELD, d["nhs_number"])}
        since, at = date.fromisoformat(d["since"]), datetime.fromisoformat(e["time"])
        ids, agencies, decisions, shared = [], [], [], []
        for agency in POLICY.agencies:
            latest = held.get(agency.id)
            if d["status"] not in agency.statuses:
                decision = "not_subscribed"
            elif latest is not None and (since, at) <= latest:
                decision = "superseded"
            else:
                decision = "shared"
                shared.append(agency.id)
            ids.append(uuid.uuid5(SHARED_EVENT_NAMESPACE, f"{e['id']}/{agency.id}"))
            agencies.append(agency.id)
            decisions.append(decision)
        await conn.execute(_LOG, ids, agencies, decisions, d["status"], since, d["nhs_number"], e["source"], uuid.UUID(e["id"]),
                           [BASES[a] for a in agencies])  # fmt: skip
        if shared:
            await conn.execute(_HOLD, shared, d["nhs_number"], d["status"], since, at, uuid.UUID(e["id"]))
            sent = [i for i, dec in zip(ids, decisions, strict=True) if dec == "shared"]
            payloads = [
                json.dumps({"id": str(i), "type": "partner.status", "source": "partners", "subject": d["nhs_number"], "data": d})
                for i in sent
            ]
            await conn.execute(_OUTBOX, sent, [f"continuum.partner.{a}" for a in shared], d["nhs_number"], payloads)


async def floor_run(settings: ServiceSettings, dsn: str, progress: Progress) -> None:
    conn = await asyncpg.connect(dsn)
    consumer = instrumented(make_consumer(settings, *GATEWAY_TOPICS, group_id=f"bench-floor-{uuid.uuid4().hex[:8]}"), progress)
    await consumer.start()
    try:
        while not progress.done.is_set():
            for tp, records in (await consumer.getmany(timeout_ms=200, max_records=100)).items():
                for record in records:
                    await floor_apply(conn, record.value)
                await consumer.commit({tp: records[-1].offset + 1})
    finally:
        await consumer.stop()
        await conn.close()


# --- the product --------------------------------------------------------------------------------------


async def product_run(settings: ServiceSettings, url: str, progress: Progress) -> None:
    await consume_until_done(
        settings, url, progress, prefix="bench-partners", topics=GATEWAY_TOPICS, handlers=make_handlers(POLICY), source="partners"
    )


_CONTENTS = """
SELECT 'sharing_log', count(*), md5(string_agg(concat_ws('|', id, agency_id, decision, status, since, nhs_number, lawful_basis,
                                                         source_service, source_event_id), ',' ORDER BY id)) FROM sharing_log
UNION ALL SELECT 'agency_statuses', count(*), md5(string_agg(concat_ws('|', agency_id, nhs_number, status, since, source_time,
                                                         source_event_id), ',' ORDER BY agency_id, nhs_number))
  FROM agency_statuses
UNION ALL SELECT 'outbox', count(*), md5(string_agg(concat_ws('|', event_id, topic, key, event_type), ',' ORDER BY event_id))
  FROM outbox
UNION ALL SELECT 'inbox', count(*), NULL FROM inbox
"""


async def contents(dsn: str) -> dict[str, Any]:
    conn = await asyncpg.connect(dsn)
    try:
        return {r[0]: (r[1], r[2]) for r in await conn.fetch(_CONTENTS)}
    finally:
        await conn.close()


async def run(postgres: EmbeddedPostgres, broker: TansuBroker) -> None:
    print(f"PostgreSQL with fsync=on, synchronous_commit=on; Tansu; {os.cpu_count()} cores")
    for name in ("bench_partners", "bench_partners_floor"):
        postgres.create_database(name, drop_first=True)
        migrate(ALEMBIC_INI, postgres.url(name))
    url, dsn, floor_dsn = (
        postgres.url("bench_partners"),
        postgres.url("bench_partners", driver=""),
        postgres.url("bench_partners_floor", driver=""),
    )
    settings = ServiceSettings(
        env="dev",
        service_name="partners",
        kafka_bootstrap=broker.bootstrap,
        kafka_idempotence=False,
        database_url=url,
        kafka_session_timeout_ms=3000,
        kafka_rebalance_timeout_ms=500,
    )
    await ensure_topics(settings, GATEWAY_TOPICS, partitions=PARTITIONS)
    messages = stream(EVENTS)
    ends = await produce(broker.bootstrap, messages)
    print(f"catch-up: {len(messages):,} status.changed on {len(ends)} partitions, {len(POLICY.agencies)} agencies")
    ratios: list[float] = []
    rates: dict[str, list[float]] = {"floor": [], "product": []}
    for round_ in range(1, ROUNDS + 1):
        took: dict[str, float] = {}
        for side in sides_in_order(round_):
            conn = await asyncpg.connect(floor_dsn if side == "floor" else dsn)
            # The sharing log refuses TRUNCATE (append-only, by trigger); the benchmark's superuser skips triggers.
            await conn.execute("SET session_replication_role = replica")
            await conn.execute(f"TRUNCATE {', '.join(TABLES)}")
            await conn.execute("CHECKPOINT")
            await conn.close()
            progress = Progress(ends)
            await (floor_run(settings, floor_dsn, progress) if side == "floor" else product_run(settings, url, progress))
            took[side] = progress.rate(len(messages))
            rates[side].append(took[side])
        floor_rows, product_rows = await contents(floor_dsn), await contents(dsn)
        assert floor_rows == product_rows, f"the floor and the gateway disagree: {floor_rows} != {product_rows}"
        ratios.append(took["product"] / took["floor"])
        print(f"  round {round_}: gateway {took['product']:,.0f} events/s, floor {took['floor']:,.0f}/s", flush=True)
    print(f"  rows each side wrote (the same): {', '.join(f'{k} {v[0]:,}' for k, v in product_rows.items())}")
    gateway, floor = statistics.median(rates["product"]), statistics.median(rates["floor"])
    print(f"  gateway {gateway:,.0f} events/s, floor {floor:,.0f}/s (medians)")
    summary("partners gateway catch-up", ratios, "gateway events/s / floor events/s")


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-partners-"))
    postgres = EmbeddedPostgres(work / "pg", free_port(), durable=True)
    broker = TansuBroker(free_port(), log_path=work / "tansu.log")
    try:
        postgres.start()
        broker.start()
        service_log = work / "service.log"
        production_logging(service_log)
        asyncio.run(run(postgres, broker))
        print(f"the service's log at INFO: {log_lines(service_log)} lines")
    finally:
        try:
            broker.stop()
        finally:
            postgres.stop()
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
