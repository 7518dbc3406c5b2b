"""Benchmark: the insight service at a council's scale (issue 18).

1. **Census.** Insight's read model loaded with N children's events of a collection year (2025-26:
   the census's and the rest of a case's, such as visits, allocations, drift and handovers), made
   from a handful of template children built with the census tests' contract builders
   (``services/insight/tests/census_journeys.py``): their events inserted once, then multiplied in
   SQL with every id (and LA child id) made the copy's own, so millions of rows load in minutes.
   The census (``GET /v1/census/2026?as_at=2026-04-30``: its use case, as the route calls it, writing
   the file to a temporary file, then the answer's body read whole from it as the route streams
   it) is run in a fresh process per size, which reports its time and its peak memory (the
   process's RSS high-water mark, ``VmHWM``), the children in the file and its size. Before
   anything is timed, the file at the first size is compared with the file made the old way (every
   event read into memory and folded at once, ``domain.census_xml``): the same bytes but for the
   header's time. No floor: the aim is absolute (under 60 s and 2 GB at 400,000 children).
   ``make bench`` runs 10,000 children (``BENCH_CENSUS_CHILDREN``); ``BENCH_CENSUS_BIG=1`` adds
   400,000 (about 4 million rows to load: some minutes).
2. **Catch-up.** ``BENCH_CATCHUP_EVENTS`` (50,000) events of the same mix on the four case topics
   (6 partitions each, a case's events keyed by it, in time order), read from a fresh consumer
   group into an empty read model. Continuum: the real ``EventConsumer`` with insight's handlers as
   ``insight.app`` gives them (``make_handlers`` and ``make_batch_handlers``): one transaction per
   partition batch, its inbox rows claimed with one statement, its events' rows written by the
   batch handler with one statement per kind of row (the child's copy per identity event).
   Floor: bare aiokafka and bare asyncpg doing the same durable work
   with the least machinery: per partition batch, one transaction of one statement per kind of row
   (inbox claimed with ``ON CONFLICT DO NOTHING RETURNING``, the events with ``ON CONFLICT (id) DO
   NOTHING``, each case's child, each child's teams, the child's copy with its version guard and its
   audit row), then the offsets. Both on the same broker and PostgreSQL (``fsync=on``,
   ``synchronous_commit=on``), each into its own database, truncated and CHECKPOINTed before its
   run; rounds in which each goes first in turn; events per second from the first fetched record
   to the last offset committed; the median of the rounds' ratios and their spread. Both sides'
   rows are compared after every round (counts, and contents but for the instants each writes).
3. **Rebuild.** Not measured yet: :func:`rebuild_measure` is where it goes once ``event_history``,
   ``GET /v1/history`` and insight's replay land (branch ``rebuild``).

    python bench/bench_insight.py                     (own embedded PostgreSQL and Tansu; a few minutes)
    BENCH_CENSUS_BIG=1 python bench/bench_insight.py  (also 400,000 children)
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer, TopicPartition
from common import RESULT, ROUNDS, consume_until_done, instrumented, log_lines, production_logging, sides_in_order, summary

from continuum.casework import clock
from continuum.casework.policy import load_policy
from continuum.casework.principal import Principal, Role
from continuum.contracts import CATALOGUE, parse_event
from continuum.messaging.kafka import ensure_topics, make_consumer
from continuum.persistence.db import make_engine, make_session_factory
from continuum.persistence.uow import UnitOfWork
from continuum.settings import ServiceSettings
from continuum.web.auth import mint_dev_token
from continuum_tools.devstack import EmbeddedPostgres, TansuBroker, free_port, migrate
from continuum_tools.rebuild import CASE_SERVICES, DEFAULT_BATCH, rebuild_read_model
from insight import domain, views
from insight.app import create_app
from insight.consumers import READ_MODEL_TOPICS, make_batch_handlers, make_handlers
from insight.settings import InsightSettings
from insight.use_cases import census as census_use_case
from insight.use_cases.commands import ReadCensus

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "services" / "insight" / "tests"))
from census_journeys import Child, Episode, upn  # noqa: E402  (the tests' contract builders)

ALEMBIC_INI = ROOT / "services" / "insight" / "alembic.ini"
CENSUS_CHILDREN = int(os.environ.get("BENCH_CENSUS_CHILDREN", "10000"))
CENSUS_BIG = 400_000
CATCHUP_EVENTS = int(os.environ.get("BENCH_CATCHUP_EVENTS", "50000"))
#: Events a page of the rebuild (``continuum insight rebuild``'s default).
REBUILD_BATCH = DEFAULT_BATCH
YEAR, AS_AT = 2026, date(2026, 4, 30)
PARTITIONS = 6
POLICY = load_policy(None)
D = date
#: A template's ids end with this; each copy's end with its own number instead (12 hex digits).
MARK = "000000000000"
#: The tables the read-model consumer writes (truncated before each catch-up run).
TABLES = ("case_events", "episodes", "child_teams", "children", "inbox", "audit_log", "outbox", "staff")


# --- the year's children ------------------------------------------------------------------------------


def templates() -> list[Child]:
    """A year's mix of children (2025-26), as the four services' events tell them."""
    kids = []
    c = Child().registered(D(2025, 5, 1), upn=upn(1))  # the front door's NFA
    Episode(c).referred(D(2025, 5, 6), "nfa").closed(D(2025, 5, 6), "RC8", nfa=True, assessed=False)
    kids.append(c)
    c = Child().registered(D(2025, 6, 1), upn=upn(2))  # an assessment, no further action
    ep = Episode(c).referred(D(2025, 6, 2), "assessment")
    ep.allocated(D(2025, 6, 3), "sw-alex")
    ep.assessed(D(2025, 6, 3), D(2025, 6, 20), "nfa", factors=("21",)).closed(D(2025, 6, 20), "RC8")
    kids.append(c)
    c = Child().registered(D(2025, 7, 1), upn=upn(3), disabilities=["AUT", "COMM"])  # a CIN plan, visited
    ep = Episode(c).referred(D(2025, 7, 1), "assessment", source="2A").assessed(D(2025, 7, 2), D(2025, 7, 25), "cin_plan")
    plan = ep.plan("cin", D(2025, 7, 28))
    for month in (8, 9, 10, 11, 12, 1):
        ep.visit(plan, D(2025 + (month < 4), month, 20))
    kids.append(c)
    c = Child().registered(D(2025, 4, 1), upn=upn(4), ethnicity="BAFR", sex="M")  # section 47, CP plan, pre-proceedings
    ep = Episode(c).referred(D(2025, 4, 7), "strategy_discussion")
    ep.section47(D(2025, 4, 8), icpc=D(2025, 4, 24), target=D(2025, 4, 30))
    ep.assessed(D(2025, 4, 8), D(2025, 4, 24), "child_protection", factors=("3B", "16A"), s47=True)
    cp = ep.plan("cp", D(2025, 4, 24), category="NEG", reviews=(D(2025, 7, 17), D(2026, 1, 15)))
    for month in (5, 6, 7, 8):
        ep.visit(cp, D(2025, month, 20))
    ep.drift(cp, D(2025, 9, 1))
    ep.plan_ended(cp, "cp", D(2025, 4, 24), D(2026, 1, 15), "step_down_cin", category="NEG")
    ep.plan("cin", D(2026, 1, 15))
    ep.preproceedings(D(2025, 10, 1), letter=D(2025, 10, 2), meeting=D(2025, 10, 15), decided=D(2026, 1, 9), court=D(2026, 1, 12))
    kids.append(c)
    c = Child().registered(D(2025, 9, 1), upn=upn(5))  # stepped down to early help
    ep = Episode(c).referred(D(2025, 9, 1), "assessment", source="3A").assessed(D(2025, 9, 2), D(2025, 9, 19), "early_help")
    ep.handover(D(2025, 9, 19), answer="accepted")
    ep.closed(D(2025, 9, 19), "RC9", kind="early_help")
    kids.append(c)
    c = Child().registered(D(2025, 11, 3), date_of_birth=None, expected_date_of_birth="2026-06-01", sex="U", upn=None)
    ep = Episode(c).referred(D(2025, 11, 3), "assessment", source="3B").assessed(D(2025, 11, 4), D(2025, 11, 28), "cin_plan")
    unborn_plan = ep.plan("cin", D(2025, 12, 1))
    for month in (12, 1, 2):
        ep.visit(unborn_plan, D(2025 + (month < 4), month, 22))
    kids.append(c)
    c = Child().registered(D(2025, 4, 10), upn=None, upn_unknown_reason="UN2")  # a CIN plan ended, the case closed
    ep = Episode(c).referred(D(2025, 4, 14), "assessment").assessed(D(2025, 4, 15), D(2025, 4, 30), "cin_plan", factors=("4B",))
    plan = ep.plan("cin", D(2025, 5, 1))
    for month in (6, 7, 8, 9):
        ep.visit(plan, D(2025, month, 1))
    ep.plan_ended(plan, "cin", D(2025, 5, 1), D(2025, 12, 1), "close").closed(D(2025, 12, 1), "RC7")
    kids.append(c)
    c = Child().registered(D(2024, 11, 1), upn=upn(8))  # an episode of the year before, closed in this one
    ep = Episode(c).referred(D(2024, 11, 4), "assessment").assessed(D(2024, 11, 5), D(2024, 12, 2), "cin_plan", factors=("1B",))
    plan = ep.plan("cin", D(2024, 12, 3))
    ep.plan_ended(plan, "cin", D(2024, 12, 3), D(2025, 6, 30), "close").closed(D(2025, 6, 30), "RC7")
    kids.append(c)
    return kids


TEMPLATES = len(templates())
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def marked_events() -> list[str]:
    """The templates' events as JSON envelopes, every id (and LA child id) ending with ``MARK``
    (each unique before it), in time order."""
    envelopes = [e for c in templates() for e in c.events]
    names: dict[str, str] = {}
    texts = []
    for envelope in envelopes:
        text = json.dumps(envelope.to_json_dict())
        for found in _UUID.findall(text):
            names.setdefault(found, f"{len(names) + 1:08x}-0000-4000-8000-{MARK}")
        for la in re.findall(r'"la_child_id": "([^"]+)"', text):
            names.setdefault(la, f"LA{len(names) + 1:06d}-{MARK}")
        texts.append(text)
    pattern = re.compile("|".join(re.escape(k) for k in sorted(names, key=len, reverse=True)))
    marked = [pattern.sub(lambda m: names[m.group(0)], t) for t in texts]
    return sorted(marked, key=lambda t: json.loads(t)["time"])


def copy_of(text: str, k: int) -> str:
    return text.replace(f'{MARK}"', f'{k:012x}"')


# --- loading the read model -------------------------------------------------------------------------

_COLUMNS = "id, topic, event_type, schema_version, case_id, child_id, team, occurred_at, data, recorded_at"
_MULTIPLY = f"""
INSERT INTO case_events ({_COLUMNS})
SELECT overlay(t.id::text PLACING s.suffix FROM 25)::uuid, t.topic, t.event_type, t.schema_version,
       overlay(t.case_id::text PLACING s.suffix FROM 25)::uuid, overlay(t.child_id::text PLACING s.suffix FROM 25)::uuid,
       t.team, t.occurred_at, replace(t.data::text, '{MARK}"', s.suffix || '"')::jsonb, t.recorded_at
  FROM generate_series($1::int, $2::int) AS k, LATERAL (SELECT lpad(to_hex(k), 12, '0') AS suffix) AS s, bench_template AS t
 ORDER BY t.occurred_at, k
