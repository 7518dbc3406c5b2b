"""One scheduler for every periodic worker: batches, a unit of work each, until one comes back
short; supervised, so a failed tick is retried and ``stop`` ends it."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.messaging.scheduler import Scheduler, Tally
from continuum.persistence.uow import UnitOfWork
from continuum_tools.testing import eventually


class Work:
    """``rows`` due, taken ``batch_size`` at a time; each unit of work the batches were given."""

    def __init__(self, rows: int, *, fail_first: bool = False) -> None:
        self.rows = rows
        self.fail_first = fail_first
        self.units: list[UnitOfWork] = []

    async def batch(self, uow: UnitOfWork, batch_size: int) -> int:
        if self.fail_first:
            self.fail_first = False
            raise ConnectionError("the database is restarting")
        self.units.append(uow)
        async with uow:
            taken = min(batch_size, self.rows)
        self.rows -= taken
        return taken


async def test_a_tick_runs_batches_until_one_is_short_each_in_its_own_unit_of_work(
    kernel_db: async_sessionmaker[AsyncSession],
) -> None:
    work = Work(7)
    scheduler = Scheduler("test-work", work.batch, kernel_db, source="kernel-test", batch_size=3, log_message="work done")
    assert await scheduler.tick() == 7
    assert len(work.units) == 3 and len(set(map(id, work.units))) == 3
    assert all(u.source == "kernel-test" for u in work.units)
    assert await scheduler.tick() == 0  # nothing left: one short batch


async def test_a_batch_may_count_other_than_what_it_took(kernel_db: async_sessionmaker[AsyncSession]) -> None:
    taken = iter([2, 2, 1])

    async def findings(uow: UnitOfWork, batch_size: int) -> Tally:
        return Tally(taken=next(taken), counted=1)

    scheduler = Scheduler("test-find", findings, kernel_db, source="kernel-test", batch_size=2, log_message="found")
    assert await scheduler.tick() == 3


async def test_run_ticks_every_interval_outlives_a_failure_and_stops(kernel_db: async_sessionmaker[AsyncSession]) -> None:
    work = Work(5, fail_first=True)
    scheduler = Scheduler(
        "test-run", work.batch, kernel_db, source="kernel-test", interval=0.05, batch_size=2, log_message="work"
    )
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run(stop))
    await eventually(lambda: work.rows == 0)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
