"""Benchmark: the assessment service's intake consumer on the real stream, against an honest floor.

The stream is what the referral service puts on its topic, in its order: for each case, at intake,
``child.registered`` then ``referral.received`` (keyed by the case), and the case's
``referral.decided`` some intakes later (the front door decides within a day, while other referrals
arrive), so decisions and child copies interleave on every partition. Decisions: 65% assessment,
10% strategy discussion, 15% NFA, 10% early help (opening nothing).

What one event leaves in the service's database is read at the start (one event of each kind
through the service's handlers) and printed: the floor writes exactly those rows.

1. Throughput, draining a backlog, in rounds in which the floor and Continuum take turns to go
   first (each on its own copy of the tables, truncated and CHECKPOINTed before its run); a round's ratio is Continuum / floor
   events per second, timed from the first fetched record to the last offset committed; the figure
   is the median ratio. Both read the same topic with the same consumer settings
   (``continuum.messaging.kafka.make_consumer``, ``getmany(timeout_ms=200, max_records=100)``) and write
   one embedded PostgreSQL running with production durability (``fsync=on``,
   ``synchronous_commit=on``).
   - Floor: bare aiokafka and bare asyncpg. Per fetched batch, one transaction: the inbox rows in
     one statement (``ON CONFLICT DO NOTHING RETURNING``, so redeliveries change nothing), the
     children's identities its decisions need in one, then one statement per kind of row (children
     upserted with the version guard, assessments, enquiries, outbox rows with the events' JSON,
     audit rows), every one an ``INSERT ... SELECT FROM unnest(...)``; then the offsets.
   - Continuum: the real ``EventConsumer`` with the service's handlers and batch handlers
     (``assessment.consumers``), as the service runs it.
   Afterwards both databases must hold the same rows (counted per table, event type and action, and
   compared by content but for the ids and instants each side draws).
   The floor does no more than this stream needs: it does not look for a referral's assessment
   (no referral is decided twice), apply corrections, or tell partners of assessments that waited
   for their child (each child comes before its decision); the service does all that.
2. Latency with random arrivals: the same kind of stream produced at Poisson intervals (mean
   ``BENCH_GAP_MS``, 20 ms), to consumers already holding their partitions; for each handled event,
   from the moment its producer sends it to the commit of its rows in the next service (floor and
   Continuum); p50, p95, p99.
3. The whole path: outbox rows committed in the referral service's database (an intake's two rows
   in one transaction, a decision's in another, at Poisson intervals), the kernel's ``OutboxRelay``
   with the settings' poll interval, the topic, Continuum's consumer, its commit.

    python bench/bench_assessment.py              (own embedded PostgreSQL and Tansu; about 2 minutes)
    python bench/bench_assessment.py --profile    (also: where Continuum's consumer spends its CPU)

``BENCH_CASES`` (8000) cases per throughput round, ``BENCH_ROUNDS`` (5), ``BENCH_LATENCY_EVENTS``
(900) events per latency run, ``BENCH_GAP_MS`` (20).
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import json
import os
import pstats
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from common import ROUNDS, instrumented, log_lines, production_logging, sides_in_order, summary
from sqlalchemy import event as sa_event

from assessment.consumers import make_intake_batch_handlers, make_intake_handlers
from continuum.casework.calendar import add_working_days
from continuum.casework.clock import london_date
from continuum.casework.policy import load_policy
from continuum.contracts import (
    ChildRegistered,
    DecisionOutcome,
    Envelope,
    ReferralDecided,
    ReferralReceived,
    ThresholdLevel,
    parse_event,
)
from continuum.contracts.codes import Disability, Ethnicity, ReferralSource, Sex
from continuum.messaging.consumer import BatchHandler, EventConsumer, Handler
from continuum.messaging.kafka import consumer_topics, ensure_topics, make_consumer, make_producer
from continuum.messaging.relay import OutboxRelay
from continuum.persistence.db import make_engine, make_session_factory, platform_metadata
from continuum.persistence.uow import Transaction
from continuum.settings import ServiceSettings
from continuum_tools.devstack import EmbeddedPostgres, TansuBroker, free_port, migrate

CASES = int(os.environ.get("BENCH_CASES", "8000"))
LATENCY_EVENTS = int(os.environ.get("BENCH_LATENCY_EVENTS", "900"))
MEAN_GAP_MS = float(os.environ.get("BENCH_GAP_MS", "20"))
PARTITIONS = 6
#: A case's decision comes after this many later intakes on average (uniform from 0 to twice it).
MEAN_DECISION_LAG = 8
OUTCOMES = (
    (DecisionOutcome.ASSESSMENT, 0.65),
    (DecisionOutcome.STRATEGY_DISCUSSION, 0.10),
    (DecisionOutcome.NFA, 0.15),
    (DecisionOutcome.EARLY_HELP, 0.10),
)
TEAMS = ("north", "south", "east")
ALEMBIC_INI = Path(__file__).resolve().parents[1] / "services" / "assessment" / "alembic.ini"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
POLICY = load_policy(None)
T = TypeVar("T")
H = TypeVar("H")
HANDLED = {"child.registered", "child.updated", "referral.decided"}
#: The tables the intake consumer writes (truncated before each run).
TABLES = ("assessments", "section47_enquiries", "children", "inbox", "outbox", "audit_log")


# --- the stream ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    key: bytes
    value: bytes
    type: str
    id: str


def _message(envelope: Envelope[Any]) -> Message:
    return Message(envelope.subject.encode(), json.dumps(envelope.to_json_dict()).encode(), envelope.type, str(envelope.id))


def _nhs_number(i: int) -> str:
    """The ``i``-th NHS number with a correct modulus-11 check digit: each bench child its own, as
    partner statuses are keyed by it."""
    while True:
        digits = [int(c) for c in f"{400_000_000 + i:09d}"]
        check = (11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)
        i += 10_000_000  # a number with no valid check digit: one far from every other child's


def real_stream(cases: int, rng: random.Random) -> list[Message]:
    """The referral service's events for ``cases`` cases, in the order it produces them."""
    intakes: list[list[Message]] = []
    decisions: dict[int, list[Message]] = defaultdict(list)
    base = datetime.now(UTC) - timedelta(hours=2)
    outcomes, weights = zip(*OUTCOMES, strict=True)
    for i in range(cases):
        case, child, referral = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        received = base + timedelta(seconds=i)
        registered = ChildRegistered(
            child_id=child,
            la_child_id=f"B{uuid.uuid4().hex[:20]}",
            given_name="Bench",
            family_name=f"Child{i}",
            date_of_birth=date(2016, 3, 14),
            expected_date_of_birth=None,
            sex=Sex.FEMALE,
            ethnicity=Ethnicity.WHITE_BRITISH,
            disabilities=[Disability.NONE],
            upn=None,
            nhs_number=_nhs_number(i),
            postcode="EX1 1AA",
            version=1,
        )
        team = rng.choice(TEAMS)
        received_event = ReferralReceived(
            referral_id=referral,
            case_id=case,
            child_id=child,
            received_at=received,
            source=ReferralSource.POLICE,
            referrer_agency="Devon and Cornwall Police",
            suggested_threshold=ThresholdLevel.CHILD_IN_NEED,
            re_referral=False,
            decision_due_at=received + timedelta(days=1),
            team=team,
        )
        decided = ReferralDecided(
            referral_id=referral,
            case_id=case,
            child_id=child,
            received_at=received,
            referral_date=received.date(),
            source=ReferralSource.POLICE,
            outcome=rng.choices(outcomes, weights)[0],
            team=team,
            decided_by="front-door-manager",
            decided_at=received + timedelta(hours=1),
            within_one_working_day=True,
        )
        subject = str(case)
        intakes.append(
            [
                _message(Envelope.wrap(registered, source="referral", subject=subject, aggregate_version=1)),
                _message(Envelope.wrap(received_event, source="referral", subject=subject, aggregate_version=1)),
            ]
        )
        decisions[i + rng.randint(0, 2 * MEAN_DECISION_LAG)].append(
            _message(Envelope.wrap(decided, source="referral", subject=subject, aggregate_version=2))
        )
    stream: list[Message] = []
    for i, intake in enumerate(intakes):
        stream.extend(intake)
        stream.extend(decisions.pop(i, []))
    for i in sorted(decisions):
        stream.extend(decisions[i])
    return stream


