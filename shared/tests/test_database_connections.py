"""A service's pooled database connections are checked for liveness without a round trip per
checkout (``continuum.persistence.db.make_engine``: no ``pool_pre_ping``). These tests prove that a service
still recovers when the server closes them: after its backends are terminated, and after the
database server restarts, the next requests succeed; none fails.

Each drives a minimal service in the house shape (``build_app``, the unit-of-work dependency, an
audit row written per request) so that they test the kernel, whatever a service's code does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from fastapi import FastAPI, Request
from sqlalchemy import Connection, func, select, text

from continuum.persistence.db import Prebuilt, make_engine
from continuum.persistence.migrations import create_platform_tables_v1
from continuum.settings import ServiceSettings
from continuum.web.http import api_router, unit_of_work
from continuum_tools.devstack import EmbeddedPostgres, free_port
from continuum_tools.testing import TEST_SIGNING_KEY, eventually, minimal_service

DATABASE = "connections_test"
POOL_SIZE = 8  # build_app leaves 4 to the workers: the units of work hold up to 4 between requests

#: The two ways a unit of work uses its connection: through the session (the connection goes back
#: to SQLAlchemy's pool after), or only on the driver (it is held for the next unit of work).
ROUTES = ["/v1/touch", "/v1/touch-driver"]
_BACKEND_PID = Prebuilt(select(func.pg_backend_pid().label("pid")))


def _create_platform_tables(connection: Connection) -> None:
    with Operations.context(MigrationContext.configure(connection)):
        create_platform_tables_v1()


async def _prepare_database(server: EmbeddedPostgres) -> None:
    server.create_database(DATABASE, drop_first=True)
    engine = make_engine(server.url(DATABASE))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_create_platform_tables)
    finally:
        await engine.dispose()


def _service(url: str) -> tuple[FastAPI, str]:
    router = api_router()

    @router.post("/touch")
    async def touch(request: Request) -> dict[str, int]:
        async with unit_of_work(request) as uow:
            pid = (await uow.session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            await uow.audit("connection.touch", subject_type="test", subject_id=pid, purpose="liveness test")
        return {"pid": pid}

    @router.post("/touch-driver")
    async def touch_driver(request: Request) -> dict[str, int]:
        async with unit_of_work(request) as tx:
            pid = (await tx.fetch(_BACKEND_PID))[0].pid
            await tx.audit("connection.touch", subject_type="test", subject_id=pid, purpose="liveness test")
        return {"pid": pid}

    settings = ServiceSettings(
        env="test", jwt_secret=TEST_SIGNING_KEY, database_url=url, database_pool_size=POOL_SIZE, run_workers=False
    )
    return minimal_service(router, settings, name="liveness")


@pytest.fixture
async def client(postgres: EmbeddedPostgres) -> AsyncIterator[httpx.AsyncClient]:
    await _prepare_database(postgres)
    async with _client(postgres) as c:
        yield c


class _client:
    """The minimal service, started (lifespan), behind an in-process HTTP client."""

    def __init__(self, server: EmbeddedPostgres) -> None:
        self.app, token = _service(server.url(DATABASE))
        # A 5xx is a response here, as a caller would see it, not an exception raised into the test.
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
        self.http = httpx.AsyncClient(transport=transport, base_url="http://svc", headers={"Authorization": f"Bearer {token}"})
        self._lifespan: Any = None

    async def __aenter__(self) -> httpx.AsyncClient:
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        return self.http

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()
        await self._lifespan.__aexit__(*exc)


async def _touch_concurrently(client: httpx.AsyncClient, n: int, path: str) -> tuple[list[int], set[int]]:
    """n requests at once; returns their status codes and the backends that served them."""
    responses = await asyncio.gather(*(client.post(path) for _ in range(n)))
    return [r.status_code for r in responses], {r.json()["pid"] for r in responses if r.status_code == 200}


async def _terminate_backends(server: EmbeddedPostgres) -> int:
    """From a superuser connection: end every other backend connected to the test database."""
    conn = await asyncpg.connect(server.url(DATABASE, driver=""))
    try:
        killed = await conn.fetchval(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()) AS t",
            DATABASE,
        )
    finally:
        await conn.close()
    return int(killed)


def _heard_closed(app: Any) -> bool:
    """Every connection the service keeps open between requests (idle in SQLAlchemy's pool, which
    lists them only in its queue's internals, or held by the units of work) knows its socket closed:
    the server's close reached the event loop, as it has long since in production."""
    runtime = app.state.runtime
    idle = [record.driver_connection for record in runtime.engine.sync_engine.pool._pool._queue._queue]
    held = [pooled.driver_connection for pooled, _, _ in runtime.connections._idle] if runtime.connections else []
    kept = [driver for driver in idle + held if driver is not None]
    return bool(kept) and all(driver.is_closed() for driver in kept)


@pytest.mark.parametrize("path", ROUTES)
async def test_a_service_recovers_when_its_pooled_connections_are_terminated(
    client: httpx.AsyncClient, postgres: EmbeddedPostgres, path: str
) -> None:
    codes, before = await _touch_concurrently(client, POOL_SIZE, path)
    assert codes == [200] * POOL_SIZE and before

    assert await _terminate_backends(postgres) >= len(before)
    app: Any = client._transport.app  # type: ignore[attr-defined]
    await eventually(lambda: _heard_closed(app), within=10, what="the service's idle connections known closed")

    # Not one request fails: each closed connection is replaced at checkout, with no round trip.
    first = await client.post(path)
    assert first.status_code == 200, first.text
    codes, after = await _touch_concurrently(client, 2 * POOL_SIZE, path)
    assert codes == [200] * (2 * POOL_SIZE)
    assert not (after | {first.json()["pid"]}) & before, "served by a terminated backend"


@pytest.mark.parametrize("path", ROUTES)
async def test_a_request_on_a_connection_killed_mid_transaction_fails_alone(
    client: httpx.AsyncClient, postgres: EmbeddedPostgres, path: str
) -> None:
    """What pre-ping never covered either: a connection that dies while a request holds it fails
    that request (a problem+json 5xx, nothing half-written); the pool drops it, the next succeeds."""
    assert (await client.post(path)).status_code == 200
    app: Any = client._transport.app  # type: ignore[attr-defined]
    engine = app.state.runtime.engine
    async with engine.connect() as conn:
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        superuser = await asyncpg.connect(postgres.url(DATABASE, driver=""))
        try:
            await superuser.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await superuser.close()
        with pytest.raises(Exception):  # noqa: B017 - SQLAlchemy wraps whatever asyncpg raises
            await conn.execute(text("SELECT 1"))
        assert conn.invalidated
    codes, _ = await _touch_concurrently(client, POOL_SIZE, path)
    assert codes == [200] * POOL_SIZE


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A server of this module's own, to restart without disturbing the session's."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg-restart") / "data", free_port())
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("path", ROUTES)
async def test_a_service_recovers_after_the_database_restarts(own_server: EmbeddedPostgres, tmp_path: Path, path: str) -> None:
    await _prepare_database(own_server)
    async with _client(own_server) as client:
        codes, _ = await _touch_concurrently(client, POOL_SIZE, path)
        assert codes == [200] * POOL_SIZE

        await asyncio.to_thread(own_server.stop)  # a fast shutdown closes every connection
        down = await client.post(path)
        assert down.status_code >= 500  # while the server is down, the service says so (and nothing hangs)
        await asyncio.to_thread(own_server.start)

        first = await client.post(path)
        assert first.status_code == 200, first.text
        codes, _ = await _touch_concurrently(client, 2 * POOL_SIZE, path)
        assert codes == [200] * (2 * POOL_SIZE)


@pytest.mark.parametrize("path", ROUTES)
async def test_a_request_while_the_database_refuses_connections_answers_503_with_retry_after(
    client: httpx.AsyncClient, postgres: EmbeddedPostgres, path: str
) -> None:
    """Not reaching the database is not the caller's fault nor a defect of the request: 503
    ``database-unavailable`` with Retry-After, nothing done; the next request after it returns works."""
    postgres.refuse_connections(DATABASE)  # and ends the sessions the pool holds
    try:
        r = await client.post(path)
        assert (r.status_code, r.headers.get("retry-after")) == (503, "5"), r.text
        assert r.json()["type"].endswith("/database-unavailable")
    finally:
        postgres.allow_connections(DATABASE)
    assert (await client.post(path)).status_code == 200
