"""One pipeline for the change of one aggregate: load (locked, visible), check the version the
caller read, decide, save, publish keyed by the aggregate, audit; a stale version is a 412 with the
body and ETag the web room always answered it with."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select, update
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from continuum.casework.errors import NotFound, StaleVersion
from continuum.contracts import EventData, InformationRequested
from continuum.persistence.change import change_one
from continuum.persistence.db import audit_log, outbox
from continuum.persistence.uow import Transaction, UnitOfWork
from continuum.web.errors import precondition_failed, problem_for

_metadata = MetaData()
counters = Table(
    "change_one_counters",
    _metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("case_id", UUID(as_uuid=True)),
    Column("value", Integer),
    Column("version", Integer),
    Column("owner", String),
)


@dataclass(frozen=True)
class Counter:
    id: uuid.UUID
    case_id: uuid.UUID
    value: int
    version: int
    owner: str

    @property
    def subject(self) -> str:
        return str(self.case_id)


class Counters:
    """A store: a counter is visible only to its owner; the saves are recorded."""

    subject_type = "counter"

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.saved: list[tuple[int, int, str]] = []

    async def load(self, tx: Transaction, id: uuid.UUID, *, purpose: str) -> Counter:
        row = (await tx.session.execute(select(counters).where(counters.c.id == id).with_for_update())).first()
        if row is None or row.owner != self.owner:
            raise NotFound("Counter")
        return Counter(row.id, row.case_id, row.value, row.version, row.owner)

    async def save(self, tx: Transaction, before: Counter, after: Counter, *, action: str) -> None:
        await tx.session.execute(
            update(counters).where(counters.c.id == after.id).values(value=after.value, version=after.version)
        )
        self.saved.append((before.value, after.value, action))


def _requested(counter: Counter) -> InformationRequested:
    return InformationRequested(
        request_id=uuid.uuid4(), referral_id=uuid.uuid4(), case_id=counter.case_id, agency="police", due_at="2030-01-01T00:00:00Z"
    )


async def add_one(counter: Counter) -> tuple[Counter, Sequence[EventData]]:
    return replace(counter, value=counter.value + 1, version=counter.version + 1), [_requested(counter)]


@pytest.fixture
async def counter(kernel_engine: AsyncEngine, kernel_db: async_sessionmaker[AsyncSession]) -> Counter:
    async with kernel_engine.begin() as conn:
        await conn.run_sync(_metadata.create_all)
    made = Counter(uuid.uuid4(), uuid.uuid4(), 0, 1, "owner")
    async with kernel_db() as session, session.begin():
        await session.execute(counters.insert().values(made.__dict__))
    return made


async def _stored(kernel_db: async_sessionmaker[AsyncSession], counter: Counter) -> tuple[int, int, list[str], list[str]]:
    async with kernel_db() as session:
        row = (await session.execute(select(counters).where(counters.c.id == counter.id))).one()
        keys = (await session.execute(select(outbox.c.key).where(outbox.c.key == counter.subject))).scalars().all()
        audited = (
            (
                await session.execute(
                    select(audit_log.c.action).where(audit_log.c.subject_id == str(counter.id)).order_by(audit_log.c.id)
                )
            )
            .scalars()
            .all()
        )
    return row.value, row.version, list(keys), list(audited)


async def test_a_change_loads_decides_saves_publishes_and_audits_in_one_transaction(
    kernel_db: async_sessionmaker[AsyncSession], counter: Counter
) -> None:
    store = Counters("owner")
    async with UnitOfWork(kernel_db, source="kernel-test") as tx:
        changed = await change_one(tx, store, id=counter.id, version=1, purpose="count", action="counter.add", decide=add_one)
    assert (changed.value, changed.version) == (1, 2)
    assert store.saved == [(0, 1, "counter.add")]
    assert await _stored(kernel_db, counter) == (1, 2, [counter.subject], ["counter.add"])
    assert [(e.subject, e.aggregate_version) for e in tx.published] == [(counter.subject, 2)]


async def test_the_action_may_be_named_from_the_state_before_the_change(
    kernel_db: async_sessionmaker[AsyncSession], counter: Counter
) -> None:
    async with UnitOfWork(kernel_db, source="kernel-test") as tx:
        await change_one(
            tx,
            Counters("owner"),
            id=counter.id,
            version=None,
            purpose="count",
            action=lambda c: f"counter.from{c.value}",
            decide=add_one,
        )
    assert (await _stored(kernel_db, counter))[3] == ["counter.from0"]


async def test_a_stale_version_changes_nothing_and_answers_as_precondition_failed(
    kernel_db: async_sessionmaker[AsyncSession], counter: Counter
) -> None:
    store = Counters("owner")
    with pytest.raises(StaleVersion) as raised:
        async with UnitOfWork(kernel_db, source="kernel-test") as tx:
            await change_one(tx, store, id=counter.id, version=7, purpose="count", action="counter.add", decide=add_one)
    assert store.saved == []
    assert await _stored(kernel_db, counter) == (0, 1, [], [])
    problem, today = problem_for(raised.value), precondition_failed(1)
    assert (problem.status, problem.body("/x"), problem.headers) == (412, today.body("/x"), today.headers)


async def test_an_aggregate_the_store_does_not_show_is_not_found(
    kernel_db: async_sessionmaker[AsyncSession], counter: Counter
) -> None:
    with pytest.raises(NotFound):
        async with UnitOfWork(kernel_db, source="kernel-test") as tx:
            await change_one(
                tx, Counters("another"), id=counter.id, version=1, purpose="count", action="counter.add", decide=add_one
            )
    assert await _stored(kernel_db, counter) == (0, 1, [], [])
