"""Pytest fixtures for every service's tests: the embedded PostgreSQL server and Tansu broker,
started once per test session, a migrated database per service, and helpers to read topics.

Loaded by the root ``conftest.py`` (``pytest_plugins = ["continuum_tools.testing"]``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlalchemy.engine import make_url

from continuum.casework.policy import load_policy
from continuum.casework.principal import Role
from continuum.contracts import ALL_TOPICS, Envelope, parse_event
from continuum.messaging.kafka import ensure_topics
from continuum.settings import ServiceSettings
from continuum.web.app import build_app
from continuum.web.auth import mint_dev_token
from continuum.web.permissions import PermissionTable, api_operations, grant
from continuum_tools.devstack import EmbeddedPostgres, TansuBroker, free_port, migrate

#: Every log line of the test session, as written, for the no-personal-data check.
SESSION_LOG = Path(".continuum") / "test-session.log"

#: Names and dates of birth the tests put into children's records (see ``remember_personal_data``).
PERSONAL_DATA: set[str] = set()


def remember_personal_data(*values: str) -> None:
    """Tests call this with each name and date of birth they send, so the log check can look for them."""
    PERSONAL_DATA.update(v for v in values if v)


@pytest.fixture(scope="session", autouse=True)
def session_log() -> Iterator[Path]:
    from continuum.observability import configure_logging

    configure_logging("DEBUG")
    SESSION_LOG.parent.mkdir(exist_ok=True)
    handler = logging.FileHandler(SESSION_LOG, mode="w")
    handler.setFormatter(logging.getLogger().handlers[0].formatter)
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    yield SESSION_LOG
    logging.getLogger().removeHandler(handler)
    handler.close()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data", free_port())
    server.start()
    yield server
    server.stop()


def start_broker(log_dir: Path) -> TansuBroker:
    broker = TansuBroker(free_port(), log_path=log_dir / "tansu.log")
    broker.start()
    asyncio.run(ensure_topics(test_settings(broker.bootstrap), ALL_TOPICS))
    return broker


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    b = start_broker(tmp_path_factory.mktemp("tansu"))
    yield b
    b.stop()


#: The tests' own signing key: outside dev the settings refuse the development key.
TEST_SIGNING_KEY = "continuum-test-signing-key-for-the-test-suite-only"


def test_settings(bootstrap: str, **overrides: Any) -> ServiceSettings:
    values: dict[str, Any] = {
        "env": "test",
        "jwt_secret": TEST_SIGNING_KEY,
        "kafka_bootstrap": bootstrap,
        "kafka_idempotence": False,
        "outbox_poll_interval_seconds": 0.05,
        # Tansu holds a new group member for the rebalance timeout and a departed one for the
        # session timeout; short ones keep the tests quick.
        "kafka_session_timeout_ms": 3000,
        "kafka_rebalance_timeout_ms": 500,
    }
    return ServiceSettings(**(values | overrides))


test_settings.__test__ = False  # type: ignore[attr-defined]  # not a test, despite the name


@pytest.fixture(scope="session")
def make_database(postgres: EmbeddedPostgres) -> Callable[[str, Path], str]:
    """Create (afresh) a service database laid out as in production: owned by the role
    ``<name>_owner``, which runs the service's Alembic migrations, and returns the URL of the
    runtime role ``<name>``, the one the service runs as (it cannot alter or erase the audit log).
    :func:`owner_url` turns that URL into the owner's."""

    def make(name: str, alembic_ini: Path) -> str:
        roles = postgres.create_service_database(name, drop_first=True)
        migrate(alembic_ini, postgres.url(name, user=roles.owner), runtime_role=roles.runtime)
        return postgres.url(name, user=roles.runtime)

    return make


def owner_url(url: str) -> str:
    """The owner (migration) role's URL for a runtime URL from ``make_database``: for a test that
    must do what the service may not, such as proving the audit log's trigger holds for the owner."""
    parsed = make_url(url)
    return parsed.set(username=f"{parsed.username}_owner").render_as_string(hide_password=False)


async def read_events(
    bootstrap: str,
    topic: str,
    *,
    match: Callable[[Envelope[Any]], bool],
    count: int,
    timeout: float = 10.0,
    settle: float = 0.0,
) -> list[Envelope[Any]]:
    """Read ``topic`` from the beginning until ``count`` matching events arrived (or the timeout),
    then, if ``settle`` is set, keep reading that long to catch any extra (duplicate) ones."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in await _partitions(consumer, topic)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        found: list[Envelope[Any]] = []
        deadline = time.monotonic() + timeout
        settle_until: float | None = None
        while time.monotonic() < (settle_until or deadline):
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    try:
                        event = parse_event(record.value or b"")
                    except ValueError:
                        continue
                    if match(event):
                        found.append(event)
            if len(found) >= count and settle_until is None:
                if not settle:
                    break
                settle_until = time.monotonic() + settle
        return found
    finally:
        await consumer.stop()


async def send_events(bootstrap: str, topic: str, *messages: Envelope[Any] | tuple[str, bytes], key: str | None = None) -> None:
    """Send events (keyed by their subject, or ``key``), or raw ``(key, bytes)`` messages, to
    ``topic``, acknowledged by every replica: as the producing service's relay would."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for m in messages:
            k, value = (key or m.subject, json.dumps(m.to_json_dict()).encode()) if isinstance(m, Envelope) else m
            await producer.send_and_wait(topic, value, key=k.encode())
    finally:
        await producer.stop()


