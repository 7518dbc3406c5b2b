"""The child copy step: the copy is kept (an older version changes nothing) and, when it gains an
NHS number or holds another one, the statuses the service owns for the child go to partners keyed
by that number."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase

from continuum.casework.partners import number_to_announce
from continuum.contracts import ChildRegistered, ChildUpdated, EventData, PartnerStatus, StatusChanged
from continuum.contracts.codes import Disability, Ethnicity, Sex
from continuum.persistence.child_copy import ChildCopy, keep_child_copies, keep_child_copy
from continuum.persistence.db import audit_log
from continuum.persistence.uow import Transaction, UnitOfWork


class _Base(DeclarativeBase):
    pass


class Child(ChildCopy, _Base):
    __tablename__ = "keep_copy_children"


@pytest.fixture
async def children(kernel_engine: AsyncEngine, kernel_db: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    async with kernel_engine.begin() as conn:
        await conn.run_sync(_Base.metadata.create_all)
    return kernel_db


def _child(child_id: uuid.UUID, version: int, nhs_number: str | None, *, updated: bool = True) -> ChildRegistered | ChildUpdated:
    kind = ChildUpdated if updated else ChildRegistered
    return kind(
        child_id=child_id,
        la_child_id="LA-1",
        given_name="Given",
        family_name="Family",
        date_of_birth=date(2016, 3, 14),
        expected_date_of_birth=None,
        sex=Sex.FEMALE,
        ethnicity=Ethnicity.WHITE_BRITISH,
        disabilities=[Disability.NONE],
        upn=None,
        nhs_number=nhs_number,
        postcode=None,
        version=version,
    )


class Statuses:
    """A service's statuses for the child: one, announced under whatever number the copy holds."""

    def __init__(self) -> None:
        self.asked: list[tuple[str | None, str | None]] = []

    async def announce(self, tx: Transaction, copy: Child, before: str | None) -> Sequence[EventData]:
        self.asked.append((before, copy.nhs_number))
        assert copy.nhs_number is not None
        return [
            StatusChanged(
                nhs_number=copy.nhs_number,
                date_of_birth=copy.date_of_birth,
                status=PartnerStatus.ASSESSMENT,
                since=date(2026, 1, 1),
                responsible_service="Children's services",
                contact="0300 000 0000",
            )
        ]


async def _keep(db: async_sessionmaker[AsyncSession], data: ChildRegistered | ChildUpdated, statuses: Statuses) -> list[str]:
    async with UnitOfWork(db, source="kernel-test") as tx:
        await keep_child_copy(tx, Child, data, announce=statuses.announce)
    return [e.subject for e in tx.published]


async def test_statuses_wait_for_the_nhs_number_and_go_again_under_a_new_one(children: async_sessionmaker[AsyncSession]) -> None:
    child_id, statuses = uuid.uuid4(), Statuses()
    assert await _keep(children, _child(child_id, 1, None, updated=False), statuses) == []
    assert await _keep(children, _child(child_id, 2, "9434765919"), statuses) == ["9434765919"]  # gained
    assert await _keep(children, _child(child_id, 3, "9434765919"), statuses) == []  # the same number
    assert await _keep(children, _child(child_id, 1, "9434765870"), statuses) == []  # older: changes nothing
    assert await _keep(children, _child(child_id, 4, "9434765870"), statuses) == ["9434765870"]  # another number
    assert statuses.asked == [(None, "9434765919"), ("9434765919", "9434765870")]
    async with children() as session:
        copy = (await session.execute(select(Child).where(Child.id == child_id))).scalar_one()
        audited = (
            (await session.execute(select(audit_log.c.action).where(audit_log.c.subject_id == str(child_id)))).scalars().all()
        )
    assert (copy.version, copy.nhs_number) == (4, "9434765870")
    assert audited == ["child.copy"] * 5


async def test_a_copy_kept_without_audit_writes_none(children: async_sessionmaker[AsyncSession]) -> None:
    child_id = uuid.uuid4()
    async with UnitOfWork(children, source="kernel-test") as tx:
        copy = await keep_child_copy(tx, Child, _child(child_id, 1, None), audited=False)
    assert copy is not None and copy.id == child_id
    async with children() as session:
        assert (await session.execute(select(audit_log.c.id).where(audit_log.c.subject_id == str(child_id)))).first() is None


def test_only_a_gained_or_another_number_is_announced() -> None:
    assert number_to_announce(None, "1") == "1"
    assert number_to_announce("1", "2") == "2"
    assert number_to_announce("1", "1") is None
    assert number_to_announce("1", None) is None
    assert number_to_announce(None, None) is None


async def test_a_run_of_copies_keeps_each_childs_newest_with_one_statement_and_audits_each(
    children: async_sessionmaker[AsyncSession],
) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    async with UnitOfWork(children, source="kernel-test") as tx:
        await keep_child_copy(tx, Child, _child(second, 5, "9434765919"))  # held already, newer than the run's
    run = [_child(first, 1, None, updated=False), _child(first, 3, "9434765870"), _child(first, 2, None), _child(second, 4, None)]
    async with UnitOfWork(children, source="kernel-test") as tx:
        await keep_child_copies(tx, Child, run)
    assert tx.published == []  # partners are told nothing by this step
    async with children() as session:
        copies = {
            c.id: (c.version, c.nhs_number) for c in (await session.execute(select(Child))).scalars() if c.id in (first, second)
        }
        audited = (
            (await session.execute(select(audit_log.c.subject_id).where(audit_log.c.action == "child.copy"))).scalars().all()
        )
    assert copies == {first: (3, "9434765870"), second: (5, "9434765919")}
    assert sorted(s for s in audited if s in (str(first), str(second))) == sorted([str(first)] * 3 + [str(second)] * 2)