async def produce(bootstrap: str, topic: str, stream: list[Message]) -> dict[TopicPartition, int]:
    """Send the stream; returns where each partition ends."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        sent = [await producer.send(topic, m.value, key=m.key) for m in stream]
        acks = await asyncio.gather(*sent)
    finally:
        await producer.stop()
    ends: dict[TopicPartition, int] = {}
    for ack in acks:
        tp = TopicPartition(topic, ack.partition)
        ends[tp] = max(ends.get(tp, 0), ack.offset + 1)
    return ends


# --- measuring ---------------------------------------------------------------------------------------


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def postgres_cpu(data_dir: Path) -> float:
    """CPU seconds of the PostgreSQL server and all its backends so far."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    total = process_cpu(postmaster)
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == postmaster:
                    total += (int(stat[11]) + int(stat[12])) / CLOCK_TICKS
    return total


@dataclass
class Progress:
    """When a consumer fetched its first record and committed the offset of its last."""

    ends: dict[TopicPartition, int]
    pg_dir: Path
    events: int
    committed: dict[TopicPartition, int] = field(default_factory=dict)
    first: float = 0.0
    last: float = 0.0
    cpu: float = 0.0
    pg_cpu: float = 0.0
    statements: int = 0
    commits: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def fetched(self, batches: dict[TopicPartition, list[Any]]) -> None:
        if batches and not self.first:
            self.cpu, self.pg_cpu = time.process_time(), postgres_cpu(self.pg_dir)
            self.first = time.perf_counter()

    def offsets(self, offsets: dict[TopicPartition, int]) -> None:
        self.committed.update(offsets)
        if not self.done.is_set() and all(self.committed.get(tp, 0) >= end for tp, end in self.ends.items()):
            self.last = time.perf_counter()
            self.cpu, self.pg_cpu = time.process_time() - self.cpu, postgres_cpu(self.pg_dir) - self.pg_cpu
            self.done.set()

    @property
    def rate(self) -> float:
        return self.events / (self.last - self.first)

    def summary(self) -> str:
        ms = 1000 / self.events
        cpu = f"{self.cpu * ms:.3f} ms in the process, {self.pg_cpu * ms:.3f} ms in PostgreSQL"
        per100 = 100 / self.events
        trips = f"{self.statements * per100:.0f} statements and {self.commits * per100:.1f} commits per 100 events"
        return f"{self.rate:8,.0f} events/s; CPU per event {cpu}; {trips}"


# --- the floor ---------------------------------------------------------------------------------------