"""


async def load_census(conn: asyncpg.Connection, marked: list[str], children: int) -> int:
    """The read model of ``children`` children (copies of the templates); its rows."""
    per_copy = TEMPLATES
    copies = max(1, children // per_copy)
    await conn.execute("TRUNCATE case_events, episodes, child_teams, children, staff")
    await conn.execute(f"DROP TABLE IF EXISTS bench_template; CREATE TABLE bench_template AS SELECT {_COLUMNS} FROM case_events")
    rows = []
    for text in marked:
        e = domain.case_event(parse_event(text))
        rows.append(
            (e.id, e.topic, e.event_type, e.schema_version, e.case_id, e.child_id, e.team, e.occurred_at, json.dumps(e.data))
        )
    await conn.executemany(
        f"INSERT INTO bench_template ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, now())", rows
    )
    step = max(1, 200_000 // len(marked))
    for first in range(1, copies + 1, step):
        await conn.execute(_MULTIPLY, first, min(first + step - 1, copies))
    await conn.execute(
        "INSERT INTO episodes (case_id, child_id) SELECT DISTINCT case_id, child_id FROM case_events"
        " WHERE case_id IS NOT NULL AND child_id IS NOT NULL ON CONFLICT DO NOTHING"
    )
    await conn.execute("VACUUM ANALYZE case_events")
    await conn.execute("VACUUM ANALYZE episodes")
    return int(await conn.fetchval("SELECT count(*) FROM case_events"))


# --- the census, in a process of its own ---------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``: of this address space, so from the exec; the
    ``ru_maxrss`` of ``getrusage`` is kept across exec on Linux and starts at the parent's)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def census_once(url: str) -> dict[str, Any]:
    """The census as the route makes it, its body read whole as the route streams it."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    principal = Principal(
        "bench-performance", "Bench Performance", frozenset({Role.PERFORMANCE}), frozenset(), False, POLICY.la_code
    )
    started = time.perf_counter()
    body = tempfile.TemporaryFile()  # noqa: SIM115  (closed by file_chunks, as the route's answer does)
    made = await census_use_case.census(
        UnitOfWork(sessions, source="insight", principal=principal),
        ReadCensus(year=YEAR, as_at=AS_AT),
        lea=POLICY.la_code,
        release="bench",
        out=body,
    )
    sent = sum(len(chunk) for chunk in views.file_chunks(body))
    took = time.perf_counter() - started
    await engine.dispose()
    peak_mb = peak_rss_mb()
    return {"seconds": took, "peak_mb": peak_mb, "children": made.children, "bytes": sent, "missing": made.missing_identity}


