"""Pre-proceedings of a child with an open episode, with or without a plan: a block is started for
the episode (case), recorded, decided, and the letter initiating care proceedings added. Every
result carries the child's record: it is audited as such."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date

from continuum.casework import clock
from continuum.persistence.change import change_one
from continuum.persistence.idempotency import Replayed, idempotent
from continuum.persistence.uow import Transaction, UnitOfWork
from continuum.web.pagination import decode_cursor, encode_cursor
from plan import domain, episode_repository
from plan.commands import (
    BlockCommand,
    DecidePreproceedings,
    RecordCareProceedingsLetter,
    RecordPreproceedings,
    StartPreproceedings,
)
from plan.domain import Events, Preproceedings
from plan.results import Blocks
from plan.use_cases.steps import audit_found, by_whom, find_purpose
from plan.views import preproceedings_view


async def _read_child(tx: Transaction, block: Preproceedings, *, purpose: str) -> Preproceedings:
    await tx.audit("child.read", subject_type="child", subject_id=block.child_id, purpose=purpose)
    return block


async def start(uow: UnitOfWork, *, command: StartPreproceedings, idempotency_key: str | None) -> Preproceedings | Replayed:
    """Start a block for the episode (404 unless the caller may see it; 409 when it is closed or
    has an undecided block); done once per Idempotency-Key (again: the first answer's body)."""
    purpose = "start pre-proceedings"
    today = clock.today()
    async with uow as tx:

        async def run() -> Preproceedings:
            known = await episode_repository.visible_episode(tx, command.case_id, purpose=purpose)
            block, events = domain.preproceedings.start(
                known,
                block_id=uuid.uuid4(),
                current=await episode_repository.undecided_preproceedings(tx, known.case_id),
                last_decided_on=await episode_repository.last_step_decision(tx, known.case_id),
                plan_id=await episode_repository.active_plan_of_case(tx, known.case_id),
                start_date=command.start_date,
                today=today,
                by=by_whom(tx),
            )
            await episode_repository.insert_preproceedings(tx, block)
            await tx.publish_all(events, aggregate=block)
            await tx.audit("preproceedings.start", subject_type="preproceedings", subject_id=block.id, purpose=purpose)
            return await _read_child(tx, block, purpose=purpose)

        async def replayed(stored: Replayed) -> None:
            why = "Idempotency-Key replay"
            await tx.audit("preproceedings.read", subject_type="preproceedings", subject_id=stored.body["id"], purpose=why)
            await tx.audit("child.read", subject_type="child", subject_id=stored.body["child_id"], purpose=why)

        return await idempotent(
            tx,
            key=idempotency_key,
            scope=f"preproceedings:{tx.principal_or_fail().sub}:start",
            request=asdict(command),
            run=run,
            present=lambda block: preproceedings_view(block).model_dump(mode="json"),
            on_replay=replayed,
        )


def _decide(command: BlockCommand, block: Preproceedings, today: date) -> tuple[Preproceedings, Events]:
    match command:
        case RecordPreproceedings():
            return domain.preproceedings.record(block, today=today, **asdict(command))
        case DecidePreproceedings():
            return domain.preproceedings.decide(block, today=today, **asdict(command))
        case RecordCareProceedingsLetter():
            return domain.preproceedings.record_care_proceedings_letter(block, on=command.letter_date, today=today)


@dataclass
class BlockStore:
    """The pre-proceedings blocks as the kernel's change pipeline (``change_one``) loads and saves them."""

    subject_type: str = "preproceedings"

    async def load(self, tx: Transaction, id: uuid.UUID, *, purpose: str) -> Preproceedings:
        return await episode_repository.visible_preproceedings(tx, id, purpose=purpose, lock=True)

    async def save(self, tx: Transaction, before: Preproceedings, after: Preproceedings, *, action: str) -> None:
        await episode_repository.save_preproceedings(tx, after)


async def change(uow: UnitOfWork, *, preproceedings_id: uuid.UUID, command: BlockCommand, version: int) -> Preproceedings:
    """Load the visible block (locked), check the version the caller read, decide ``command``,
    save, publish and audit, in one transaction; the block as it now stands."""
    today = clock.today()

    async def decided(block: Preproceedings) -> tuple[Preproceedings, Events]:
        return _decide(command, block, today)

    async with uow as tx:
        changed = await change_one(
            tx,
            BlockStore(),
            id=preproceedings_id,
            version=version,
            purpose=command.purpose,
            action=command.action,
            decide=decided,
        )
        return await _read_child(tx, changed, purpose=command.purpose)


async def read(uow: UnitOfWork, *, preproceedings_id: uuid.UUID) -> Preproceedings:
    purpose = "view pre-proceedings"
    async with uow as tx:
        block = await episode_repository.visible_preproceedings(tx, preproceedings_id, purpose=purpose)
        await tx.audit("preproceedings.read", subject_type="preproceedings", subject_id=block.id, purpose=purpose)
        return await _read_child(tx, block, purpose=purpose)


async def find(
    uow: UnitOfWork, *, case_id: uuid.UUID | None, child_id: uuid.UUID | None, cursor: str | None, limit: int
) -> Blocks:
    """The blocks of one episode or child the caller may see, by start date; each is a read of the
    child's record, and those of another team are left out and the refusal audited."""
    purpose = find_purpose("pre-proceedings", case_id=case_id, child_id=child_id)
    after = decode_cursor(cursor, date.fromisoformat) if cursor else None
    async with uow as tx:
        shown, hidden = await episode_repository.find_preproceedings(
            tx, principal=tx.principal_or_fail(), case_id=case_id, child_id=child_id, after=after, limit=limit
        )
        page = shown[:limit]
        await audit_found(tx, (block.child_id for block in page), hidden, purpose=purpose)
        more = len(shown) > limit
        return Blocks(page, encode_cursor(page[-1].start_date, page[-1].id) if more and page else None)
