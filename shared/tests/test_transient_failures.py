"""Which database failures pause a consumer's partition (``is_transient``) and which are the
event's own fault, with the errors the real driver, pool and server raise: failing to get a
connection at all is never the event's fault; a value that cannot be stored, a broken constraint
or a refused rule still is."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from continuum.casework.errors import Invalid
from continuum.messaging.consumer import _refusal, is_transient
from continuum.persistence.db import DatabaseUnavailable, connect, make_engine, make_session_factory
from continuum.persistence.uow import UnitOfWork
from continuum_tools.devstack import EmbeddedPostgres, free_port
from continuum_tools.testing import eventually


async def _failure_of(work: object) -> BaseException:
    try:
        await work  # type: ignore[misc]
    except Exception as exc:  # noqa: BLE001 - the failure is what is examined
        return exc
    raise AssertionError("no failure")


async def _open(uow: UnitOfWork) -> None:
    async with uow:
        pass


async def test_a_database_that_does_not_allow_connections_is_transient_on_every_path(
    outage_db: async_sessionmaker[AsyncSession], postgres: EmbeddedPostgres
) -> None:
    engine = make_engine(postgres.url("kernel_outage"))
    sessions = make_session_factory(engine)
    postgres.refuse_connections("kernel_outage")
    try:
        refused_uow = await _failure_of(_open(UnitOfWork(sessions, source="kernel-test")))
        refused_raw = await _failure_of(connect(engine))

        async def through_a_session() -> None:
            async with sessions() as session:
                await session.execute(text("SELECT 1"))

        refused_session = await _failure_of(through_a_session())
    finally:
        postgres.allow_connections("kernel_outage")
        await engine.dispose()
    for failure in (refused_uow, refused_raw, refused_session):
        assert isinstance(failure, DatabaseUnavailable), repr(failure)
        assert getattr(failure.orig, "sqlstate", None) == "55000"  # "not currently accepting connections"
        assert is_transient(failure)


async def test_a_dropped_database_a_refused_port_and_a_pool_timeout_are_transient(postgres: EmbeddedPostgres) -> None:
    dropped = make_engine(postgres.url(f"gone_{uuid.uuid4().hex[:8]}"))
    nobody = make_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/postgres")
    small = create_async_engine(postgres.url("postgres"), pool_size=1, max_overflow=0, pool_timeout=0.2)
    try:
        no_database = await _failure_of(connect(dropped))
        refused = await _failure_of(connect(nobody))
        held = await small.raw_connection()
        pool_timeout = await _failure_of(connect(small))
        held.close()
    finally:
        for engine in (dropped, nobody, small):
            await engine.dispose()
    assert getattr(getattr(no_database, "orig", None), "sqlstate", None) == "3D000"
    assert isinstance(refused.__cause__, ConnectionRefusedError)
    for failure in (no_database, refused, pool_timeout):
        assert isinstance(failure, DatabaseUnavailable) and is_transient(failure), repr(failure)


async def test_a_session_terminated_by_an_administrator_mid_work_is_transient(
    kernel_db: async_sessionmaker[AsyncSession], postgres: EmbeddedPostgres
) -> None:
    async def terminated() -> None:
        async with UnitOfWork(kernel_db, source="kernel-test") as uow:
            pid = await uow.session.scalar(text("SELECT pg_backend_pid()"))
            admin = await asyncpg.connect(postgres.url("postgres", driver=""))
            try:
                await admin.execute("SELECT pg_terminate_backend($1)", pid)

                async def ended() -> bool:
                    return not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid)

                await eventually(ended, within=10, what="the terminated backend gone")
            finally:
                await admin.close()
            await uow.session.execute(text("SELECT 1"))

    assert is_transient(await _failure_of(terminated()))


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT CAST('not a number' AS integer)",  # 22P02: a value that cannot be stored
        "SELECT 1 / 0",  # 22012
        "INSERT INTO inbox (consumer, event_id, event_type) VALUES ('c', '00000000-0000-0000-0000-000000000001', 't'), "
        "('c', '00000000-0000-0000-0000-000000000001', 't')",  # 23505: a broken constraint
    ],
)
async def test_data_and_integrity_errors_remain_the_events_fault(
    kernel_db: async_sessionmaker[AsyncSession], statement: str
) -> None:
    async def run() -> None:
        async with UnitOfWork(kernel_db, source="kernel-test") as uow:
            await uow.session.execute(text(statement))

    assert not is_transient(await _failure_of(run()))


def test_a_broken_rule_is_a_refusal_not_a_wait() -> None:
    broken = Invalid("team", "not a team of this council")
    assert _refusal(broken) is not None and not is_transient(broken)