def census_in_process(url: str, log: Path) -> dict[str, Any]:
    """One census run in a fresh process (its own peak memory)."""
    done = subprocess.run([sys.executable, __file__, "--census-once", url, str(log)], capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


async def census_whole(url: str, dsn: str) -> tuple[bytes, bytes]:
    """The file made the new way and the old (every event in memory at once), for the same header."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    principal = Principal("bench-check", "Bench Check", frozenset({Role.PERFORMANCE}), frozenset(), False, POLICY.la_code)
    with tempfile.TemporaryFile() as body:
        await census_use_case.census(
            UnitOfWork(sessions, source="insight", principal=principal),
            ReadCensus(YEAR, AS_AT),
            lea=POLICY.la_code,
            release="bench",
            out=body,
        )
        body.seek(0)
        streamed = body.read()
    conn = await asyncpg.connect(dsn)
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    year = domain.CensusYear(YEAR, AS_AT)
    end = datetime.combine(year.cutoff + timedelta(days=1), day_time(), tzinfo=clock.LONDON)
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM case_events WHERE event_type = ANY($1) AND occurred_at < $2 ORDER BY occurred_at, id",
        list(domain.CENSUS_EVENT_TYPES),
        end,
    )
    events = [domain.CaseEvent(**{k: v for k, v in dict(r).items() if k != "recorded_at"}) for r in rows]
    cases = {r["case_id"]: r["child_id"] for r in await conn.fetch("SELECT case_id, child_id FROM episodes")}
    made_at = datetime.fromisoformat(streamed.split(b"<DateTime>")[1].split(b"<")[0].decode())
    header = domain.Header(lea=POLICY.la_code, release="bench", serial_no=1, made_at=made_at)
    whole, _ = domain.census_xml(domain.fold(events, case_child=cases, as_at=year.cutoff).values(), year, header)
    await conn.close()
    await engine.dispose()
    return streamed, whole


async def census_measure(postgres: EmbeddedPostgres, marked: list[str], work: Path) -> None:
    postgres.create_database("bench_insight_census", drop_first=True)
    url, dsn = postgres.url("bench_insight_census"), postgres.url("bench_insight_census", driver="")
    migrate(ALEMBIC_INI, url)
    sizes = [CENSUS_CHILDREN] + ([CENSUS_BIG] if os.environ.get("BENCH_CENSUS_BIG") else [])
    per_child = len(marked) / TEMPLATES
    print(f"census: {TEMPLATES} template children, {per_child:.1f} events each ({len(marked)} in all), copied")
    for n, size in enumerate(sizes):
        conn = await asyncpg.connect(dsn)
        started = time.perf_counter()
        rows = await load_census(conn, marked, size)
        print(f"  {size:,} children: {rows:,} rows loaded in {time.perf_counter() - started:,.0f} s", flush=True)
        if n == 0:
            streamed, whole = await census_whole(url, dsn)
            assert streamed == whole, "the streamed census differs from the file made whole"
            print(f"  the streamed file is the file made whole ({len(whole):,} bytes)")
        runs = []
        for _ in range(ROUNDS if size < 100_000 else 2):
            await conn.execute("CHECKPOINT")
            runs.append(census_in_process(url, work / "service.log"))
        await conn.close()
        took = [r["seconds"] for r in runs]
        peak = max(r["peak_mb"] for r in runs)
        last = runs[-1]
        line = (
            f"census of {size:,} children: {statistics.median(took):.1f} s (runs {min(took):.1f} to {max(took):.1f}, "
            f"{len(runs)} runs), peak {peak:,.0f} MB; {last['children']:,} children in a file of {last['bytes'] / 1e6:,.0f} MB"
        )
        print(f"{RESULT} {line}", flush=True)


# --- catch-up: the consumer from a fresh group ----------------------------------------------------------


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


def stream(marked: list[str], events: int) -> Iterator[tuple[str, bytes, bytes]]:
    """``events`` events of the year's mix: copies of the templates' in time order (topic, key, value)."""
    copies = events // len(marked) + 1
    made = sorted((json.loads(t)["time"], k, t) for k in range(1, copies + 1) for t in marked)[:events]
    for _, k, text in made:
        wire = copy_of(text, k)
        parsed = json.loads(wire)
        yield CATALOGUE[parsed["type"]].topic, parsed["subject"].encode(), wire.encode()


async def produce(bootstrap: str, messages: list[tuple[str, bytes, bytes]]) -> dict[TopicPartition, int]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        acks = await asyncio.gather(*[await producer.send(topic, value, key=key) for topic, key, value in messages])
    finally:
        await producer.stop()
    ends: dict[TopicPartition, int] = {}
    for ack in acks:
        tp = TopicPartition(ack.topic, ack.partition)
        ends[tp] = max(ends.get(tp, 0), ack.offset + 1)
    return ends


_FLOOR_CLAIM = """
INSERT INTO inbox (consumer, event_id, event_type) SELECT $1, e, t FROM unnest($2::uuid[], $3::text[]) AS u(e, t)
ON CONFLICT DO NOTHING RETURNING event_id::text
"""
_FLOOR_EVENTS = f"""
INSERT INTO case_events ({_COLUMNS})
SELECT * , now() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::uuid[], $6::uuid[], $7::text[],
                             $8::timestamptz[], $9::jsonb[])