async def read_raw(bootstrap: str, topic: str, *, timeout: float = 5.0) -> list[Any]:
    """Every record on ``topic`` (all partitions) as aiokafka ``ConsumerRecord``s."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in await _partitions(consumer, topic)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        records: list[Any] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            positions = [await consumer.position(tp) for tp in tps]
            if all(pos >= ends[tp] for pos, tp in zip(positions, tps, strict=True)):
                break
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    """The topic's partitions, waiting for metadata (a fresh client knows none yet)."""
    for _ in range(50):
        partitions = consumer.partitions_for_topic(topic)
        if partitions:
            return set(partitions)
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no partitions for {topic}")


def minimal_service(router: APIRouter, settings: ServiceSettings, *, name: str) -> tuple[FastAPI, str]:
    """A service in the house shape around ``router``, for the kernel's own tests (``build_app``,
    every route granted to admins, the council policy), and an admin's token for it."""
    operations = {route.name: grant(Role.ADMIN) for route in router.routes if isinstance(route, APIRoute)}
    app = build_app(
        settings=settings,
        title=name,
        description="a minimal service",
        routers=[router],
        permissions=PermissionTable(name, operations),
        policy=load_policy(settings.policy_file),
    )
    return app, mint_dev_token(settings, sub="tester", roles=["admin"])


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def la_child_id() -> str:
    """A fresh LA child id as the census takes it: letters and digits, at most 20 (rules 1570, 1580)."""
    return f"LA{uuid.uuid4().hex[:16].upper()}"


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, default=str).encode()


def fuzz_api(app: str, database_url: str, token: str, *, max_examples: int = 25, seed: int = 1) -> tuple[int, str]:
    """Run schemathesis over a service's OpenAPI schema, against the service under uvicorn (its
    workers off), checking only that nothing answers a 5xx. Returns (exit code, report).
    ``token`` must be signed with :data:`TEST_SIGNING_KEY`."""
    import os
    import subprocess
    import sys

    from continuum_tools.devstack import UVICORN_RUNTIME, wait_for_port

    port = free_port()
    env = os.environ | {
        "CONTINUUM_DATABASE_URL": database_url,
        "CONTINUUM_RUN_WORKERS": "false",
        "CONTINUUM_ENV": "test",
        "CONTINUUM_JWT_SECRET": TEST_SIGNING_KEY,
    }
    serve = [sys.executable, "-m", "uvicorn", app, "--factory", "--port", str(port), "--no-access-log", "--no-server-header"]
    server = subprocess.Popen(
        [*serve, *UVICORN_RUNTIME],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, timeout=30)
        schemathesis = Path(sys.executable).with_name("schemathesis")
        command = [str(schemathesis), "run", f"http://127.0.0.1:{port}/openapi.json", "-H", f"Authorization: Bearer {token}"]
        command += ["--checks", "not_a_server_error", "--max-examples", str(max_examples), "--seed", str(seed)]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=600,
        )
        return result.returncode, result.stdout + result.stderr
    finally:
        server.terminate()
        server.wait(30)


# --- the permission walk ----------------------------------------------------------------------------


#: Every role a token may hold, and ``None`` for a token that holds none.
ROLES_TO_WALK: list[str | None] = [*(r.value for r in Role), None]


async def call_operation(app: Any, settings: ServiceSettings, operation: str, role: str | None) -> Any:
    """Call ``operation`` of ``app`` (its OpenAPI operationId) as a user of team north holding only
    ``role`` (and the social-work qualification, so that only the role decides), with random ids in
    the path and an empty body: enough for the permission check, which runs before anything else.
    Returns the response; its ``X-Request-ID`` names the audit rows it wrote."""
    method, template = api_operations(app)[operation]
    path = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), template)
    token = mint_dev_token(settings, sub=unique("walker"), roles=[role] if role else [], teams=["north"], sw_qualified=True)
    headers = {"Authorization": f"Bearer {token}", "X-Request-ID": str(uuid.uuid4()), "If-Match": '"1"'}
    body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") else None
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://walk") as client:
        return await client.request(method, path, json=body, headers=headers)


