"""The unit of work: one transaction per use case, entered once; events take their key and version
from the aggregate they describe."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import Integer, bindparam, func, insert, literal_column, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.casework.policy import ReadLimitPolicy
from continuum.casework.principal import Principal, Role
from continuum.contracts import InformationRequested, PartnerStatus, PartnerStatusShared, agency_topic
from continuum.contracts.partner import shared_event_id
from continuum.persistence.db import Prebuilt, audit_log, idempotency_keys, outbox
from continuum.persistence.read_budget import ReadLimiter
from continuum.persistence.uow import EventKey, TooManyReads, UnitOfWork, WithCollectedRows


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


async def test_an_event_sent_to_a_topic_of_its_own_keeps_the_id_it_is_given(kernel_db: async_sessionmaker[AsyncSession]) -> None:
    """The partners service's allowance (decision 56): one contract to each agency's own topic, its
    envelope's id derived from the source event; keyed by the NHS number, no case version or trace."""
    status = PartnerStatusShared(
        nhs_number="9434765919", date_of_birth=None, status=PartnerStatus.CP_PLAN, since="2026-10-05",
        responsible_service="CSC", contact="01632 960000",
    )  # fmt: skip
    source = uuid.uuid4()
    async with UnitOfWork(kernel_db, source="kernel-test") as tx:
        sent = await tx.publish(
            status, aggregate=EventKey("9434765919", 0), topic=agency_topic("police"), event_id=shared_event_id(source, "police")
        )
        plain = await tx.publish(_event(Case(uuid.uuid4(), 1)), aggregate=Case(uuid.uuid4(), 1))
    assert sent.id == shared_event_id(source, "police") != shared_event_id(source, "school")
    async with kernel_db() as session:
        rows = {r.event_id: r for r in (await session.execute(select(outbox).where(outbox.c.event_id.in_([sent.id, plain.id]))))}
    assert (rows[sent.id].topic, rows[sent.id].key, rows[sent.id].payload["id"]) == (
        "continuum.partner.police",
        "9434765919",
        str(sent.id),
    )
    assert rows[plain.id].topic == InformationRequested.topic  # otherwise the contract's topic


# --- when the transaction opens (decision 32) ----------------------------------------------------

_ACTOR = Principal(
    sub="uow-tester",
    name="UoW tester",
    roles=frozenset({Role.FRONT_DOOR}),
    teams=frozenset(),
    sw_qualified=False,
    org="E09000001",
)
_READ_AUDIT = Prebuilt(select(audit_log.c.id).where(audit_log.c.subject_id == bindparam("subject_id")))
_LOCK_AUDIT = Prebuilt(select(audit_log.c.id).where(audit_log.c.subject_id == bindparam("subject_id")).with_for_update())
_REMEMBER = WithCollectedRows(
    insert(idempotency_keys).values(
        scope=bindparam("scope"), key=bindparam("key"), request_hash="h", status_code=201, response=bindparam("response")
    )
)


async def _committed(kernel_db: async_sessionmaker[AsyncSession], subject_id: str) -> tuple[int, int, int]:
    """What another connection sees: the idempotency row, the outbox rows keyed by the case, the audit rows."""
    async with kernel_db() as session:
        keys = await session.scalar(
            select(func.count()).select_from(idempotency_keys).where(idempotency_keys.c.key == subject_id)
        )
        events = await session.scalar(select(func.count()).select_from(outbox).where(outbox.c.key == subject_id))
        audits = await session.scalar(select(func.count()).select_from(audit_log).where(audit_log.c.subject_id == subject_id))
    return keys or 0, events or 0, audits or 0


def test_a_prebuilt_statement_is_a_plain_read_only_when_it_writes_and_locks_nothing() -> None:
    assert _READ_AUDIT.reads_only
    assert Prebuilt(select(outbox.c.event_id).where(outbox.c.published_at.is_(None))).reads_only
    assert not _LOCK_AUDIT.reads_only
    assert not Prebuilt(select(outbox.c.event_id).with_for_update(read=True)).reads_only
    assert not Prebuilt(select(func.pg_advisory_xact_lock(bindparam("k")))).reads_only
    assert not _REMEMBER.reads_only  # an INSERT, and data-modifying CTEs
    assert not Prebuilt(select(literal_column("1")).add_cte(insert(audit_log).cte("w"))).reads_only