ON CONFLICT (id) DO NOTHING
"""
_FLOOR_EPISODES = """
INSERT INTO episodes (case_id, child_id) SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT (case_id) DO NOTHING
"""
_FLOOR_TEAMS = """
INSERT INTO child_teams (id, teams)
SELECT c, array_agg(DISTINCT t ORDER BY t) FROM unnest($1::uuid[], $2::text[]) AS u(c, t) GROUP BY c
ON CONFLICT (id) DO UPDATE SET teams = ARRAY(SELECT DISTINCT t FROM unnest(child_teams.teams || excluded.teams) AS t ORDER BY t)
WHERE NOT child_teams.teams @> excluded.teams
"""
_FLOOR_AUDIT = """
INSERT INTO audit_log (actor, actor_roles, action, subject_type, subject_id, purpose, outcome)
SELECT 'service:insight', ARRAY['service'], 'child.copy', 'child', s, 'keep the local copy of the child''s identity', 'success'
  FROM unnest($1::text[]) AS s
"""


async def floor_children_sql(conn: asyncpg.Connection) -> str:
    """The children's copies upserted from their events' data, newer versions only (the columns
    the table has, the child's id its ``child_id``)."""
    columns = [
        r["column_name"]
        for r in await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'children' AND column_name <> 'updated_at'"
            " ORDER BY ordinal_position"
        )
    ]
    listed = ", ".join(columns)
    return f"""
INSERT INTO children ({listed})
SELECT {listed} FROM jsonb_populate_recordset(NULL::children,
       (SELECT jsonb_agg(d || jsonb_build_object('id', d -> 'child_id')) FROM unnest($1::jsonb[]) AS d))
ON CONFLICT (id) DO UPDATE SET {", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")}, updated_at = now()
WHERE children.version < excluded.version
"""


