"""Pre-proceedings of a child with an open episode, with or without a plan: a block is started for
the episode (case), recorded, decided, and the letter initiating care proceedings added. Every
answer carries the child's record: it is audited as such."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from continuum.casework import clock
from continuum.persistence.idempotency import once
from continuum.persistence.uow import StoredResponse, Transaction, UnitOfWork
from continuum.web.errors import check_version, invalid
from continuum.web.pagination import decode_cursor, encode_cursor
from plan import domain, repository
from plan.answers import PreproceedingsOut, PreproceedingsPage
from plan.domain import Events, Preproceedings
from plan.schemas import CareProceedingsLetterIn, PreproceedingsDecisionIn, PreproceedingsIn, PreproceedingsStartIn
from plan.use_cases.steps import by_whom
from plan.views import preproceedings_view

#: A transition of one block: given the block and London's date, its new state and events.
BlockChange = Callable[[Preproceedings, date], tuple[Preproceedings, Events]]


async def _answer(tx: Transaction, block: Preproceedings, *, purpose: str) -> PreproceedingsOut:
    await tx.audit("child.read", subject_type="child", subject_id=block.child_id, purpose=purpose)
    return preproceedings_view(block)


async def start(uow: UnitOfWork, *, body: PreproceedingsStartIn, idempotency_key: str | None) -> dict[str, Any]:
    """Start a block for the episode (404 unless the caller may see it; 409 when it is closed or
    has an undecided block)."""
    purpose = "start pre-proceedings"
    today = clock.today()
    async with uow as tx:

        async def run() -> tuple[int, Any]:
            known = await repository.visible_episode(tx, body.case_id, purpose=purpose)
            block, events = domain.preproceedings.start(
                known,
                block_id=uuid.uuid4(),
                current=await repository.undecided_preproceedings(tx, known.case_id),
                last_decided_on=await repository.last_step_decision(tx, known.case_id),
                plan_id=await repository.active_plan_of_case(tx, known.case_id),
                start_date=body.start_date,
                today=today,
                by=by_whom(tx),
            )
            await repository.insert_preproceedings(tx, block)
            await tx.publish_all(events, aggregate=block)
            await tx.audit("preproceedings.start", subject_type="preproceedings", subject_id=block.id, purpose=purpose)
            return 201, (await _answer(tx, block, purpose=purpose)).model_dump(mode="json")

        async def replayed(stored: StoredResponse) -> None:
            why = "Idempotency-Key replay"
            await tx.audit("preproceedings.read", subject_type="preproceedings", subject_id=stored.body["id"], purpose=why)
            await tx.audit("child.read", subject_type="child", subject_id=stored.body["child_id"], purpose=why)

        scope = f"preproceedings:{tx.principal_or_fail().sub}:start"
        _, answer = await once(
            tx, key=idempotency_key, scope=scope, request=body.model_dump(mode="json"), run=run, on_replay=replayed
        )
        return dict(answer)


async def _change(
    uow: UnitOfWork, *, preproceedings_id: uuid.UUID, version: int, purpose: str, action: str, change: BlockChange
) -> dict[str, Any]:
    """Load the visible block (locked), check the version the caller read, run the transition,
    save, publish and audit, in one transaction; answers the block as JSON."""
    today = clock.today()
    async with uow as tx:
        block = await repository.visible_preproceedings(tx, preproceedings_id, purpose=purpose, lock=True)
        check_version(block.version, version)
        changed, events = change(block, today)
        await repository.save_preproceedings(tx, changed)
        await tx.publish_all(events, aggregate=changed)
        await tx.audit(action, subject_type="preproceedings", subject_id=changed.id, purpose=purpose)
        return (await _answer(tx, changed, purpose=purpose)).model_dump(mode="json")


async def record(uow: UnitOfWork, *, preproceedings_id: uuid.UUID, body: PreproceedingsIn, version: int) -> dict[str, Any]:
    values = body.model_dump()
    values["review_meeting_dates"] = tuple(values["review_meeting_dates"])
    return await _change(
        uow,
        preproceedings_id=preproceedings_id,
        version=version,
        purpose="record pre-proceedings",
        action="preproceedings.record",
        change=lambda block, today: domain.preproceedings.record(block, today=today, **values),
    )


async def decide(
    uow: UnitOfWork, *, preproceedings_id: uuid.UUID, body: PreproceedingsDecisionIn, version: int
) -> dict[str, Any]:
    return await _change(
        uow,
        preproceedings_id=preproceedings_id,
        version=version,
        purpose="decide at the end of pre-proceedings",
        action="preproceedings.decide",
        change=lambda block, today: domain.preproceedings.decide(block, today=today, **body.model_dump()),
    )


async def record_care_proceedings_letter(
    uow: UnitOfWork, *, preproceedings_id: uuid.UUID, body: CareProceedingsLetterIn, version: int
) -> dict[str, Any]:
    return await _change(
        uow,
        preproceedings_id=preproceedings_id,
        version=version,
        purpose="record the letter initiating care proceedings",
        action="preproceedings.care_proceedings_letter",
        change=lambda block, today: domain.preproceedings.record_care_proceedings_letter(block, on=body.letter_date, today=today),
    )


async def read(uow: UnitOfWork, *, preproceedings_id: uuid.UUID) -> PreproceedingsOut:
    purpose = "view pre-proceedings"
    async with uow as tx:
        block = await repository.visible_preproceedings(tx, preproceedings_id, purpose=purpose)
        await tx.audit("preproceedings.read", subject_type="preproceedings", subject_id=block.id, purpose=purpose)
        return await _answer(tx, block, purpose=purpose)


async def find(
    uow: UnitOfWork, *, case_id: uuid.UUID | None, child_id: uuid.UUID | None, cursor: str | None, limit: int
) -> PreproceedingsPage:
    """The blocks of one episode or child the caller may see, by start date; each is a read of the
    child's record, and those of another team are left out and the refusal audited."""
    if (case_id is None) == (child_id is None):
        raise invalid("case_id" if case_id else "child_id", "give exactly one of case_id, child_id")
    purpose = f"find pre-proceedings by {'case' if case_id else 'child'}"
    after = decode_cursor(cursor, date.fromisoformat) if cursor else None
    async with uow as tx:
        shown, hidden = await repository.find_preproceedings(
            tx, principal=tx.principal_or_fail(), case_id=case_id, child_id=child_id, after=after, limit=limit
        )
        page = shown[:limit]
        for block in page:
            await tx.audit("child.read", subject_type="child", subject_id=block.child_id, purpose=purpose)
        for other in hidden:
            await tx.audit("child.read", subject_type="child", subject_id=other, purpose=purpose, outcome="refused")
        more = len(shown) > limit
        next_cursor = encode_cursor(page[-1].start_date, page[-1].id) if more and page else None
        return PreproceedingsPage(items=[preproceedings_view(b) for b in page], next_cursor=next_cursor)