async def test_plain_reads_open_no_transaction_and_a_final_write_commits_alone(
    kernel_db: async_sessionmaker[AsyncSession],
) -> None:
    case = Case(uuid.uuid4(), 1)
    subject = str(case.id)
    uow = UnitOfWork(kernel_db, source="kernel-test", principal=_ACTOR)
    async with uow as tx:
        assert await tx.fetch(_READ_AUDIT, {"subject_id": subject}) == []
        assert not tx.in_transaction
        await tx.publish(_event(case), aggregate=case)
        await tx.audit("case.open", subject_type="case", subject_id=subject, purpose="test")
        assert not tx.in_transaction  # collected, not written yet
        await tx.execute(_REMEMBER, {"scope": "s", "key": subject, "response": {"id": subject}}, final=True)
        assert not tx.in_transaction
        # Committed already, with every collected row: another connection sees all of it.
        assert await _committed(kernel_db, subject) == (1, 1, 1)
        # Nothing can be written after it (it would not be in the same commit).
        with pytest.raises(RuntimeError, match="final write"):
            await tx.audit("case.read", subject_type="case", subject_id=subject, purpose="too late")
        with pytest.raises(RuntimeError, match="final write"):
            await tx.publish(_event(case), aggregate=case)
        with pytest.raises(RuntimeError, match="final write"):
            await tx.execute(_REMEMBER, {"scope": "other", "key": subject, "response": {}})
        with pytest.raises(RuntimeError, match="final write"):
            await tx.session.execute(
                insert(idempotency_keys).values(scope="x", key=subject, request_hash="h", status_code=1, response={})
            )
        assert await tx.fetch(_READ_AUDIT, {"subject_id": subject})  # reading is still fine
    assert await _committed(kernel_db, subject) == (1, 1, 1)


async def test_a_final_write_that_fails_leaves_nothing(kernel_db: async_sessionmaker[AsyncSession]) -> None:
    case = Case(uuid.uuid4(), 1)
    subject = str(case.id)
    async with UnitOfWork(kernel_db, source="kernel-test", principal=_ACTOR) as tx:
        await tx.execute(_REMEMBER, {"scope": "s", "key": subject, "response": {}}, final=True)
    uow = UnitOfWork(kernel_db, source="kernel-test", principal=_ACTOR)
    with pytest.raises(IntegrityError):
        async with uow as tx:
            await tx.publish(_event(case), aggregate=case)
            await tx.audit("case.open", subject_type="case", subject_id=subject, purpose="test")
            await tx.execute(_REMEMBER, {"scope": "s", "key": subject, "response": {}}, final=True)  # the same key again
    assert await _committed(kernel_db, subject) == (1, 0, 0)


@pytest.mark.parametrize("opener", ["session", "locking read", "write"])
async def test_a_final_write_inside_an_open_transaction_is_an_ordinary_write(
    kernel_db: async_sessionmaker[AsyncSession], opener: str
) -> None:
    case = Case(uuid.uuid4(), 1)
    subject = str(case.id)
    uow = UnitOfWork(kernel_db, source="kernel-test", principal=_ACTOR)
    with pytest.raises(LookupError):
        async with uow as tx:
            if opener == "session":
                await tx.session.execute(select(func.count()).select_from(outbox))
            elif opener == "locking read":
                await tx.fetch(_LOCK_AUDIT, {"subject_id": subject})
            else:
                await tx.execute(_REMEMBER, {"scope": "first", "key": subject, "response": {}})
            assert tx.in_transaction
            await tx.publish(_event(case), aggregate=case)
            await tx.execute(_REMEMBER, {"scope": "s", "key": subject, "response": {}}, final=True)
            assert await _committed(kernel_db, subject) == (0, 0, 0)  # not committed yet
            await tx.audit("case.open", subject_type="case", subject_id=subject, purpose="after the final write: allowed")
            raise LookupError("the use case fails after its last write")
    assert await _committed(kernel_db, subject) == (0, 0, 0)  # rolled back, every row


async def test_a_read_only_unit_of_work_writes_its_audit_rows_without_a_transaction(
    kernel_db: async_sessionmaker[AsyncSession],
) -> None:
    subject = str(uuid.uuid4())
    uow = UnitOfWork(kernel_db, source="kernel-test", principal=_ACTOR)
    async with uow as tx:
        await tx.fetch(_READ_AUDIT, {"subject_id": subject})
        await tx.audit("child.read", subject_type="child", subject_id=subject, purpose="view")
    assert not uow.in_transaction
    assert await _committed(kernel_db, subject) == (0, 0, 1)