async def floor_apply(conn: asyncpg.Connection, values: list[Any], children_sql: str) -> None:
    """One batch of events (their JSON), in one transaction, one statement per kind of row."""
    events = [json.loads(v) for v in values]
    async with conn.transaction():
        fresh = {
            r[0] for r in await conn.fetch(_FLOOR_CLAIM, "bench-floor", [e["id"] for e in events], [e["type"] for e in events])
        }
        events = [e for e in events if e["id"] in fresh]
        if not events:
            return
        cols: list[list[Any]] = [[] for _ in range(9)]
        episodes: dict[str, str] = {}
        teams: list[tuple[str, str]] = []
        identities = []
        for e in events:
            d = e["data"]
            topic = CATALOGUE[e["type"]].topic
            case, child, team = d.get("case_id"), d.get("child_id"), d.get("team")
            for col, value in zip(
                cols,
                (e["id"], topic, e["type"], CATALOGUE[e["type"]].schema_version, case, child, team, e["time"], json.dumps(d)),
                strict=True,
            ):
                col.append(value)
            if case and child:
                episodes.setdefault(case, child)
            if child:
                teams += [(child, t) for f in ("team", "previous_team", "receiving_team") if isinstance(t := d.get(f), str) and t]
            if e["type"] in ("child.registered", "child.updated"):
                identities.append(json.dumps(d))
        cols[7] = [datetime.fromisoformat(t.replace("Z", "+00:00")) for t in cols[7]]
        await conn.execute(_FLOOR_EVENTS, *cols)
        if episodes:
            await conn.execute(_FLOOR_EPISODES, list(episodes), list(episodes.values()))
        if teams:
            await conn.execute(_FLOOR_TEAMS, [c for c, _ in teams], [t for _, t in teams])
        if identities:
            await conn.execute(children_sql, identities)
            await conn.execute(_FLOOR_AUDIT, [json.loads(i)["child_id"] for i in identities])


