"""The unit of work: one transaction per use case, entered once; events take their key and version
from the aggregate they describe."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.contracts import InformationRequested
from continuum.db import outbox
from continuum.uow import UnitOfWork


@dataclass(frozen=True)
class Case:
    id: uuid.UUID
    version: int

    @property
    def subject(self) -> str:
        return str(self.id)


def _event(case: Case) -> InformationRequested:
    return InformationRequested(
        request_id=uuid.uuid4(), referral_id=uuid.uuid4(), case_id=case.id, agency="police", due_at="2030-01-01T00:00:00Z"
    )


async def test_a_unit_of_work_refuses_to_be_entered_twice(kernel_db: async_sessionmaker[AsyncSession]) -> None:
    uow = UnitOfWork(kernel_db, source="kernel-test")
    async with uow:
        with pytest.raises(RuntimeError, match="already open"):
            async with uow:
                pass
    async with uow:  # closed again, it may be used for the next transaction
        pass


async def test_events_are_keyed_by_the_aggregates_subject_and_carry_its_version(
    kernel_db: async_sessionmaker[AsyncSession],
) -> None:
    case = Case(uuid.uuid4(), 7)
    uow = UnitOfWork(kernel_db, source="kernel-test")
    async with uow as tx:
        first, second = await tx.publish_all([_event(case), _event(case)], aggregate=case)
    assert (first.subject, first.aggregate_version) == (str(case.id), 7)
    async with kernel_db() as session:
        rows = (await session.execute(select(outbox.c.key, outbox.c.event_id).order_by(outbox.c.seq))).all()
    assert [(r.key, r.event_id) for r in rows][-2:] == [(str(case.id), first.id), (str(case.id), second.id)]
