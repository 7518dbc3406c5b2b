"""Waiting for something to become true, and proving a request changed nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any


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