async def floor_run(settings: ServiceSettings, dsn: str, progress: Progress) -> None:
    conn = await asyncpg.connect(dsn)
    children_sql = await floor_children_sql(conn)
    consumer = instrumented(make_consumer(settings, *READ_MODEL_TOPICS, group_id=f"bench-floor-{uuid.uuid4().hex[:8]}"), progress)
    await consumer.start()
    try:
        while not progress.done.is_set():
            for tp, records in (await consumer.getmany(timeout_ms=200, max_records=100)).items():
                await floor_apply(conn, [r.value for r in records], children_sql)
                await consumer.commit({tp: records[-1].offset + 1})
    finally:
        await consumer.stop()
        await conn.close()


async def product_run(settings: ServiceSettings, url: str, progress: Progress) -> None:
    await consume_until_done(
        settings,
        url,
        progress,
        prefix="bench-insight",
        topics=READ_MODEL_TOPICS,
        handlers=make_handlers(POLICY),
        batch_handlers=make_batch_handlers(POLICY),
        source="insight",
    )


_CONTENTS = """
SELECT 'case_events', count(*), md5(string_agg(concat_ws('|', id, topic, event_type, schema_version, case_id, child_id, team,
                                                         occurred_at, data), ',' ORDER BY id)) FROM case_events
UNION ALL SELECT 'episodes', count(*), md5(string_agg(concat_ws('|', case_id, child_id), ',' ORDER BY case_id)) FROM episodes
UNION ALL SELECT 'child_teams', count(*), md5(string_agg(concat_ws('|', id, teams), ',' ORDER BY id)) FROM child_teams
UNION ALL SELECT 'children', count(*), md5(string_agg(concat_ws('|', id, la_child_id, version), ',' ORDER BY id)) FROM children
UNION ALL SELECT 'inbox', count(*), NULL FROM inbox
UNION ALL SELECT 'audit ' || action, count(*), md5(string_agg(subject_id, ',' ORDER BY subject_id)) FROM audit_log GROUP BY action
"""


async def contents(dsn: str) -> dict[str, Any]:
    conn = await asyncpg.connect(dsn)
    try:
        return {r[0]: (r[1], r[2]) for r in await conn.fetch(_CONTENTS)}
    finally:
        await conn.close()


