"""Connections the units of work hold between uses (``continuum.persistence.db.HeldConnections``): reused
without going through SQLAlchemy's pool, never more than ``keep``, handed back to the pool when
idle, old, closed by the server, or used by a session, and all of them at shutdown."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from continuum.persistence.db import HeldConnections, Prebuilt
from continuum.persistence.uow import UnitOfWork
from continuum_tools.devstack import EmbeddedPostgres
from continuum_tools.testing import eventually

_PID = Prebuilt(select(func.pg_backend_pid().label("pid")))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _pid(kernel_db: async_sessionmaker[AsyncSession], held: HeldConnections, *, session: bool = False) -> int:
    async with UnitOfWork(kernel_db, source="kernel-test", connections=held) as tx:
        if session:
            return int((await tx.session.execute(text("SELECT pg_backend_pid()"))).scalar_one())
        return int((await tx.fetch(_PID))[0].pid)


def _checked_out(engine: AsyncEngine) -> int:
    return engine.sync_engine.pool.checkedout()  # type: ignore[attr-defined,no-any-return]


async def test_a_held_connection_serves_the_next_unit_of_work(
    kernel_engine: AsyncEngine, kernel_db: async_sessionmaker[AsyncSession]
) -> None:
    held = HeldConnections(kernel_engine, keep=2)
    before = _checked_out(kernel_engine)
    first = await _pid(kernel_db, held)
    assert held.held == 1 and _checked_out(kernel_engine) == before + 1  # kept checked out, for the next
    assert await _pid(kernel_db, held) == first
    await held.close()
    assert held.held == 0 and _checked_out(kernel_engine) == before
    await _pid(kernel_db, held)  # after close, units of work still run: their connections go back to the pool
    assert held.held == 0 and _checked_out(kernel_engine) == before


async def test_no_more_than_keep_are_held(kernel_engine: AsyncEngine, kernel_db: async_sessionmaker[AsyncSession]) -> None:
    held = HeldConnections(kernel_engine, keep=2)
    before = _checked_out(kernel_engine)

    async def slow() -> None:
        async with UnitOfWork(kernel_db, source="kernel-test", connections=held) as tx:
            await tx.fetch(Prebuilt(select(func.pg_sleep(0.05))))

    await asyncio.gather(*(slow() for _ in range(5)))
    assert held.held == 2 and _checked_out(kernel_engine) == before + 2
    await held.close()


async def test_a_unit_of_work_that_used_the_session_gives_its_connection_back_to_the_pool(
    kernel_engine: AsyncEngine, kernel_db: async_sessionmaker[AsyncSession]
) -> None:
    held = HeldConnections(kernel_engine, keep=2)
    before = _checked_out(kernel_engine)
    await _pid(kernel_db, held, session=True)
    assert held.held == 0 and _checked_out(kernel_engine) == before
    await held.close()


async def test_an_idle_or_old_connection_goes_back_to_the_pool(
    kernel_engine: AsyncEngine, kernel_db: async_sessionmaker[AsyncSession]
) -> None:
    clock = Clock()
    held = HeldConnections(kernel_engine, keep=2, idle_seconds=2.0, max_age=60.0, clock=clock)
    before = _checked_out(kernel_engine)
    first = await _pid(kernel_db, held)
    clock.now += 30
    assert await _pid(kernel_db, held) == first  # 30 s old: still taken
    clock.now += 31
    # 61 s since its checkout: back to the pool at the next take (the pool hands out a connection again).
    await _pid(kernel_db, held)
    assert held.held == 1 and _checked_out(kernel_engine) == before + 1

    # One idle for idle_seconds goes back to the pool when the next unit of work returns its own.
    async with UnitOfWork(kernel_db, source="kernel-test", connections=held) as tx:
        assert held.held == 0
        async with UnitOfWork(kernel_db, source="kernel-test", connections=held) as other:
            await other.fetch(_PID)
        assert held.held == 1  # the other's, held
        clock.now += 3
        await tx.fetch(_PID)
    assert held.held == 1  # this one's held; the other's, idle 3 s, went back
    assert _checked_out(kernel_engine) == before + 1
    await held.close()


async def test_a_held_connection_the_server_closed_is_not_used(
    kernel_engine: AsyncEngine, kernel_db: async_sessionmaker[AsyncSession], postgres: EmbeddedPostgres
) -> None:
    held = HeldConnections(kernel_engine, keep=2)
    first = await _pid(kernel_db, held)
    admin = await asyncpg.connect(postgres.url("kernel_test", driver=""))
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", first)
    finally:
        await admin.close()

    def heard_closed() -> bool:  # the socket's close reached the event loop: the driver knows
        return bool(held._idle) and all(pooled.driver_connection.is_closed() for pooled, _, _ in held._idle)

    await eventually(heard_closed, within=10, what="the held connection known closed")
    assert await _pid(kernel_db, held) != first  # not one unit of work fails
    await held.close()