async def test_a_final_write_over_the_read_budget_is_refused_and_writes_nothing_but_the_refusal(
    kernel_db: async_sessionmaker[AsyncSession],
) -> None:
    subject = str(uuid.uuid4())
    limiter = ReadLimiter(ReadLimitPolicy(per_minute=1, burst=1))
    assert limiter.take(_ACTOR.sub, 1) is None  # the budget is spent
    uow = UnitOfWork(kernel_db, source="kernel-test", principal=_ACTOR, read_limiter=limiter)
    with pytest.raises(TooManyReads):
        async with uow as tx:
            await tx.audit("child.read", subject_type="child", subject_id=subject, purpose="view")
            await tx.execute(_REMEMBER, {"scope": "s", "key": subject, "response": {}}, final=True)
    async with kernel_db() as session:
        outcomes = (await session.scalars(select(audit_log.c.outcome).where(audit_log.c.subject_id == subject))).all()
    assert outcomes == ["rate_limited"]
    assert (await _committed(kernel_db, subject))[0] == 0


async def test_the_answer_to_a_change_spends_no_read_budget_but_a_read_or_a_list_does(
    kernel_db: async_sessionmaker[AsyncSession],
) -> None:
    """A use case that recorded a change answers with the record it changed: its ``child.read``
    is audited as ever and spends nothing (decision 39). Reads, and lists, still spend."""
    limiter = ReadLimiter(ReadLimitPolicy(per_minute=1, burst=1))
    assert limiter.take(_ACTOR.sub, 1) is None  # the budget is spent
    changed = str(uuid.uuid4())
    async with UnitOfWork(kernel_db, source="kernel-test", principal=_ACTOR, read_limiter=limiter) as tx:
        await tx.audit("plan.approve", subject_type="plan", subject_id=uuid.uuid4(), purpose="approve")
        await tx.audit("child.read", subject_type="child", subject_id=changed, purpose="approve")
    async with kernel_db() as session:
        audited = (await session.scalars(select(audit_log.c.outcome).where(audit_log.c.subject_id == changed))).all()
    assert audited == ["success"]
    with pytest.raises(TooManyReads):
        async with UnitOfWork(kernel_db, source="kernel-test", principal=_ACTOR, read_limiter=limiter) as tx:
            await tx.audit("plan.read", subject_type="plan", subject_id=uuid.uuid4(), purpose="view")
            await tx.audit("child.read", subject_type="child", subject_id=changed, purpose="view")
    with pytest.raises(TooManyReads):
        async with UnitOfWork(kernel_db, source="kernel-test", principal=_ACTOR, read_limiter=limiter) as tx:
            await tx.audit("audit_item.finding", subject_type="audit_item", subject_id=uuid.uuid4(), purpose="record")
            await tx.audit("child.list", subject_type="child", subject_id=changed, purpose="a list beside it")


async def test_a_prebuilt_read_without_parameters_answers_its_rows(kernel_db: async_sessionmaker[AsyncSession]) -> None:
    async with UnitOfWork(kernel_db, source="kernel-test") as tx:
        rows = await tx.fetch(Prebuilt(select(literal_column("41").label("answer"), func.pg_backend_pid().label("pid"))))
    assert len(rows) == 1 and rows[0].answer == 41 and isinstance(rows[0].pid, int)


@dataclass(frozen=True)
class _Numbered:
    n: int
    square: int


async def test_a_long_read_streams_its_rows_a_batch_at_a_time_made_as_the_class_asked(
    kernel_db: async_sessionmaker[AsyncSession],
) -> None:
    numbers = text("SELECT n, n * n AS square FROM generate_series(1, :last) AS n ORDER BY n").columns(n=Integer, square=Integer)
    read = Prebuilt(numbers, row=_Numbered)
    async with UnitOfWork(kernel_db, source="kernel-test") as tx:
        batches = [batch async for batch in tx.stream(read, {"last": 7}, batch=3)]
    assert [len(b) for b in batches] == [3, 3, 1]
    assert [row for batch in batches for row in batch] == [_Numbered(n, n * n) for n in range(1, 8)]


async def test_a_stream_reads_only(kernel_db: async_sessionmaker[AsyncSession]) -> None:
    writes = Prebuilt(insert(audit_log).values(actor="x", action="y", subject_type="z", subject_id="1", purpose="p"))
    async with UnitOfWork(kernel_db, source="kernel-test") as tx:
        with pytest.raises(ValueError, match="reads only"):
            async for _ in tx.stream(writes, batch=10):
                pass