async def catchup_measure(postgres: EmbeddedPostgres, broker: TansuBroker, marked: list[str]) -> None:
    for name in ("bench_insight", "bench_insight_floor"):
        postgres.create_database(name, drop_first=True)
        migrate(ALEMBIC_INI, postgres.url(name))
    url, dsn, floor_dsn = (
        postgres.url("bench_insight"),
        postgres.url("bench_insight", driver=""),
        postgres.url("bench_insight_floor", driver=""),
    )
    settings = ServiceSettings(
        env="dev",
        service_name="insight",
        kafka_bootstrap=broker.bootstrap,
        kafka_idempotence=False,
        database_url=url,
        kafka_session_timeout_ms=3000,
        kafka_rebalance_timeout_ms=500,
    )
    await ensure_topics(settings, READ_MODEL_TOPICS, partitions=PARTITIONS)
    messages = list(stream(marked, CATCHUP_EVENTS))
    ends = await produce(broker.bootstrap, messages)
    print(f"catch-up: {len(messages):,} events of the year's mix on {len(ends)} partitions of the four case topics")
    ratios: list[float] = []
    rates: dict[str, list[float]] = {"floor": [], "product": []}
    for round_ in range(1, ROUNDS + 1):
        took: dict[str, float] = {}
        for side in sides_in_order(round_):
            target = floor_dsn if side == "floor" else dsn
            conn = await asyncpg.connect(target)
            # The audit log refuses TRUNCATE (append-only, by trigger); the benchmark's superuser skips triggers.
            await conn.execute("SET session_replication_role = replica")
            await conn.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
            await conn.execute("CHECKPOINT")
            await conn.close()
            progress = Progress(ends)
            await (floor_run(settings, floor_dsn, progress) if side == "floor" else product_run(settings, url, progress))
            took[side] = progress.rate(len(messages))
            rates[side].append(took[side])
        floor_rows, product_rows = await contents(floor_dsn), await contents(dsn)
        assert floor_rows == product_rows, f"the floor and the consumer disagree: {floor_rows} != {product_rows}"
        ratios.append(took["product"] / took["floor"])
        print(f"  round {round_}: consumer {took['product']:,.0f} events/s, floor {took['floor']:,.0f}/s", flush=True)
    print(f"  rows each side wrote (the same): {', '.join(f'{k} {v[0]:,}' for k, v in product_rows.items())}")
    print(
        f"  consumer {statistics.median(rates['product']):,.0f} events/s, "
        f"floor {statistics.median(rates['floor']):,.0f}/s (medians)"
    )
    summary("insight catch-up", ratios, "consumer events/s / floor events/s")


_HISTORY = """
INSERT INTO event_history (seq, event_id, topic, key, event_type, payload, created_at, published_at)
SELECT row_number() OVER (), (e ->> 'id')::uuid, t, e ->> 'subject', e ->> 'type', e, now(), now()
  FROM unnest($1::text[], $2::jsonb[]) AS u(t, e)
"""
_HISTORY_PAGE = "SELECT seq, payload::text FROM event_history WHERE topic = $1 AND seq > $2 ORDER BY seq LIMIT $3"
#: What both sides of the rebuild write alike (the product's audit rows of its pages and replays apart).
_REBUILT = ("case_events", "episodes", "child_teams", "children", "inbox", "audit child.copy")


def insight_app(url: str) -> tuple[Any, InsightSettings]:
    """Insight's app over ``url``, its workers off (a rebuild needs no broker), in dev (its tokens)."""
    settings = InsightSettings(env="dev", database_url=url, kafka_bootstrap="127.0.0.1:9", run_workers=False)
    return create_app(settings), settings


def client(app: Any, settings: InsightSettings, name: str) -> httpx.AsyncClient:
    token = mint_dev_token(settings, sub=f"bench-{name}", roles=["admin"])
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=f"http://{name}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )


async def product_rebuild(source_url: str, target_url: str) -> float:
    """``continuum insight rebuild``'s own code (``rebuild_read_model``): every case service's
    history paged from ``GET /v1/history`` (one insight app over the history's database stands for
    the four services: the route is the kernel's, the same in each) and posted to insight's replay;
    its seconds."""
    (source, source_settings), (target, target_settings) = insight_app(source_url), insight_app(target_url)
    async with (
        source.router.lifespan_context(source),
        target.router.lifespan_context(target),
        client(source, source_settings, "history") as history,
        client(target, target_settings, "insight") as insight,
    ):
        started = time.perf_counter()
        await rebuild_read_model(dict.fromkeys(CASE_SERVICES, history), insight, batch=REBUILD_BATCH)
        return time.perf_counter() - started


