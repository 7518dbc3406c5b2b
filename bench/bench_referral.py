"""Referral intake: ``POST /v1/referrals`` of a new child through the whole service, against its floor.

The floor is the minimal durable write of the rows one intake commits (read from the service's
database after a request): the child, the referral, three outbox events (child.registered,
referral.received, and status.withheld: the bench's children have no NHS number, so the status is
withheld for the partners service's sharing log, decision 56) and two audit rows (child.register, referral.receive). It writes
them in ONE statement per intake (data-modifying CTEs that take the request body as jsonb and build
every row, event payloads included, in the server), with bare asyncpg, at the same concurrency.
Both sides write to one embedded PostgreSQL running with production durability (``fsync=on``,
``synchronous_commit=on``: each commit waits for its WAL on disk), each to its own database
migrated by the service's Alembic history; a CHECKPOINT precedes every timed run.

Two modes, each in rounds in which the floor and the service take turns to go first (``f`` or ``s``
after the round's number). A round's ratio is service throughput / floor throughput; a mode's figure
is the median of its rounds' ratios, with their spread. The service logs at INFO, as in production
(a JSON line per request; to a file in-process, to the server's stdout over loopback), and uvicorn
runs with the image's options.

1. In-process. The service's ASGI app is called directly with a prebuilt scope and body (no HTTP
   client: httpx's ASGI transport costs more per request than the floor's whole write); what that
   caller costs is measured on a trivial ASGI app and printed. The floor calls asyncpg in the same
   process. Both on uvloop, as the service runs in production.
2. Over loopback. The service runs under uvicorn (uvloop, httptools; one process, background
   workers off) in a subprocess; the floor is a tiny HTTP server (uvloop, asyncio streams, asyncpg,
   the same statement) in another, so both pay the same process boundary and HTTP. One load
   generator drives both: CONCURRENCY keep-alive HTTP/1.1 connections writing prebuilt request
   bytes and reading each answer by its Content-Length; its CPU per request is printed (it shares
   the machine's cores with both servers and PostgreSQL, equally per request on both sides).

Request bodies, tokens and request bytes are built before each timed run, on both sides.

    python bench/bench_referral.py              (about 2 minutes on 2 cores)
    python bench/bench_referral.py --profile    (cProfile of the in-process service: CPU per intake)

Each side runs for ``BENCH_SECONDS`` (default 3) per round, ``BENCH_ROUNDS`` (default 5) rounds per mode.
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import asyncpg.connection
import asyncpg.prepared_stmt
import httpx
import uvloop
from common import ROUNDS, log_lines, production_logging, sides_in_order, summary

from continuum.web.auth import mint_dev_token
from continuum_tools.devstack import UVICORN_RUNTIME, EmbeddedPostgres, free_port, migrate, wait_for_port
from referral.app import create_app
from referral.settings import ReferralSettings

CONCURRENCY = 16
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
WARMUP = 300
PATH = "/v1/referrals"
ALEMBIC_INI = Path(__file__).resolve().parents[1] / "services" / "referral" / "alembic.ini"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def referral_body() -> bytes:
    """A referral of a new child (unique LA id and family name, so no possible match)."""
    return json.dumps(
        {
            "child": {
                "la_child_id": f"B{uuid.uuid4().hex[:19]}",  # the census LAchildID: at most 20 letters and digits
                "given_name": "Bench",
                "family_name": f"Child{uuid.uuid4().hex[:16]}",
                "date_of_birth": "2016-03-14",
                "sex": "F",
                "ethnicity": "WBRI",
            },
            "received_at": "2026-11-20T10:00:00Z",
            "source": "6",
            "referrer": {"name": "PC Bench", "agency": "Bench Constabulary"},
            "concerns": "Police attended a domestic incident; the child was present.",
            "lawful_basis": "public_task_safeguarding_children",
            "suggested_threshold": "child_in_need",
            "team": "north",
        }
    ).encode()


# --- the floor: one statement per intake ---------------------------------------------------------

#: Every row one intake of a new child commits, in one statement. The event payloads are built by
#: the server with the envelope's fields, so that they are about the size of the service's.
FLOOR_SQL = """
WITH b AS MATERIALIZED (
    SELECT $1::text::jsonb AS j, gen_random_uuid() AS child_id, gen_random_uuid() AS referral_id,
           gen_random_uuid() AS case_id, gen_random_uuid()::text AS request_id, now() AS at
), child AS (
    INSERT INTO children (id, la_child_id, given_name, family_name, date_of_birth, sex, ethnicity, disabilities,
                          version, created_at, updated_at)
    SELECT child_id, j #>> '{child,la_child_id}', j #>> '{child,given_name}', j #>> '{child,family_name}',
           (j #>> '{child,date_of_birth}')::date, j #>> '{child,sex}', j #>> '{child,ethnicity}', '{NONE}', 1, at, at
    FROM b
), referral AS (
    INSERT INTO referrals (id, case_id, child_id, received_at, source, referrer_name, referrer_agency, concerns,
                           lawful_basis, suggested_threshold, team, re_referral, decision_due_at, status, version, created_by)
    SELECT referral_id, case_id, child_id, (j ->> 'received_at')::timestamptz, j ->> 'source', j #>> '{referrer,name}',
           j #>> '{referrer,agency}', j ->> 'concerns', j ->> 'lawful_basis', j ->> 'suggested_threshold', j ->> 'team',
           false, (j ->> 'received_at')::timestamptz + interval '1 day', 'received', 1, 'bench'
    FROM b
), events AS (
    INSERT INTO outbox (event_id, topic, key, event_type, payload)
    SELECT e.id, e.topic, e.key, e.type, jsonb_build_object(
               'id', e.id, 'type', e.type, 'source', 'referral', 'subject', e.key, 'time', b.at,
               'specversion', '1.0', 'dataschema', 'continuum:' || e.type || '/v1', 'datacontenttype', 'application/json',
               'traceparent', null, 'aggregate_version', e.version, 'data', e.data)
    FROM b, LATERAL (VALUES
        (gen_random_uuid(), 'continuum.referral', b.case_id::text, 'child.registered', 1,
         (b.j -> 'child') || jsonb_build_object('child_id', b.child_id, 'version', 1, 'disabilities', '["NONE"]'::jsonb)),
        (gen_random_uuid(), 'continuum.referral', b.case_id::text, 'referral.received', 1,
         jsonb_build_object('referral_id', b.referral_id, 'case_id', b.case_id, 'child_id', b.child_id,
                            'received_at', b.j -> 'received_at', 'source', b.j -> 'source',
                            'referrer_agency', b.j #> '{referrer,agency}', 'team', b.j -> 'team', 're_referral', false,
                            'suggested_threshold', b.j -> 'suggested_threshold', 'stepped_up_from', null)),
        (gen_random_uuid(), 'continuum.partner-status', b.child_id::text, 'status.withheld', 0,
         jsonb_build_object('child_id', b.child_id, 'status', 'referred', 'since', (b.j ->> 'received_at')::date,
                            'reason', 'no_nhs_number'))
    ) AS e(id, topic, key, type, version, data)
), audit AS (
    INSERT INTO audit_log (actor, actor_roles, action, subject_type, subject_id, purpose, outcome, request_id)
    SELECT 'bench', '{front_door}', a.action, a.subject_type, a.subject_id, a.purpose, 'success', b.request_id
    FROM b, LATERAL (VALUES ('child.register', 'child', b.child_id::text, 'register a child'),
                            ('referral.receive', 'referral', b.referral_id::text, 'receive a referral'))
         AS a(action, subject_type, subject_id, purpose)
)
SELECT referral_id FROM b
"""

#: What one intake must leave in the database (checked on both sides after each mode).
ROWS_PER_INTAKE = {"children": 1, "referrals": 1, "outbox": 3, "audit_log": 2}


def serve_floor(port: int, dsn: str) -> None:
    """The floor over HTTP (mode 2): read a request, run the statement, answer 201 with the id."""

    async def main() -> None:
        pool = await asyncpg.create_pool(dsn, min_size=CONCURRENCY, max_size=CONCURRENCY)

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
                    body = await reader.readexactly(length)
                    referral_id = await pool.fetchval(FLOOR_SQL, body.decode())
                    answer = b'{"id":"%s"}' % str(referral_id).encode()
                    writer.write(
                        b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                        % (len(answer), answer)
                    )
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    uvloop.run(main())


# --- measuring ------------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    latencies: list[float]
    cpu: dict[str, float]  # seconds of CPU per party during the run

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def quantile(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1000

    def cpu_ms(self, party: str) -> str:
        return f"{self.cpu[party] / len(self.latencies) * 1000:5.2f}" if party in self.cpu else "    -"


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def postgres_cpu(data_dir: Path) -> float:
    """CPU seconds so far of the PostgreSQL server and all its processes (the backends stay: pooled)."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    total = process_cpu(postmaster)
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == postmaster:
                    total += (int(stat[11]) + int(stat[12])) / CLOCK_TICKS
            except (OSError, IndexError, ValueError):
                continue
    return total


class CpuMeter:
    """CPU seconds spent by each party (this process, a server process, PostgreSQL) during a block."""

    def __init__(self, pg_data: Path, server_pid: int | None = None, client: str = "bench process") -> None:
        self.pg_data, self.server_pid, self.client = pg_data, server_pid, client

    def read(self) -> dict[str, float]:
        values = {self.client: time.process_time(), "postgres": postgres_cpu(self.pg_data)}
        if self.server_pid is not None:
            values["server"] = process_cpu(self.server_pid)
        return values


async def drive(
    items: Sequence[Any],
    one: Callable[[int, Any], Awaitable[None]],
    meter: CpuMeter | None = None,
    *,
    seconds: float | None = None,
) -> Run:
    """Run ``one(worker, item)`` over ``items`` with CONCURRENCY workers (for at most ``seconds``,
    if given: no new request starts after that); time and meter it."""
    latencies: list[float] = []
    it = iter(items)
    stop_at = float("inf")  # set when the clock starts

    async def worker(w: int) -> None:
        for item in it:
            began = time.perf_counter()
            if began > stop_at:
                return
            await one(w, item)
            latencies.append(time.perf_counter() - began)

    before = meter.read() if meter else {}
    started = time.perf_counter()
    stop_at = started + seconds if seconds is not None else float("inf")
    await asyncio.gather(*(worker(w) for w in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    after = meter.read() if meter else {}
    return Run(elapsed, latencies, {k: after[k] - before[k] for k in before})


@dataclass
class Side:
    """One side of the comparison: how to prepare a request (before timing) and how to send it."""

    prepare: Callable[[], Any]
    one: Callable[[int, Any], Awaitable[None]]
    rate: float = 0.0  # requests per second seen so far: how many to prepare for a timed run
    ready: Callable[[], Awaitable[None]] | None = None  # run before each timed run, untimed

    async def warm_up(self) -> None:
        self.rate = (await drive([self.prepare() for _ in range(WARMUP)], self.one)).throughput

    async def timed(self, meter: CpuMeter, checkpoint: Callable[[], Awaitable[None]]) -> Run:
        """SECONDS of requests, all prepared beforehand (twice as many as the rate so far needs)."""
        items = [self.prepare() for _ in range(int(self.rate * SECONDS * 2) + 100)]
        await checkpoint()
        if self.ready is not None:
            await self.ready()
        run = await drive(items, self.one, meter, seconds=SECONDS)
        self.rate = max(self.rate, run.throughput)
        return run


# --- mode 1: in-process ---------------------------------------------------------------------------


class AsgiCaller:
    """Calls an ASGI app directly: a prebuilt scope, the body in one message, the answer collected.
    No HTTP client in between (httpx's ASGI transport costs more per request than the floor)."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.headers = [
            (b"host", b"referral"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
        ]

    def prepare(self, body: bytes) -> tuple[dict[str, Any], bytes]:
        """Before timing: the scope of one request."""
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": PATH,
            "raw_path": PATH.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [*self.headers, (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 50000),
            "server": ("referral", 80),
        }
        return scope, body

    async def call(self, request: tuple[dict[str, Any], bytes]) -> tuple[int, bytes]:
        scope, body = request
        delivered = False
        answered = asyncio.get_running_loop().create_future()
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await answered  # asked again only to watch for a disconnect: there is none before the answer
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and not answered.done():
                    answered.set_result(None)

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


async def trivial_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Reads the body and answers 201: what the caller alone costs is measured on this."""
    await receive()
    await send({"type": "http.response.start", "status": 201, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"id":"x"}'})


async def caller_cost() -> tuple[float, float]:
    """Seconds of CPU per request, on the trivial app, of this caller and of httpx's ASGI transport."""
    caller = AsgiCaller(trivial_app, "t" * 200)
    requests = [caller.prepare(referral_body()) for _ in range(5000)]

    async def direct(_: int, request: Any) -> None:
        await caller.call(request)

    started = time.process_time()
    await drive(requests, direct)
    ours = (time.process_time() - started) / len(requests)
    bodies = [referral_body() for _ in range(2000)]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=trivial_app), base_url="http://referral") as client:

        async def through_httpx(_: int, body: bytes) -> None:
            await client.post(PATH, content=body, headers={"content-type": "application/json"})

        started = time.process_time()
        await drive(bodies, through_httpx)
    return ours, (time.process_time() - started) / len(bodies)


def service_settings(url: str) -> ReferralSettings:
    return ReferralSettings(database_url=url, run_workers=False, env="dev", database_pool_size=CONCURRENCY, log_level="INFO")


async def in_process(pg: EmbeddedPostgres, checkpoint: Callable[[], Awaitable[None]]) -> list[tuple[Run, Run]]:
    settings = service_settings(pg.url("bench_service"))
    app = create_app(settings)
    caller = AsgiCaller(app, mint_dev_token(settings, sub="bench", roles=["front_door"], teams=["north"]))
    pool = await asyncpg.create_pool(pg.url("bench_floor", driver=""), min_size=CONCURRENCY, max_size=CONCURRENCY)
    assert pool is not None
    meter = CpuMeter(pg.data_dir)

    async def service_one(_: int, request: Any) -> None:
        status, answer = await caller.call(request)
        if status != 201:
            raise RuntimeError(f"the service answered {status}: {answer[:500]!r}")

    async def floor_one(_: int, body: str) -> None:
        await pool.fetchval(FLOOR_SQL, body)

    floor = Side(lambda: referral_body().decode(), floor_one)
    service = Side(lambda: caller.prepare(referral_body()), service_one)
    rounds = []
    try:
        async with app.router.lifespan_context(app):
            await floor.warm_up()
            await service.warm_up()
            for n in range(1, ROUNDS + 1):
                runs = {
                    side: await (floor if side == "floor" else service).timed(meter, checkpoint) for side in sides_in_order(n)
                }
                print_round(n, runs["floor"], runs["product"], ("bench process", "postgres"))
                rounds.append((runs["floor"], runs["product"]))
    finally:
        await pool.close()
    return rounds


# --- mode 2: over loopback ------------------------------------------------------------------------


class LoadGenerator:
    """CONCURRENCY keep-alive HTTP/1.1 connections to one server, writing prebuilt request bytes."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.head = (
            f"POST {PATH} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nauthorization: Bearer {token}\r\n"
            "content-type: application/json\r\n"
        ).encode()
        self.connections: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def open(self) -> None:
        self.connections = [await asyncio.open_connection("127.0.0.1", self.port) for _ in range(CONCURRENCY)]

    async def close(self) -> None:
        for _, writer in self.connections:
            writer.close()

    async def reconnect(self) -> None:
        """Fresh connections before each timed run: a server closes a keep-alive connection left
        idle (uvicorn after 5 s), and with floor and service taking turns to go first a side can wait
        two of the other's runs."""
        await self.close()
        await self.open()

    def prepare(self, body: bytes) -> bytes:
        return self.head + b"content-length: %d\r\n\r\n" % len(body) + body

    async def one(self, worker: int, request: bytes) -> None:
        reader, writer = self.connections[worker]
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
        answer = await reader.readexactly(length)
        if not head.startswith(b"HTTP/1.1 201"):
            raise RuntimeError(f"the server answered {head[:200]!r}: {answer[:500]!r}")


def start_server(command: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, timeout=60)
    except TimeoutError:
        process.kill()
        raise RuntimeError(f"{command[:4]} did not start; see {log}") from None
    return process


async def over_loopback(pg: EmbeddedPostgres, checkpoint: Callable[[], Awaitable[None]], logs: Path) -> list[tuple[Run, Run]]:
    settings = service_settings(pg.url("bench_service"))
    token = mint_dev_token(settings, sub="bench", roles=["front_door"], teams=["north"])
    service_port, floor_port = free_port(), free_port()
    env = os.environ | {
        "CONTINUUM_ENV": "dev",
        "CONTINUUM_DATABASE_URL": settings.database_url,
        "CONTINUUM_DATABASE_POOL_SIZE": str(CONCURRENCY),
        "CONTINUUM_RUN_WORKERS": "false",
        "CONTINUUM_LOG_LEVEL": "INFO",  # production's level: a JSON line per request
    }
    service_cmd = [sys.executable, "-m", "uvicorn", "referral.app:create_app", "--factory", "--host", "127.0.0.1"]
    service_cmd += ["--port", str(service_port), "--no-server-header", *UVICORN_RUNTIME]  # as the image runs it
    floor_cmd = [sys.executable, __file__, "--serve-floor", str(floor_port), pg.url("bench_floor", driver="")]
    service = start_server(service_cmd, env, service_port, logs / "service.log")
    floor = start_server(floor_cmd, env, floor_port, logs / "floor.log")
    generators = {"floor": LoadGenerator(floor_port, token), "service": LoadGenerator(service_port, token)}
    meters = {
        name: CpuMeter(pg.data_dir, process.pid, "load generator") for name, process in (("floor", floor), ("service", service))
    }
    sides = {name: Side(lambda g=g: g.prepare(referral_body()), g.one, ready=g.reconnect) for name, g in generators.items()}
    rounds = []
    try:
        for name, side in sides.items():
            await generators[name].open()
            await side.warm_up()
        for n in range(1, ROUNDS + 1):
            runs = {
                side: await sides[name].timed(meters[name], checkpoint)
                for side in sides_in_order(n)
                for name in ["floor" if side == "floor" else "service"]
            }
            print_round(n, runs["floor"], runs["product"], ("server", "postgres", "load generator"))
            rounds.append((runs["floor"], runs["product"]))
    finally:
        for generator in generators.values():
            await generator.close()
        for process in (service, floor):
            process.terminate()
            process.wait(30)
    return rounds


# --- reporting ------------------------------------------------------------------------------------

PARTY_LABEL = {"bench process": "process", "server": "server", "postgres": "pg", "load generator": "client"}


def print_header(parties: Sequence[str]) -> None:
    cpu = " ".join(f"{PARTY_LABEL[p]:>7}" for p in parties)
    side = f"{'intakes/s':>9} {'p50 ms':>7} {'p95 ms':>7} {cpu}"
    print(f"{'':5} | {'floor':^{len(side)}} | {'service':^{len(side)}} |")
    print(f"{'round':5} | {side} | {side} | ratio")
    print(f"{'':5} | {'CPU ms per intake: ' + ', '.join(PARTY_LABEL[p] for p in parties):>{len(side)}} |")


def print_round(n: int, floor: Run, service: Run, parties: Sequence[str]) -> None:
    def side(run: Run) -> str:
        cpu = " ".join(f"{run.cpu_ms(p):>7}" for p in parties)
        return f"{run.throughput:9.0f} {run.quantile(50):7.1f} {run.quantile(95):7.1f} {cpu}"

    first = "f" if sides_in_order(n)[0] == "floor" else "s"  # who went first: the floor (f) or the service (s)
    print(f"{n:3} {first} | {side(floor)} | {side(service)} | {service.throughput / floor.throughput:5.3f}", flush=True)


def summarise(mode: str, rounds: list[tuple[Run, Run]]) -> float:
    ratios = [s.throughput / f.throughput for f, s in rounds]
    median = statistics.median(ratios)
    summary(f"referral intake, {mode}", ratios, "service / floor intakes per second")
    floor_tp = statistics.median(f.throughput for f, _ in rounds)
    service_tp = statistics.median(s.throughput for _, s in rounds)
    print(
        f"{mode}: median ratio service/floor {median:.3f} of {[round(r, 3) for r in ratios]}; "
        f"median throughput floor {floor_tp:.0f}/s, service {service_tp:.0f}/s; "
        f"latency floor p50 {statistics.median(f.quantile(50) for f, _ in rounds):.1f} ms "
        f"p95 {statistics.median(f.quantile(95) for f, _ in rounds):.1f} ms, "
        f"service p50 {statistics.median(s.quantile(50) for _, s in rounds):.1f} ms "
        f"p95 {statistics.median(s.quantile(95) for _, s in rounds):.1f} ms\n",
        flush=True,
    )
    return median


async def check_rows(pg: EmbeddedPostgres) -> None:
    """Both sides wrote the same rows per intake (the floor is a floor of the same work)."""
    for database in ("bench_service", "bench_floor"):
        conn = await asyncpg.connect(pg.url(database, driver=""))
        try:
            counts = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in ROWS_PER_INTAKE}
        finally:
            await conn.close()
        intakes = counts["referrals"]
        if counts != {t: k * intakes for t, k in ROWS_PER_INTAKE.items()}:
            raise RuntimeError(f"{database}: rows {counts} are not {ROWS_PER_INTAKE} per intake")


# --- the profile ----------------------------------------------------------------------------------

#: Where a function's own time goes, by the file it lives in (first match wins).
AREAS = [
    ("sqlalchemy/orm", "SQLAlchemy ORM (session, unit of work, flush, identity map, loading)"),
    ("sqlalchemy/sql", "SQLAlchemy Core (statement construction, compile, cache keys)"),
    ("sqlalchemy", "SQLAlchemy engine, pool, asyncpg adapter, greenlet bridge"),
    ("greenlet", "SQLAlchemy engine, pool, asyncpg adapter, greenlet bridge"),
    ("asyncpg", "asyncpg (protocol, codecs)"),
    ("fastapi", "FastAPI (routing, dependencies, request body)"),
    ("starlette", "Starlette (ASGI, middleware, responses)"),
    ("pydantic", "pydantic (validation, serialisation)"),
    ("jwt", "JWT"),
    ("/continuum/", "continuum kernel (uow, audit, outbox, envelope, observability)"),
    ("/referral/", "referral service code"),
    ("json", "json (stdlib)"),
    ("uuid", "uuid (stdlib)"),
    ("asyncio", "event loop and tasks"),
    ("uvloop", "event loop and tasks"),
    ("logging", "logging"),
]


def area(filename: str, name: str) -> str:
    where = filename if filename != "~" else name  # C functions: "<method 'switch' of 'greenlet...'>"
    for needle, label in AREAS:
        if needle in where:
            return label
    return "other (builtins, stdlib)"


def statement_kind(sql: str) -> str:
    """A statement, shortened to what it does: ``INSERT INTO children``, ``SELECT ... FROM referrals``."""
    words = " ".join(sql.split())
    verb = words.split(" ", 1)[0].upper()
    if verb == "WITH":  # data-modifying CTEs: the tables the statement writes
        written = re.findall(r"(?:INSERT INTO|UPDATE|DELETE FROM) (\w+)", words, flags=re.IGNORECASE)
        return "one statement writing " + ", ".join(written) if written else words[:60]
    if verb in ("INSERT", "DELETE"):
        return " ".join(words.split(" ", 3)[:3])
    if verb == "UPDATE":
        return " ".join(words.split(" ", 2)[:2])
    table = words.split(" FROM ", 1)[1].split(" ", 1)[0] if " FROM " in words else ""
    return f"{verb} ... FROM {table}" if table else words[:60]


@contextmanager
def counting_round_trips(counts: dict[str, int]) -> Iterator[None]:
    """Count every statement sent to PostgreSQL, by kind, at the driver (asyncpg): the service's
    own statements on the driver connection, SQLAlchemy's (prepared statements), BEGIN and COMMIT.
    Each is one round trip (the statement caches are warm)."""
    originals: list[tuple[Any, str, Any]] = []

    def wrap(owner: Any, name: str, query_of: Callable[..., str | None]) -> None:
        original = getattr(owner, name)

        async def counted(*args: Any, **kwargs: Any) -> Any:
            query = query_of(*args, **kwargs)
            if query is not None:
                counts[statement_kind(query)] += 1
            return await original(*args, **kwargs)

        originals.append((owner, name, original))
        setattr(owner, name, counted)

    # execute() without arguments is the simple protocol; with them it goes through _execute.
    wrap(asyncpg.connection.Connection, "execute", lambda conn, query, *args, **kw: None if args else query)
    wrap(asyncpg.connection.Connection, "_execute", lambda conn, query, *args, **kw: query)
    wrap(asyncpg.connection.Connection, "_executemany", lambda conn, query, *args, **kw: query)
    wrap(asyncpg.prepared_stmt.PreparedStatement, "_PreparedStatement__do_execute", lambda stmt, *a, **kw: stmt.get_query())
    try:
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


async def profile(pg: EmbeddedPostgres, n: int = 1000) -> None:
    """The in-process service over n intakes, after a warm-up: its round trips to the database per
    intake, its CPU per intake, and cProfile's view of where that CPU goes (own time by area and the
    top functions; cumulative times are not shown: cProfile counts a coroutine's and a greenlet's
    waits in them)."""
    settings = service_settings(pg.url("bench_service"))
    app = create_app(settings)
    caller = AsgiCaller(app, mint_dev_token(settings, sub="bench", roles=["front_door"], teams=["north"]))
    counts: dict[str, int] = defaultdict(int)

    async def one(_: int, request: Any) -> None:
        status, answer = await caller.call(request)
        if status != 201:
            raise RuntimeError(answer[:500])

    async with app.router.lifespan_context(app):
        await drive([caller.prepare(referral_body()) for _ in range(WARMUP)], one)
        requests = [caller.prepare(referral_body()) for _ in range(n)]
        with counting_round_trips(counts):
            await drive(requests, one)
        requests = [caller.prepare(referral_body()) for _ in range(n)]
        started = time.process_time()
        await drive(requests, one)
        unprofiled = (time.process_time() - started) / n
        requests = [caller.prepare(referral_body()) for _ in range(n)]
        profiler = cProfile.Profile()
        profiler.enable()
        await drive(requests, one)
        profiler.disable()
    print(f"Round trips to PostgreSQL per intake: {sum(counts.values()) / n:.1f}")
    for kind, k in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {k / n:4.1f}  {kind}")
    stats = pstats.Stats(profiler)
    by_area: dict[str, float] = defaultdict(float)
    raw: Any = stats.stats  # type: ignore[attr-defined]
    total = sum(tottime for (_cc, _nc, tottime, _ct, _callers) in raw.values())
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        by_area[area(filename, name)] += tottime
    print(f"\nCPU per intake, in-process, unprofiled: {unprofiled * 1000:.2f} ms (this process: the service and its caller)")
    print("Own time by area (cProfile's shares, scaled to the unprofiled CPU per intake):")
    for label, seconds in sorted(by_area.items(), key=lambda kv: -kv[1]):
        print(f"  {seconds / total * 100:5.1f}%  {seconds / total * unprofiled * 1e6:5.0f} µs  {label}")
    print("\nTop 30 functions by own time (scaled µs per intake, calls per intake):")
    rows = sorted(raw.items(), key=lambda kv: -kv[1][2])[:30]
    for (filename, line, name), (_cc, ncalls, tottime, _ct, _callers) in rows:
        where = f"{Path(filename).parent.name}/{Path(filename).name}:{line} {name}" if filename != "~" else name
        print(f"  {tottime / total * unprofiled * 1e6:5.0f} µs  {ncalls / n:5.1f}  {where[:110]}")


# --- main -----------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    work = Path(__file__).resolve().parents[1] / ".continuum"
    work.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        # The data folder on the project's disk, not a RAM-backed /tmp: fsync must mean something.
        pg = EmbeddedPostgres(Path(tmp) / "pg", free_port(), durable=True)
        pg.start()
        try:
            for db in ("bench_service", "bench_floor"):
                pg.create_database(db, drop_first=True)
                migrate(ALEMBIC_INI, pg.url(db))
            logs = Path(tmp) / "logs"
            logs.mkdir()
            # The in-process service logs at INFO, as in production, to a file (this process's stdout is the report).
            production_logging(logs / "in-process.log")
            return uvloop.run(run(pg, logs, profiling="--profile" in argv))
        finally:
            pg.stop()


async def run(pg: EmbeddedPostgres, logs: Path, *, profiling: bool) -> int:
    admin = await asyncpg.connect(pg.url("postgres", driver=""))
    try:
        rows = await admin.fetch("SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit')")
        durability = {row["name"]: row["setting"] for row in rows}
        if durability != {"fsync": "on", "synchronous_commit": "on"}:
            raise RuntimeError(f"the benchmark needs production durability, got {durability}")

        async def checkpoint() -> None:
            await admin.execute("CHECKPOINT")

        if profiling:
            await profile(pg)
            return 0
        print(
            f"referral intake (a new child): {SECONDS:g} s per side per round at concurrency {CONCURRENCY}, "
            f"{ROUNDS} rounds alternating floor and service;\nembedded PostgreSQL with fsync=on, "
            f"synchronous_commit=on; the floor writes the same {sum(ROWS_PER_INTAKE.values())} rows in one statement per intake\n"
        )
        ours, theirs = await caller_cost()
        print(
            "mode 1, in-process (uvloop): the ASGI app called directly; the caller itself costs "
            f"{ours * 1e6:.0f} µs of CPU per request on a trivial app\n(included on the service side; "
            f"httpx's ASGI transport, used before, costs {theirs * 1e6:.0f} µs)"
        )
        print_header(("bench process", "postgres"))
        in_process_ratio = summarise("in-process", await in_process(pg, checkpoint))
        print(
            "mode 2, over loopback: service under uvicorn (uvloop, httptools, 1 process, workers off) "
            "and the floor's HTTP server, each in its own process"
        )
        print_header(("server", "postgres", "load generator"))
        loopback_ratio = summarise("over loopback", await over_loopback(pg, checkpoint, logs))
        await check_rows(pg)
        lines = {name: log_lines(logs / f"{name}.log") for name in ("in-process", "service")}
        print(f"the service logged at INFO: {lines['in-process']:,} lines in-process, {lines['service']:,} over loopback")
        print(
            f"ratio service/floor (median of {ROUNDS} alternating rounds): in-process {in_process_ratio:.3f}, "
            f"over loopback {loopback_ratio:.3f} (the target is at least 0.5)"
        )
        return 0
    finally:
        await admin.close()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-floor":
        serve_floor(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(main(sys.argv[1:]))