FLOOR_CONSUMER = "bench.floor"
_CLAIM = """
INSERT INTO inbox (consumer, event_id, event_type)
SELECT $1, e, t FROM unnest($2::uuid[], $3::text[]) AS u(e, t)
ON CONFLICT DO NOTHING RETURNING event_id::text
"""
_IDENTITIES = "SELECT id::text, nhs_number, date_of_birth FROM children WHERE id = ANY($1::uuid[])"
_UPSERT_CHILDREN = """
INSERT INTO children (id, la_child_id, given_name, family_name, date_of_birth, expected_date_of_birth, sex, ethnicity,
                      disabilities, upn, nhs_number, postcode, version, updated_at)
SELECT id, la, gn, fn, dob, edob, sex, eth, string_to_array(dis, ','), upn, nhs, pc, v, now()
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[], $6::date[], $7::text[], $8::text[], $9::text[],
            $10::text[], $11::text[], $12::text[], $13::int[]) AS u(id, la, gn, fn, dob, edob, sex, eth, dis, upn, nhs, pc, v)
ON CONFLICT (id) DO UPDATE SET
    la_child_id = excluded.la_child_id, given_name = excluded.given_name, family_name = excluded.family_name,
    date_of_birth = excluded.date_of_birth, expected_date_of_birth = excluded.expected_date_of_birth, sex = excluded.sex,
    ethnicity = excluded.ethnicity, disabilities = excluded.disabilities, upn = excluded.upn,
    nhs_number = excluded.nhs_number, postcode = excluded.postcode, version = excluded.version, updated_at = excluded.updated_at
WHERE children.version < excluded.version
"""
_INSERT_ASSESSMENTS = """
INSERT INTO assessments (id, case_id, referral_id, child_id, team, route, referral_date, due_date, status, opened_at,
                         factors, specialist_assessments, partner_status_sent, version)
SELECT id, c, r, ch, team, route, rd, dd, 'unallocated', at, '{}', '[]', sent, 1
FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::date[], $8::date[],
            $9::timestamptz[], $10::bool[]) AS u(id, c, r, ch, team, route, rd, dd, at, sent)
"""
_INSERT_SECTION47 = """
INSERT INTO section47_enquiries (id, assessment_id, case_id, child_id, team, status, version)
SELECT id, a, c, ch, team, 'awaiting_start', 1 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[])
    AS u(id, a, c, ch, team)
"""
_INSERT_OUTBOX = """
INSERT INTO outbox (event_id, topic, key, event_type, payload)
SELECT id, topic, key, type, payload::jsonb FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])
    AS u(id, topic, key, type, payload)
"""
_INSERT_AUDIT = """
INSERT INTO audit_log (actor, actor_roles, action, subject_type, subject_id, purpose, outcome)
SELECT 'service:assessment', '{service}', action, st, sid, purpose, 'success'
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(action, st, sid, purpose)
"""
_ROUTES = {"assessment": "section17", "strategy_discussion": "section47"}
#: What partners are told of each team: its public label and contact (status.changed v2).
_PARTNER_CONTACTS = {t.id: POLICY.partner_contact(t.id) for t in POLICY.teams}


def _envelope(
    event_id: str, event_type: str, subject: str, now: str, data: dict[str, Any], *, version: int = 1, aggregate_version: int = 1
) -> str:
    return json.dumps(
        {
            "specversion": "1.0",
            "id": event_id,
            "source": "assessment",
            "type": event_type,
            "time": now,
            "subject": subject,
            "dataschema": f"continuum:{event_type}/v{version}",
            "datacontenttype": "application/json",
            "aggregate_version": aggregate_version,
            "traceparent": None,
            "data": data,
        }
    )


class FloorBatch:
    """The rows of one fetched batch, one list per column."""

    def __init__(self) -> None:
        self.children: dict[str, dict[str, Any]] = {}
        self.assessments: list[list[Any]] = [[] for _ in range(10)]
        self.enquiries: list[list[Any]] = [[] for _ in range(5)]
        self.outbox: list[list[Any]] = [[] for _ in range(5)]
        self.audit: list[list[Any]] = [[] for _ in range(4)]

    def add_audit(self, action: str, subject_type: str, subject_id: str, purpose: str) -> None:
        for column, value in zip(self.audit, (action, subject_type, subject_id, purpose), strict=True):
            column.append(value)

    def add_event(self, topic: str, subject: str, event_type: str, payload: str, event_id: str) -> None:
        for column, value in zip(self.outbox, (event_id, topic, subject, event_type, payload), strict=True):
            column.append(value)