async def floor_rebuild(source_dsn: str, floor_dsn: str) -> float:
    """Bare asyncpg: each topic's history read a page at a time and the page's rows written as the
    catch-up's floor writes a batch (:func:`floor_apply`); its seconds."""
    source, floor = await asyncpg.connect(source_dsn), await asyncpg.connect(floor_dsn)
    try:
        children_sql = await floor_children_sql(floor)
        started = time.perf_counter()
        for topic in CASE_SERVICES.values():
            after = 0
            while rows := await source.fetch(_HISTORY_PAGE, topic, after, REBUILD_BATCH):
                await floor_apply(floor, [r["payload"] for r in rows], children_sql)
                after = rows[-1]["seq"]
        return time.perf_counter() - started
    finally:
        await source.close()
        await floor.close()


async def rebuild_measure(postgres: EmbeddedPostgres, marked: list[str]) -> None:
    """The read model rebuilt from the services' histories: ``continuum insight rebuild`` against
    the floor of bare read-and-insert of the same rows, in events per second."""
    for name in ("bench_rebuild_history", "bench_rebuild", "bench_rebuild_floor"):
        postgres.create_database(name, drop_first=True)
        migrate(ALEMBIC_INI, postgres.url(name))
    source_dsn = postgres.url("bench_rebuild_history", driver="")
    target_url, target_dsn = postgres.url("bench_rebuild"), postgres.url("bench_rebuild", driver="")
    floor_dsn = postgres.url("bench_rebuild_floor", driver="")
    messages = list(stream(marked, CATCHUP_EVENTS))
    conn = await asyncpg.connect(source_dsn)
    await conn.execute(_HISTORY, [topic for topic, _, _ in messages], [value.decode() for _, _, value in messages])
    await conn.close()
    print(f"rebuild: {len(messages):,} events in the history, pages of {REBUILD_BATCH}")
    ratios: list[float] = []
    rates: dict[str, list[float]] = {"floor": [], "product": []}
    for round_ in range(1, ROUNDS + 1):
        took: dict[str, float] = {}
        for side in sides_in_order(round_):
            dsn = floor_dsn if side == "floor" else target_dsn
            conn = await asyncpg.connect(dsn)
            await conn.execute("SET session_replication_role = replica")  # the audit log refuses TRUNCATE
            await conn.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
            await conn.execute("CHECKPOINT")
            await conn.close()
            seconds = await (
                floor_rebuild(source_dsn, floor_dsn)
                if side == "floor"
                else product_rebuild(postgres.url("bench_rebuild_history"), target_url)
            )
            took[side] = len(messages) / seconds
            rates[side].append(took[side])
        floor_rows, product_rows = await contents(floor_dsn), await contents(target_dsn)
        floor_rows, product_rows = ({k: v for k, v in rows.items() if k in _REBUILT} for rows in (floor_rows, product_rows))
        assert floor_rows == product_rows, f"the floor and the rebuild disagree: {floor_rows} != {product_rows}"
        ratios.append(took["product"] / took["floor"])
        print(f"  round {round_}: rebuild {took['product']:,.0f} events/s, floor {took['floor']:,.0f}/s", flush=True)
    print(
        f"  rebuild {statistics.median(rates['product']):,.0f} events/s, "
        f"floor {statistics.median(rates['floor']):,.0f}/s (medians)"
    )
    summary("insight rebuild", ratios, "rebuild events/s / floor events/s")


# --- the run ------------------------------------------------------------------------------------------


async def run(postgres: EmbeddedPostgres, broker: TansuBroker, work: Path) -> None:
    marked = marked_events()
    print(f"PostgreSQL with fsync=on, synchronous_commit=on; Tansu; {os.cpu_count()} cores")
    if CATCHUP_EVENTS:  # BENCH_CATCHUP_EVENTS=0: the census alone
        await catchup_measure(postgres, broker, marked)
    if CATCHUP_EVENTS:
        await rebuild_measure(postgres, marked)
    await census_measure(postgres, marked, work)


def main() -> int:
    if sys.argv[1:2] == ["--census-once"]:
        url, log = sys.argv[2], Path(sys.argv[3])
        production_logging(log)
        print(json.dumps(asyncio.run(census_once(url))))
        return 0

    def interrupted(signum: int, _: Any) -> None:
        raise SystemExit(128 + signum)

    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, interrupted)
    work = Path(tempfile.mkdtemp(prefix="bench-insight-"))
    postgres = EmbeddedPostgres(work / "pg", free_port(), durable=True)
    broker = TansuBroker(free_port(), log_path=work / "tansu.log")
    try:
        postgres.start()
        broker.start()
        service_log = work / "service.log"
        production_logging(service_log)
        asyncio.run(run(postgres, broker, work))
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