# --- assertions every service's tests use -------------------------------------------------------------


class ServiceCases:
    """Direct access to a running service app's database and its first consumer (no broker), for
    a service's tests: hand it events as the runner would, read rows, read its outbox. A service's
    ``Cases`` adds the helpers that build its own records."""

    def __init__(self, app: Any, settings: ServiceSettings) -> None:
        self.app = app
        self.settings = settings

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    @property
    def consumer(self) -> Any:
        """The service's (first) event consumer, a ``continuum.messaging.consumer.EventConsumer``."""
        return self.runtime.consumers[0]

    async def deliver(self, event: Envelope[Any]) -> str:
        """Hand an event to the consumer exactly as it would after reading it from Kafka."""
        outcome: str = await self.consumer.handle(event, self.consumer.handlers[event.type])
        return outcome

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.runtime.session_factory() as session:
            return (await session.execute(text(sql), params)).scalar()

    async def row(self, sql: str, **params: Any) -> dict[str, Any] | None:
        async with self.runtime.session_factory() as session:
            found = (await session.execute(text(sql), params)).mappings().first()
            return dict(found) if found else None

    async def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        async with self.runtime.session_factory() as session:
            return [dict(r) for r in (await session.execute(text(sql), params)).mappings()]

    async def execute(self, sql: str, **params: Any) -> None:
        async with self.runtime.session_factory() as session, session.begin():
            await session.execute(text(sql), params)

    async def events(self, case_id: Any, event_type: str | None = None) -> list[dict[str, Any]]:
        """The outbox rows written for a case (optionally of one type), oldest first."""
        sql = "SELECT event_type, payload FROM outbox WHERE key = :k"
        if event_type:
            sql += " AND event_type = :t"
        return await self.rows(sql + " ORDER BY seq", k=str(case_id), t=event_type)


def undescribed_fields(app: Any) -> list[str]:
    """The ``Schema.field`` of every field in the app's OpenAPI document without a description
    (an integrator generating a client reads them as its documentation)."""
    components: dict[str, Any] = app.openapi()["components"]["schemas"]
    return [
        f"{name}.{field}"
        for name, schema in components.items()
        for field, spec in schema.get("properties", {}).items()
        if not spec.get("description")
    ]


def bodies_without_examples(app: Any) -> list[str]:
    """The schemas of request bodies and successful answers in the app's OpenAPI document that
    carry no example; a page's examples are its items'."""
    document = app.openapi()
    components: dict[str, Any] = document["components"]["schemas"]

    def named(content: dict[str, Any]) -> str | None:
        ref = content.get("application/json", {}).get("schema", {}).get("$ref")
        return ref.rsplit("/", 1)[1] if ref else None

    names: set[str | None] = set()
    for method, path in api_operations(app).values():
        operation = document["paths"][path][method.lower()]
        names.add(named(operation.get("requestBody", {}).get("content", {})))
        names |= {named(answer.get("content", {})) for code, answer in operation["responses"].items() if code.startswith("2")}
    found = {n for n in names if n}
    pages = {n for n in found if n.startswith("Page_")}
    found |= {components[p]["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[1] for p in pages}
    return sorted(n for n in found - pages if not components[n].get("examples"))


def assert_problem(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    """The answer is RFC 9457 problem+json with ``status``; when ``field`` is given, its errors name it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    return body


async def eventually(check: Callable[[], Any], *, within: float = 10.0, interval: float = 0.05, what: str | None = None) -> Any:
    """Poll ``check`` (sync or async) until it returns something truthy; fail after ``within``
    seconds, saying ``what`` was awaited."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what or check}: not true after {within}s")
        await asyncio.sleep(interval)


async def table_counts(dsn: str, tables: Sequence[str]) -> dict[str, int]:
    """How many rows each of ``tables`` holds now (a snapshot for "changes nothing" checks)."""
    import asyncpg

    conn = await asyncpg.connect(dsn.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return {table: int(await conn.fetchval(f'SELECT count(*) FROM "{table}"')) for table in tables}
    finally:
        await conn.close()


@asynccontextmanager
async def changes_nothing(dsn: str, tables: Sequence[str]) -> AsyncIterator[None]:
    """Asserts that the block leaves the row counts of ``tables`` as they were."""
    before = await table_counts(dsn, tables)
    yield
    assert await table_counts(dsn, tables) == before


# --- faults ----------------------------------------------------------------------------------------


class TcpProxy:
    """A TCP proxy on 127.0.0.1 in front of ``target_port``, for fault tests: ``cut()`` drops every
    connection and refuses new ones (a database or broker that went away), ``restore()`` lets them
    through again."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers.difference_update((writer, up_writer))

    async def cut(self) -> None:
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def restore(self) -> None:
        await self.start()
