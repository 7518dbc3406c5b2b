"""Waiting for something to become true, and proving a request changed nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from continuum_tools.journey.waiting import eventually as eventually  # re-exported


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
