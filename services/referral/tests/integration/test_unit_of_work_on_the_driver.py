"""The kernel's unit of work on the referral database: prebuilt statements on the driver connection
and the session share one transaction; the collected outbox and audit rows go in with a use case's
write (WithCollectedRows) or alone before COMMIT, in the order collected; a driver error is raised as
SQLAlchemy's; a connection never goes back to the pool inside a transaction (decision 29)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from referral_support import Api, db_value, post_referral
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError

from continuum.contracts import InformationRequested
from continuum.persistence.db import Prebuilt, idempotency_keys, outbox
from continuum.persistence.uow import UnitOfWork, WithCollectedRows
from continuum_tools.testing import eventually
from referral.domain import ReferralStatus
from referral.tables import REFERRALS

_KEY: dict[str, Any] = {name: bindparam(name) for name in ("scope", "key", "request_hash", "status_code", "response")}
_INSERT_KEY = Prebuilt(insert(idempotency_keys).values(_KEY))
_INSERT_KEY_WITH_ROWS = WithCollectedRows(insert(idempotency_keys).values(_KEY))
_KEY_OF = Prebuilt(select(idempotency_keys.c.response).where(idempotency_keys.c.scope == bindparam("scope")))
_STATUS_OF = Prebuilt(select(REFERRALS.c.status).where(REFERRALS.c.id == bindparam("referral_id")))
_SLEEP = Prebuilt(select(func.pg_sleep(bindparam("seconds"))))
_SLEEPING = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'"
    " AND query LIKE '%pg_sleep(%' AND pid <> pg_backend_pid()"
)


@dataclass(frozen=True)
class Case:
    id: uuid.UUID
    version: int = 1

    @property
    def subject(self) -> str:
        return str(self.id)


def _event(case: Case) -> InformationRequested:
    return InformationRequested(
        request_id=uuid.uuid4(), referral_id=uuid.uuid4(), case_id=case.id, agency="police", due_at="2030-01-01T00:00:00Z"
    )


def _key(scope: str, n: int = 0) -> dict[str, Any]:
    return {"scope": scope, "key": f"k{n}", "request_hash": "h", "status_code": 201, "response": {"n": n, "é": [1, None]}}


def _uow(app: Any) -> UnitOfWork:
    return UnitOfWork(app.state.runtime.session_factory, source="referral")


async def _keys(app: Any, scope: str) -> list[Any]:
    async with _uow(app) as tx:
        return [row.response for row in await tx.fetch(_KEY_OF, {"scope": scope})]


async def _outbox_of(app: Any, case: Case) -> list[uuid.UUID]:
    async with app.state.runtime.session_factory() as session:
        rows = await session.execute(select(outbox.c.event_id).where(outbox.c.key == case.subject).order_by(outbox.c.seq))
        return [row.event_id for row in rows]


async def test_prebuilt_statements_and_the_session_commit_together(referral_app: Any) -> None:
    scope, case = f"uow-{uuid.uuid4()}", Case(uuid.uuid4())
    async with _uow(referral_app) as tx:
        await tx.execute(_INSERT_KEY, _key(scope, 1))
        await tx.session.execute(insert(idempotency_keys).values(**_key(scope, 2)))
        event = await tx.publish(_event(case), aggregate=case)
    assert sorted(r["n"] for r in await _keys(referral_app, scope)) == [1, 2]
    assert await _outbox_of(referral_app, case) == [event.id]


async def test_a_failed_use_case_leaves_nothing_of_either(referral_app: Any) -> None:
    scope, case = f"uow-{uuid.uuid4()}", Case(uuid.uuid4())
    with pytest.raises(RuntimeError, match="the use case failed"):
        async with _uow(referral_app) as tx:
            await tx.execute(_INSERT_KEY_WITH_ROWS, _key(scope, 1))
            await tx.session.execute(insert(idempotency_keys).values(**_key(scope, 2)))
            await tx.publish(_event(case), aggregate=case)
            raise RuntimeError("the use case failed")
    assert await _keys(referral_app, scope) == []
    assert await _outbox_of(referral_app, case) == []


async def test_collected_rows_go_with_the_write_and_the_rest_at_commit_in_publish_order(referral_app: Any) -> None:
    scope, case = f"uow-{uuid.uuid4()}", Case(uuid.uuid4())
    async with _uow(referral_app) as tx:
        first = await tx.publish_all([_event(case), _event(case)], aggregate=case)
        await tx.execute(_INSERT_KEY_WITH_ROWS, _key(scope))
        assert await _outbox_of(referral_app, case) == []  # not committed yet
        later = await tx.publish(_event(case), aggregate=case)
    assert await _outbox_of(referral_app, case) == [first[0].id, first[1].id, later.id]
    assert await _keys(referral_app, scope) == [{"n": 0, "é": [1, None]}]  # JSONB both ways


async def test_prebuilt_rows_carry_the_columns_types(api: Api, referral_app: Any) -> None:
    async with api.as_user("front_door") as client:
        referral = await post_referral(client)
    async with _uow(referral_app) as tx:
        [row] = await tx.fetch(_STATUS_OF, {"referral_id": uuid.UUID(referral["id"])})
    assert row.status is ReferralStatus.RECEIVED


async def test_a_driver_error_is_sqlalchemys_and_the_connection_goes_back_clean(referral_app: Any) -> None:
    scope = f"uow-{uuid.uuid4()}"
    async with _uow(referral_app) as tx:
        await tx.execute(_INSERT_KEY, _key(scope))
    with pytest.raises(IntegrityError) as raised:
        async with _uow(referral_app) as tx:
            await tx.execute(_INSERT_KEY, _key(scope))
    assert raised.value.orig.sqlstate == "23505"  # type: ignore[union-attr]
    # Every pooled connection is usable again, none inside a transaction.
    for n in range(1, 20):
        async with _uow(referral_app) as tx:
            await tx.execute(_INSERT_KEY, _key(scope, n))
    assert len(await _keys(referral_app, scope)) == 20


async def test_a_use_case_cancelled_mid_statement_returns_no_open_transaction_to_the_pool(referral_app: Any) -> None:
    scope = f"uow-{uuid.uuid4()}"

    async def slow() -> None:
        async with _uow(referral_app) as tx:
            await tx.execute(_INSERT_KEY, _key(scope))
            await tx.fetch(_SLEEP, {"seconds": 5})

    task = asyncio.create_task(slow())

    async def mid_statement() -> bool:
        return bool(await db_value(referral_app.state.runtime.settings, _SLEEPING))

    await eventually(mid_statement, within=10, what="the use case inside its slow statement")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for n in range(1, 20):  # whatever connection the next ones get, the cancelled write is not in it
        async with _uow(referral_app) as tx:
            await tx.execute(_INSERT_KEY, _key(scope, n))
    assert sorted(r["n"] for r in await _keys(referral_app, scope)) == list(range(1, 20))