async def floor_apply(conn: asyncpg.Connection, records: list[Any], progress: Progress | None = None) -> list[str]:
    """One fetched batch, in one transaction; returns the ids of the events it handled."""
    events = [e for e in (json.loads(r.value) for r in records) if e["type"] in HANDLED]
    if not events:
        return []
    counts = progress if progress is not None else Progress({}, Path(), 1)
    counts.commits += 1
    async with conn.transaction():
        fresh = {r[0] for r in await conn.fetch(_CLAIM, FLOOR_CONSUMER, [e["id"] for e in events], [e["type"] for e in events])}
        events = [e for e in events if e["id"] in fresh]
        batch = FloorBatch()
        identities: dict[str, tuple[str | None, str | None]] = {}
        wanted = [e["data"]["child_id"] for e in events if e["type"] == "referral.decided"]
        if wanted:
            counts.statements += 1
            for child_id, nhs, dob in await conn.fetch(_IDENTITIES, wanted):
                identities[child_id] = (nhs, dob.isoformat() if dob else None)
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        for e in events:
            d = e["data"]
            if e["type"] != "referral.decided":
                held = batch.children.get(d["child_id"])
                if held is None or held["version"] < d["version"]:
                    batch.children[d["child_id"]] = d
                    identities[d["child_id"]] = (d["nhs_number"], d["date_of_birth"])
                batch.add_audit("child.copy", "child", d["child_id"], "keep the local copy of the child's identity")
                continue
            route = _ROUTES.get(d["outcome"])
            if route is None:
                continue
            assessment_id, case = str(uuid.uuid4()), d["case_id"]
            referral_date = london_date(datetime.fromisoformat(d["received_at"]))
            due = add_working_days(referral_date, 45)
            identity = identities.get(d["child_id"])
            section47_id = str(uuid.uuid4()) if route == "section47" else None
            row = (assessment_id, case, d["referral_id"], d["child_id"], d["team"], route, referral_date, due)
            told = identity is not None and identity[0] is not None  # partners match on the NHS number
            for column, value in zip(batch.assessments, (*row, datetime.fromisoformat(d["decided_at"]), told), strict=True):
                column.append(value)
            if section47_id:
                for column, value in zip(
                    batch.enquiries, (section47_id, assessment_id, case, d["child_id"], d["team"]), strict=True
                ):
                    column.append(value)
            opened = {
                "assessment_id": assessment_id,
                "case_id": case,
                "child_id": d["child_id"],
                "referral_id": d["referral_id"],
                "referral_date": referral_date.isoformat(),
                "due_date": due.isoformat(),
                "team": d["team"],
                "route": route,
                "section47_id": section47_id,
                "opened_at": d["decided_at"],
                "escalated_from_plan_id": None,
            }
            event_id = str(uuid.uuid4())
            batch.add_event(
                "continuum.assessment",
                case,
                "assessment.opened",
                _envelope(event_id, "assessment.opened", case, now, opened),
                event_id,
            )
            if told:
                assert identity is not None and identity[0] is not None
                responsible, contact = _PARTNER_CONTACTS[d["team"]]
                status = {
                    "nhs_number": identity[0],
                    "date_of_birth": identity[1],
                    "status": "assessment",
                    "since": london_date(datetime.fromisoformat(d["decided_at"])).isoformat(),
                    "responsible_service": responsible,
                    "contact": contact,
                }
                event_id = str(uuid.uuid4())
                # Keyed by the NHS number, with no version or trace of the case's (status.changed v2).
                batch.add_event(
                    "continuum.partner-status",
                    identity[0],
                    "status.changed",
                    _envelope(event_id, "status.changed", identity[0], now, status, version=2, aggregate_version=0),
                    event_id,
                )
            batch.add_audit("assessment.open", "assessment", assessment_id, "open an assessment after the front-door decision")
        counts.statements += bool(batch.children) + bool(batch.assessments[0]) + bool(batch.enquiries[0])
        counts.statements += bool(batch.outbox[0]) + bool(batch.audit[0])
        if batch.children:
            c = list(batch.children.values())
            await conn.execute(
                _UPSERT_CHILDREN,
                [x["child_id"] for x in c],
                [x["la_child_id"] for x in c],
                [x["given_name"] for x in c],
                [x["family_name"] for x in c],
                [date.fromisoformat(x["date_of_birth"]) if x["date_of_birth"] else None for x in c],
                [date.fromisoformat(x["expected_date_of_birth"]) if x["expected_date_of_birth"] else None for x in c],
                [x["sex"] for x in c],
                [x["ethnicity"] for x in c],
                [",".join(x["disabilities"]) for x in c],
                [x["upn"] for x in c],
                [x["nhs_number"] for x in c],
                [x["postcode"] for x in c],
                [x["version"] for x in c],
            )
        if batch.assessments[0]:
            await conn.execute(_INSERT_ASSESSMENTS, *batch.assessments)
        if batch.enquiries[0]:
            await conn.execute(_INSERT_SECTION47, *batch.enquiries)
        if batch.outbox[0]:
            await conn.execute(_INSERT_OUTBOX, *batch.outbox)
        if batch.audit[0]:
            await conn.execute(_INSERT_AUDIT, *batch.audit)
    return [e["id"] for e in events]


async def floor_consume(
    settings: ServiceSettings,
    dsn: str,
    topic: str,
    progress: Progress | None,
    stop: asyncio.Event,
    on_commit: Callable[[list[str]], None] = lambda _: None,
    ready: asyncio.Event | None = None,
) -> None:
    """The floor's consumer: fetch, apply the batch in one transaction, commit the offsets."""
    conn = await asyncpg.connect(dsn)
    consumer = make_consumer(settings, topic, group_id=f"bench-floor-{uuid.uuid4().hex[:8]}")
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=200, max_records=100)
            if ready is not None and consumer.assignment():
                ready.set()
            if progress is not None:
                progress.fetched(batches)
            if not batches:
                continue
            handled = await floor_apply(conn, [r for records in batches.values() for r in records], progress)
            on_commit(handled)
            offsets = {tp: records[-1].offset + 1 for tp, records in batches.items()}
            await consumer.commit(offsets)
            if progress is not None:
                progress.offsets(offsets)
                if progress.done.is_set():
                    return
    finally:
        await consumer.stop()
        await conn.close()


# --- Continuum -------------------------------------------------------------------------------------


