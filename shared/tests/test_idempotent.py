"""One idempotency helper: the same Idempotency-Key and body answer the first answer's body again,
without running the use case twice; the status is the route's whichever way the answer came."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.persistence.idempotency import IdempotencyKeyReused, Replayed, idempotent
from continuum.persistence.uow import UnitOfWork
from continuum.web.http import answer


@dataclass(frozen=True)
class Made:
    id: uuid.UUID
    version: int


class MadeOut(BaseModel):
    id: uuid.UUID
    version: int


def view(made: Made) -> MadeOut:
    return MadeOut(id=made.id, version=made.version)


class Counting:
    """A use case that makes a new record each time it runs, and counts its runs and replays."""

    def __init__(self) -> None:
        self.runs = 0
        self.replays: list[Replayed] = []

    async def run(self) -> Made:
        self.runs += 1
        return Made(uuid.uuid4(), 1)

    async def replayed(self, replayed: Replayed) -> None:
        self.replays.append(replayed)

    async def once(self, kernel_db: async_sessionmaker[AsyncSession], key: str | None, request: Any) -> Made | Replayed:
        async with UnitOfWork(kernel_db, source="kernel-test") as tx:
            return await idempotent(
                tx,
                key=key,
                scope="made:tester",
                request=request,
                run=self.run,
                present=lambda made: view(made).model_dump(mode="json"),
                on_replay=self.replayed,
            )


async def test_without_a_key_the_use_case_runs_every_time(kernel_db: async_sessionmaker[AsyncSession]) -> None:
    use_case = Counting()
    first = await use_case.once(kernel_db, None, {"a": 1})
    second = await use_case.once(kernel_db, None, {"a": 1})
    assert isinstance(first, Made) and isinstance(second, Made) and first.id != second.id
    assert (use_case.runs, use_case.replays) == (2, [])


async def test_the_same_key_and_body_replay_the_first_body_without_running_again(
    kernel_db: async_sessionmaker[AsyncSession],
) -> None:
    use_case = Counting()
    key = str(uuid.uuid4())
    first = await use_case.once(kernel_db, key, {"a": 1})
    second = await use_case.once(kernel_db, key, {"a": 1})
    assert isinstance(first, Made)
    assert second == Replayed({"id": str(first.id), "version": 1})
    assert use_case.runs == 1 and use_case.replays == [second]


async def test_the_same_key_with_another_body_is_refused_and_runs_nothing(kernel_db: async_sessionmaker[AsyncSession]) -> None:
    use_case = Counting()
    key = str(uuid.uuid4())
    await use_case.once(kernel_db, key, {"a": 1})
    with pytest.raises(IdempotencyKeyReused):
        await use_case.once(kernel_db, key, {"a": 2})
    assert use_case.runs == 1


async def test_a_failed_use_case_stores_no_answer(kernel_db: async_sessionmaker[AsyncSession]) -> None:
    use_case = Counting()
    key = str(uuid.uuid4())

    async def failing() -> Made:
        await use_case.run()
        raise RuntimeError("the use case failed")

    with pytest.raises(RuntimeError):
        async with UnitOfWork(kernel_db, source="kernel-test") as tx:
            await idempotent(tx, key=key, scope="made:tester", request={}, run=failing, present=lambda m: view(m).model_dump())
    assert isinstance(await use_case.once(kernel_db, key, {}), Made)  # nothing was stored: it runs again
    assert use_case.runs == 2


def test_a_route_answers_a_result_and_its_replay_alike_with_its_own_status() -> None:
    made = Made(uuid.uuid4(), 3)
    fresh = answer(made, view, status=201)
    replayed = answer(Replayed(view(made).model_dump(mode="json")), view, status=201)
    for response in (fresh, replayed):
        assert response.status_code == 201
        assert response.headers["ETag"] == '"3"'
        assert json.loads(response.body) == {"id": str(made.id), "version": 3}


def test_an_answer_without_a_version_carries_no_etag() -> None:
    response = answer({"items": []}, lambda body: body)
    assert response.status_code == 200 and "ETag" not in response.headers
