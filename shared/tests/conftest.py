"""Fixtures for the kernel's contract tests: a database holding only the platform tables."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from continuum.persistence.db import make_engine, make_session_factory
from continuum.persistence.migrations import (
    create_platform_tables_v1,
    create_platform_tables_v2,
    create_platform_tables_v3,
    create_platform_tables_v4,
)
from continuum_tools.devstack import EmbeddedPostgres


def _create_platform_tables(connection: Connection) -> None:
    with Operations.context(MigrationContext.configure(connection)):
        create_platform_tables_v1()
        create_platform_tables_v2()
        create_platform_tables_v3()
        create_platform_tables_v4()


#: Every table a test writes but the append-only audit log.
_TRUNCATE = "TRUNCATE outbox, event_history, inbox, effects, idempotency_keys, relay_lease, relay_offsets, imported_records"


@pytest.fixture(scope="session")
async def kernel_engine(postgres: EmbeddedPostgres) -> AsyncIterator[AsyncEngine]:
    postgres.create_database("kernel_test", drop_first=True)
    engine = make_engine(postgres.url("kernel_test"))
    async with engine.begin() as conn:
        await conn.run_sync(_create_platform_tables)
        await conn.execute(text("CREATE TABLE effects (event_id uuid, subject text, version int, seq bigserial)"))
    yield engine
    await engine.dispose()


@pytest.fixture
async def kernel_db(kernel_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The kernel database, emptied of earlier tests' outbox, history, inbox and effects (the audit log is append-only)."""
    async with kernel_engine.begin() as conn:
        await conn.execute(text(_TRUNCATE))
    return make_session_factory(kernel_engine)


@pytest.fixture(scope="session")
async def outage_engine(postgres: EmbeddedPostgres) -> AsyncIterator[AsyncEngine]:
    """A kernel database of its own for tests that make it refuse connections, so that the one
    the other tests share is never taken away."""
    postgres.create_database("kernel_outage", drop_first=True)
    engine = make_engine(postgres.url("kernel_outage"))
    async with engine.begin() as conn:
        await conn.run_sync(_create_platform_tables)
        await conn.execute(text("CREATE TABLE effects (event_id uuid, subject text, version int, seq bigserial)"))
    yield engine
    await engine.dispose()


@pytest.fixture
async def outage_db(outage_engine: AsyncEngine, postgres: EmbeddedPostgres) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with outage_engine.begin() as conn:
        await conn.execute(text(_TRUNCATE))
    yield make_session_factory(outage_engine)
    postgres.allow_connections("kernel_outage")  # whatever the test did