def continuum_consumer(
    settings: ServiceSettings,
    sessions: Any,
    topic: str,
    group: str,
    progress: Progress | None,
    *,
    on_commit: Callable[[list[str]], None] | None = None,
    tally: Counter[str] | None = None,
) -> EventConsumer:
    """The service's intake consumer, as ``assessment.app`` builds it, on ``topic``. ``on_commit``:
    told the ids of the events each transaction made durable (:class:`NotingConsumer`); ``tally``
    counts the events each kind of handler took."""

    def factory() -> AIOKafkaConsumer:
        consumer = make_consumer(settings, topic, group_id=group)
        return instrumented(consumer, progress) if progress is not None else consumer

    handlers, batch_handlers = make_intake_handlers(POLICY), make_intake_batch_handlers(POLICY)
    # Each handler wrapped once, so that one batch handler for several types stays one.
    if tally is not None:
        handlers = _wrapped(handlers, lambda h: _counting(h, tally))
        batch_handlers = _wrapped(batch_handlers, lambda h: _counting_all(h, tally))
    options: dict[str, Any] = {
        "name": group,
        "topics": [topic],
        "handlers": handlers,
        "batch_handlers": batch_handlers,
        "session_factory": sessions,
        "consumer_factory": factory,
        "producer_factory": lambda: make_producer(settings),
        "source": "assessment",
    }
    return EventConsumer(**options) if on_commit is None else NotingConsumer(on_commit=on_commit, **options)


