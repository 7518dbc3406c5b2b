"""Fixtures for the kernel's contract tests: a database holding only the platform tables."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from continuum.db import make_engine, make_session_factory
from continuum.devstack import EmbeddedPostgres
from continuum.migration_ops import create_platform_tables_v1, create_platform_tables_v2


def _create_platform_tables(connection: Connection) -> None:
    with Operations.context(MigrationContext.configure(connection)):
        create_platform_tables_v1()
        create_platform_tables_v2()


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
    """The kernel database, emptied of earlier tests' outbox, inbox and effects (the audit log is append-only)."""
    async with kernel_engine.begin() as conn:
        await conn.execute(text("TRUNCATE outbox, inbox, effects, idempotency_keys, relay_lease, relay_offsets"))
    return make_session_factory(kernel_engine)
