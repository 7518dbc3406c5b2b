"""Queries of episodes (what the service knows of whether a child's episode is open) and of their
pre-proceedings blocks. A block is seen by its episode's team, like the plans of that episode;
another team's answers 404, audited."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, insert, literal, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from continuum.casework.errors import NotFound
from continuum.casework.principal import Principal
from continuum.persistence.uow import Transaction, UnitOfWork
from continuum.web.access import load_visible
from plan.domain import Episode, PlanStatus, Preproceedings
from plan.domain.rules import may_see
from plan.rows import episode_state, episode_values, preproceedings_state, preproceedings_values
from plan.tables import EpisodeRow, Plan, PreproceedingsRow

EPISODES = cast(Table, EpisodeRow.__table__)
BLOCKS = cast(Table, PreproceedingsRow.__table__)
PLANS = cast(Table, Plan.__table__)

_UPDATE_BLOCK = update(BLOCKS).where(BLOCKS.c.id == bindparam("row_id"))


async def episode(tx: Transaction, case_id: uuid.UUID) -> Episode | None:
    """What the service knows of the episode, locked for the change that may follow."""
    row = (await tx.session.execute(select(EPISODES).where(EPISODES.c.case_id == case_id).with_for_update())).first()
    return episode_state(row) if row is not None else None


async def save_episode(tx: Transaction, known: Episode, *, at: datetime) -> None:
    values = episode_values(known, at=at)
    stmt = pg_insert(EPISODES).values(**values)
    await tx.session.execute(stmt.on_conflict_do_update(index_elements=[EPISODES.c.case_id], set_=values))


async def visible_episode(tx: Transaction, case_id: uuid.UUID, *, purpose: str) -> Episode:
    """The episode if the caller may see its team's records; else 404 (audited), whether the
    service does not know it or it is another team's."""
    found = await episode(tx, case_id)
    if found is None or not may_see(tx.principal_or_fail(), found.team, None):
        tx.audit_refusal("case.read", subject_type="case", subject_id=case_id, purpose=purpose)
        raise NotFound("Episode")
    return found


async def active_plan_of_case(tx: Transaction, case_id: uuid.UUID) -> uuid.UUID | None:
    """The case's started plan that has not ended (a CP plan before a CIN plan), if any."""
    stmt = (
        select(PLANS.c.id)
        .where(PLANS.c.case_id == case_id, PLANS.c.status == PlanStatus.ACTIVE)
        .order_by(PLANS.c.plan_type.desc(), PLANS.c.start_date.desc())
        .limit(1)
    )
    return cast(uuid.UUID | None, (await tx.session.execute(stmt)).scalar())


async def undecided_preproceedings(tx: Transaction, case_id: uuid.UUID) -> Preproceedings | None:
    stmt = select(BLOCKS).where(BLOCKS.c.case_id == case_id, BLOCKS.c.decision.is_(None)).with_for_update()
    row = (await tx.session.execute(stmt)).first()
    return preproceedings_state(row) if row is not None else None


async def block_by_id(tx: Transaction, block_id: uuid.UUID) -> Preproceedings | None:
    """The block with that id whoever's it is (an import's derived id), locked; ``None`` if none."""
    row = (await tx.session.execute(select(BLOCKS).where(BLOCKS.c.id == block_id).with_for_update())).first()
    return preproceedings_state(row) if row is not None else None


async def last_step_decision(tx: Transaction, case_id: uuid.UUID) -> date | None:
    """The latest step decision of the episode's pre-proceedings blocks."""
    stmt = select(func.max(BLOCKS.c.decision_date)).where(BLOCKS.c.case_id == case_id)
    return cast(date | None, (await tx.session.execute(stmt)).scalar())


async def insert_preproceedings(tx: Transaction, pp: Preproceedings) -> None:
    await tx.session.execute(insert(BLOCKS), preproceedings_values(pp))


async def save_preproceedings(tx: Transaction, pp: Preproceedings) -> None:
    values = preproceedings_values(pp)
    await tx.session.execute(_UPDATE_BLOCK, {"row_id": values.pop("id"), **values})


async def visible_preproceedings(
    uow: UnitOfWork | Transaction, preproceedings_id: uuid.UUID, *, purpose: str, lock: bool = False
) -> Preproceedings:
    """The block if the caller may see its team's records; else 404 (audited)."""
    row = await load_visible(
        cast(UnitOfWork, uow),
        PreproceedingsRow,
        preproceedings_id,
        may_see=lambda p, block: may_see(p, block.team, None),
        subject_type="preproceedings",
        purpose=purpose,
        lock=lock,
    )
    return preproceedings_state(row)


async def find_preproceedings(
    tx: Transaction,
    *,
    principal: Principal,
    case_id: uuid.UUID | None,
    child_id: uuid.UUID | None,
    after: tuple[date, uuid.UUID] | None,
    limit: int,
) -> tuple[list[Preproceedings], set[uuid.UUID]]:
    """The blocks of an episode or a child, by start date (``limit + 1`` of them, after the cursor's
    position): those the caller may see, and the children of those left out."""
    stmt = select(BLOCKS).order_by(BLOCKS.c.start_date, BLOCKS.c.id).limit(limit + 1)
    stmt = stmt.where(BLOCKS.c.case_id == case_id) if case_id else stmt.where(BLOCKS.c.child_id == child_id)
    if after is not None:
        stmt = stmt.where(tuple_(BLOCKS.c.start_date, BLOCKS.c.id) > tuple_(literal(after[0]), literal(after[1])))
    shown, hidden = [], set()
    for row in (await tx.session.execute(stmt)).all():
        if may_see(principal, row.team, None):
            shown.append(preproceedings_state(row))
        else:
            hidden.add(row.child_id)
    return shown, hidden