async def continuum_run(
    settings: ServiceSettings, url: str, topic: str, progress: Progress, profile: cProfile.Profile | None, tally: Counter[str]
) -> None:
    engine = make_engine(url)

    # SQLAlchemy's statements are counted as it sends them (it runs prepared statements, which the
    # driver's query logger does not see); the unit of work's own statements, BEGIN and COMMIT at
    # the driver.
    @sa_event.listens_for(engine.sync_engine, "before_cursor_execute")
    def statement(*_: Any) -> None:
        progress.statements += 1

    def counted(query: Any) -> None:
        verb = query.query.strip().upper()
        if verb.startswith("COMMIT"):
            progress.commits += 1
        elif not verb.startswith(("BEGIN", "ROLLBACK")):
            progress.statements += 1

    @sa_event.listens_for(engine.sync_engine, "connect")
    def count_queries(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(counted)

    group = f"bench-continuum-{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings, consumer_topics(group), partitions=1)
    consumer = continuum_consumer(settings, make_session_factory(engine), topic, group, progress, tally=tally)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        if profile is not None:
            while not progress.first:
                await asyncio.sleep(0.001)
            profile.enable()
        await progress.done.wait()
    finally:
        if profile is not None:
            profile.disable()
        stop.set()
        await task
        await engine.dispose()


# --- the rows -----------------------------------------------------------------------------------------


_ROW_COUNTS = """
SELECT 'assessments' AS t, count(*) FROM assessments UNION ALL
SELECT 'section47_enquiries', count(*) FROM section47_enquiries UNION ALL
SELECT 'children', count(*) FROM children UNION ALL
SELECT 'inbox ' || event_type, count(*) FROM inbox GROUP BY event_type UNION ALL
SELECT 'outbox ' || event_type, count(*) FROM outbox GROUP BY event_type UNION ALL
SELECT 'audit_log ' || action, count(*) FROM audit_log GROUP BY action
"""


#: The rows' contents, but for the ids and instants each side draws for itself (of assessments,
#: enquiries and events, and when a row was written), as digests.
_CONTENTS = """
SELECT 'assessments', md5(string_agg(concat_ws('|', referral_id, case_id, child_id, team, route, referral_date, due_date,
                                               status, opened_at, partner_status_sent, version), ',' ORDER BY referral_id))
FROM assessments
UNION ALL SELECT 'section47_enquiries', md5(string_agg(concat_ws('|', case_id, child_id, team, status, version), ','
                                                       ORDER BY case_id)) FROM section47_enquiries
UNION ALL SELECT 'children', md5(string_agg(concat_ws('|', id, la_child_id, given_name, family_name, date_of_birth, sex,
                                                      ethnicity, disabilities, nhs_number, postcode, version), ',' ORDER BY id))
FROM children
UNION ALL SELECT 'outbox', md5(string_agg(concat_ws('|', topic, key, event_type, payload - 'id' - 'time'
                                                    #- '{data,assessment_id}' #- '{data,section47_id}'),
                                          ',' ORDER BY key, event_type, payload::text)) FROM outbox
UNION ALL SELECT 'audit_log', md5(string_agg(concat_ws('|', actor, actor_roles, action, subject_type, purpose, outcome,
                                                       CASE WHEN subject_type = 'child' THEN subject_id END),
                                             ',' ORDER BY action, subject_type, subject_id)) FROM audit_log
"""


async def row_counts(dsn: str, *, contents: bool = False) -> dict[str, Any]:
    """The rows per table (and event type, and audit action); ``contents``: their digests too."""
    conn = await asyncpg.connect(dsn)
    try:
        counts: dict[str, Any] = {t: n for t, n in await conn.fetch(_ROW_COUNTS) if n}
        if contents:
            counts["contents"] = {table: digest for table, digest in await conn.fetch(_CONTENTS)}
        return counts
    finally:
        await conn.close()


async def reset(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        # The audit log refuses TRUNCATE (append-only, by trigger); the benchmark's superuser skips triggers.
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


async def rows_of_one_event(settings: ServiceSettings, url: str, dsn: str) -> None:
    """What the service writes for one event of each kind (through the runner's ``handle``: the
    inbox row, the handler's rows, the outbox and audit rows), read back from its database."""
    engine = make_engine(url)
    consumer = continuum_consumer(settings, make_session_factory(engine), "unused", "bench-probe", None)
    child, _, decided = real_stream(1, random.Random(1))[:3]
    decision = parse_event(decided.value)
    strategy = decision.data.model_copy(update={"outcome": DecisionOutcome.STRATEGY_DISCUSSION})
    probes = [
        ("child.registered", parse_event(child.value)),
        (
            "referral.decided, strategy discussion, child known",
            Envelope.wrap(strategy, source="referral", subject=decision.subject, aggregate_version=2),
        ),
    ]
    print("rows per event, as the service writes them (the floor writes the same):")
    try:
        for label, event in probes:
            before = await row_counts(dsn)
            await consumer.handle(event, consumer.handlers[event.type])
            after = await row_counts(dsn)
            written = {t: n - before.get(t, 0) for t, n in after.items() if n != before.get(t, 0)}
            print(f"  {label}: " + ", ".join(f"{t} {n}" for t, n in written.items()))
    finally:
        await engine.dispose()
    await reset(dsn)


# --- throughput ----------------------------------------------------------------------------------------


async def throughput(settings: ServiceSettings, pg_dir: Path, floor_dsn: str, url: str, dsn: str, profile: bool) -> float:
    rng = random.Random(8)
    ratios = []
    for round_ in range(1, ROUNDS + 1):
        stream = real_stream(CASES, rng)
        if round_ == 1:
            print(f"the stream: {len(stream):,} events per round ({CASES:,} cases), {PARTITIONS} partitions")
        topic = f"bench.referral.{round_}"
        await ensure_topics(settings, [topic], partitions=PARTITIONS)
        ends = await produce(settings.kafka_bootstrap, topic, stream)

        floor, ours = Progress(ends, pg_dir, len(stream)), Progress(ends, pg_dir, len(stream))
        tally: Counter[str] = Counter()
        for side in sides_in_order(round_):
            if side == "floor":
                await reset(floor_dsn)
                await floor_consume(settings, floor_dsn, topic, floor, asyncio.Event())
            else:
                await reset(dsn)
                await continuum_run(settings, url, topic, ours, None, tally)

        floor_rows, our_rows = await row_counts(floor_dsn, contents=True), await row_counts(dsn, contents=True)
        if floor_rows != our_rows:
            raise AssertionError(f"the floor and the service wrote different rows:\n  floor   {floor_rows}\n  service {our_rows}")
        ratios.append(ours.rate / floor.rate)
        print(f"round {round_} ({sides_in_order(round_)[0]} first): floor {floor.summary()}", flush=True)
        print(f"         continuum {ours.summary()}; ratio {ours.rate / floor.rate:.2f}", flush=True)
        handled = tally["in runs"] + tally["one by one"]
        print(
            f"         ({tally['in runs'] / handled:.0%} of the handled events went through a batch handler, in runs of "
            f"{tally['in runs'] / max(tally['runs'], 1):.1f} on average; the rest one by one)",
            flush=True,
        )
    counted = ", ".join(f"{t} {n:,}" for t, n in sorted(our_rows.items()) if t != "contents")
    print(f"  the same rows on both sides, by count and content (each round): {counted}")
    median = statistics.median(ratios)
    spread = f"{min(ratios):.2f} to {max(ratios):.2f}"
    print(f"throughput ratio = continuum / floor = {median:.2f} (median of {ROUNDS} alternating rounds, {spread})")
    summary("assessment intake consumer", ratios, "consumer / floor events per second")
    if profile:  # one more round, not counted: cProfile slows it down
        stream = real_stream(CASES, rng)
        topic = "bench.referral.profile"
        await ensure_topics(settings, [topic], partitions=PARTITIONS)
        ends = await produce(settings.kafka_bootstrap, topic, stream)
        await reset(dsn)
        profiler = cProfile.Profile(time.process_time)
        await continuum_run(settings, url, topic, Progress(ends, pg_dir, len(stream)), profiler, Counter())
        print_profile(profiler, len(stream))
    return median


#: Where the consumer's CPU goes, by the functions that contain it (cumulative, so nested ones are
#: also inside their callers: the publishing inside the handlers).
PROFILE_PARTS = (
    ("runner: parse and validate each event (continuum.contracts.parse_event)", "contracts/__init__.py", "parse_event"),
    ("runner: claim a run's inbox rows (EventConsumer._claim_all)", "continuum/consumer.py", "_claim_all"),
    ("handlers, set-based (intake.receive_together)", "use_cases/intake.py", "receive_together"),
    ("handlers, one by one: decisions (intake.receive_decision)", "use_cases/intake.py", "receive_decision"),
    ("handlers, one by one: children (intake.receive_child)", "use_cases/intake.py", "receive_child"),
    ("  of which: build the events' envelopes (UnitOfWork.publish)", "continuum/uow.py", "publish"),
    ("  of which: the domain (open_from_decision)", "domain/intake.py", "open_from_decision"),
    ("commit: outbox and audit rows, COMMIT (UnitOfWork.__aexit__)", "continuum/uow.py", "__aexit__"),
    ("Kafka: fetch (getmany)", "aiokafka/consumer/consumer.py", "getmany"),
    ("Kafka: offset commits (commit)", "aiokafka/consumer/consumer.py", "commit"),
)


def print_profile(profiler: cProfile.Profile, events: int) -> None:
    """Where Continuum's consumer spent its CPU in a round, by part and by function."""
    stats = pstats.Stats(profiler)
    if os.environ.get("BENCH_PROFILE_FILE"):
        stats.dump_stats(os.environ["BENCH_PROFILE_FILE"])
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(own for (_, _, own, _, _) in raw.values())
    print(
        f"profile of one more Continuum round (under cProfile, which slows it): {total / events * 1000:.3f} ms of CPU per event"
    )
    for label, path, function in PROFILE_PARTS:
        spent = sum(cum for (filename, _, name), (_, _, _, cum, _) in raw.items() if name == function and path in filename)
        print(f"  {label:78s} {spent / events * 1000:.3f} ms  {spent / total:5.1%}")
    print("  the rest: the event loop, SQLAlchemy's sessions and greenlets, asyncpg's protocol, between the parts above")
    stats.sort_stats("tottime").print_stats(15)


# --- latency -------------------------------------------------------------------------------------------


def _pcts(latencies: list[float]) -> str:
    q = statistics.quantiles(latencies, n=100)
    return f"p50 {q[49] * 1000:6.1f} ms   p95 {q[94] * 1000:6.1f} ms   p99 {q[98] * 1000:6.1f} ms   (n={len(latencies)})"


async def poisson(items: list[T], send: Callable[[T], Awaitable[None]], rng: random.Random) -> None:
    """Send each item at random (Poisson) moments, a mean gap of MEAN_GAP_MS apart."""
    due = time.perf_counter()
    for item in items:
        due += rng.expovariate(1000 / MEAN_GAP_MS)
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        await send(item)


async def latency_topic_to_row(settings: ServiceSettings, dsn: str, url: str, floor_dsn: str, side: str) -> list[float]:
    """From the producer's send to the commit of the event's rows in the next service."""
    rng = random.Random(21)
    stream = real_stream(LATENCY_EVENTS // 3, rng)
    topic = f"bench.latency.{side}.{uuid.uuid4().hex[:6]}"
    await ensure_topics(settings, [topic], partitions=PARTITIONS)
    sent: dict[str, float] = {}
    committed: dict[str, float] = {}

    def on_commit(ids: list[str]) -> None:
        now = time.perf_counter()
        for i in ids:
            committed.setdefault(i, now)

    stop = asyncio.Event()
    if side == "floor":
        ready = asyncio.Event()
        await reset(floor_dsn)
        task = asyncio.create_task(floor_consume(settings, floor_dsn, topic, None, stop, on_commit, ready))
        is_ready: Callable[[], bool] = ready.is_set
        engine = None
    else:
        await reset(dsn)
        engine = make_engine(url)
        group = f"bench-latency-{uuid.uuid4().hex[:8]}"
        await ensure_topics(settings, consumer_topics(group), partitions=1)
        consumer = continuum_consumer(settings, make_session_factory(engine), topic, group, None, on_commit=on_commit)
        task = asyncio.create_task(consumer.run(stop))
        is_ready = consumer.holds_all_partitions
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", linger_ms=0)
    await producer.start()
    try:
        while not is_ready():
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)

        async def send(m: Message) -> None:
            sent[m.id] = time.perf_counter()
            await producer.send(topic, m.value, key=m.key)

        await poisson(stream, send, rng)
        handled = [m.id for m in stream if m.type in HANDLED]
        deadline = time.monotonic() + 30
        while any(i not in committed for i in handled) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        missing = [i for i in handled if i not in committed]
        if missing:
            raise AssertionError(f"{side}: {len(missing)} events never committed")
        return [committed[i] - sent[i] for i in handled]
    finally:
        stop.set()
        await task
        await producer.stop()
        if engine is not None:
            await engine.dispose()


def _wrapped(handlers: dict[str, H], wrap: Callable[[H], H]) -> dict[str, H]:
    done: dict[int, H] = {}
    return {t: done.setdefault(id(h), wrap(h)) if id(h) not in done else done[id(h)] for t, h in handlers.items()}


def _counting(handler: Handler, tally: Counter[str]) -> Handler:
    async def counted(tx: Transaction, event: Envelope[Any]) -> None:
        tally["one by one"] += 1
        await handler(tx, event)

    return counted


def _counting_all(handler: BatchHandler, tally: Counter[str]) -> BatchHandler:
    async def counted(tx: Transaction, events: list[Envelope[Any]]) -> None:
        tally["in runs"] += len(events)
        tally["runs"] += 1
        await handler(tx, events)

    return counted


class NotingConsumer(EventConsumer):
    """The service's consumer, telling ``on_commit`` which events each of its transactions made
    durable, as soon as the transaction returns (its commit done)."""

    def __init__(self, *, on_commit: Callable[[list[str]], None], **options: Any) -> None:
        super().__init__(**options)
        self._on_commit = on_commit

    async def _handle_together(self, items: list[tuple[Envelope[Any], Handler]]) -> list[str]:
        outcomes = await super()._handle_together(items)
        self._on_commit([str(event.id) for (event, _), outcome in zip(items, outcomes, strict=True) if outcome == "handled"])
        return outcomes


async def latency_whole_path(settings: ServiceSettings, url: str, dsn: str, referral_url: str, referral_dsn: str) -> list[float]:
    """From the commit of an outbox row in the referral service's database, through the relay and
    the topic, to the commit of its rows in the assessment service."""
    rng = random.Random(34)
    stream = real_stream(LATENCY_EVENTS // 3, rng)
    topic = f"bench.path.{uuid.uuid4().hex[:6]}"
    await ensure_topics(settings, [topic], partitions=PARTITIONS)
    await reset(dsn)
    committed: dict[str, float] = {}

    def on_commit(ids: list[str]) -> None:
        now = time.perf_counter()
        for i in ids:
            committed.setdefault(i, now)

    stop = asyncio.Event()
    engine, referral_engine = make_engine(url), make_engine(referral_url)
    group = f"bench-path-{uuid.uuid4().hex[:8]}"
    await ensure_topics(settings, consumer_topics(group), partitions=1)
    consumer = continuum_consumer(settings, make_session_factory(engine), topic, group, None, on_commit=on_commit)
    relay = OutboxRelay(
        make_session_factory(referral_engine),
        lambda: make_producer(settings),
        service="referral",
        batch_size=settings.outbox_batch_size,
        poll_interval=settings.outbox_poll_interval_seconds,
    )
    tasks = [asyncio.create_task(consumer.run(stop)), asyncio.create_task(relay.run(stop))]
    writer = await asyncpg.connect(referral_dsn)
    written: dict[str, float] = {}
    try:
        while not consumer.holds_all_partitions():
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        # An intake commits its child.registered and referral.received together; a decision alone.
        units: list[list[Message]] = []
        for m in stream:
            if m.type == "referral.received" and units and units[-1][-1].type == "child.registered":
                units[-1].append(m)
            else:
                units.append([m])

        async def write(unit: list[Message]) -> None:
            async with writer.transaction():
                await writer.executemany(
                    "INSERT INTO outbox (event_id, topic, key, event_type, payload) VALUES ($1, $2, $3, $4, $5::jsonb)",
                    [(m.id, topic, m.key.decode(), m.type, m.value.decode()) for m in unit],
                )
            now = time.perf_counter()  # committed
            for m in unit:
                written[m.id] = now

        await poisson(units, write, rng)
        handled = [m.id for m in stream if m.type in HANDLED]
        deadline = time.monotonic() + 30
        while any(i not in committed for i in handled) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        missing = [i for i in handled if i not in committed]
        if missing:
            raise AssertionError(f"whole path: {len(missing)} events never committed")
        return [committed[i] - written[i] for i in handled]
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await writer.close()
        await engine.dispose()
        await referral_engine.dispose()


# --- main ---------------------------------------------------------------------------------------------


async def run(postgres: EmbeddedPostgres, broker: TansuBroker, profile: bool) -> None:
    for name in ("bench_assessment", "bench_assessment_floor", "bench_referral_outbox"):
        postgres.create_database(name, drop_first=True)
    url, dsn = postgres.url("bench_assessment"), postgres.url("bench_assessment", driver="")
    floor_dsn = postgres.url("bench_assessment_floor", driver="")
    referral_url, referral_dsn = postgres.url("bench_referral_outbox"), postgres.url("bench_referral_outbox", driver="")
    await asyncio.gather(
        asyncio.to_thread(migrate, ALEMBIC_INI, url),
        asyncio.to_thread(migrate, ALEMBIC_INI, postgres.url("bench_assessment_floor")),
    )
    engine = make_engine(referral_url)
    async with engine.begin() as conn:
        await conn.run_sync(platform_metadata.create_all)
    await engine.dispose()
    # The tests' consumer timeouts: Tansu holds a joining member for the rebalance timeout.
    settings = ServiceSettings(
        env="dev",
        service_name="assessment",
        kafka_bootstrap=broker.bootstrap,
        kafka_idempotence=False,
        database_url=url,
        kafka_session_timeout_ms=3000,
        kafka_rebalance_timeout_ms=500,
    )
    print(f"PostgreSQL with fsync=on, synchronous_commit=on; Tansu; {os.cpu_count()} cores")
    await rows_of_one_event(settings, url, dsn)
    await throughput(settings, postgres.data_dir, floor_dsn, url, dsn, profile)

    print(f"latency with random arrivals (Poisson, mean gap {MEAN_GAP_MS:.0f} ms), send to committed rows in the next service:")
    floor = await latency_topic_to_row(settings, dsn, url, floor_dsn, "floor")
    print(f"  floor:     {_pcts(floor)}", flush=True)
    ours = await latency_topic_to_row(settings, dsn, url, floor_dsn, "continuum")
    print(f"  continuum: {_pcts(ours)}", flush=True)
    path = await latency_whole_path(settings, url, dsn, referral_url, referral_dsn)
    print(
        f"the whole path, an outbox row committed in the referral service to committed rows in the assessment service "
        f"(relay poll interval {settings.outbox_poll_interval_seconds:.2f} s):"
    )
    print(f"  continuum: {_pcts(path)}")


@contextlib.contextmanager
def servers(workdir: Path) -> Iterator[tuple[EmbeddedPostgres, TansuBroker]]:
    """The embedded PostgreSQL and Tansu, stopped however the benchmark ends: an exception, Ctrl-C,
    or SIGTERM/SIGHUP (turned into an exception, so the ``finally`` runs). PostgreSQL runs detached
    (pg_ctl), so nothing else would stop it; Tansu dies with this process anyway."""

    def interrupted(signum: int, _: Any) -> None:
        raise SystemExit(128 + signum)

    previous = {s: signal.signal(s, interrupted) for s in (signal.SIGTERM, signal.SIGHUP)}
    postgres = EmbeddedPostgres(workdir / "pg", free_port(), durable=True)
    broker = TansuBroker(free_port(), log_path=workdir / "tansu.log")
    try:
        postgres.start()
        broker.start()
        yield postgres, broker
    finally:
        try:
            broker.stop()
        finally:
            try:
                postgres.stop()
            finally:
                for s, handler in previous.items():
                    signal.signal(s, handler)
                shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str]) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="bench-assessment-"))
    with servers(workdir) as (postgres, broker):
        service_log = workdir / "service.log"
        production_logging(service_log)  # the consumer and relay log at INFO, as in production
        asyncio.run(run(postgres, broker, profile="--profile" in argv))
        print(f"the service's log at INFO: {log_lines(service_log)} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
