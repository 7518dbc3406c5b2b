"""Every query of the step-down service but the measures' and the audit's (``reporting``): the
visible-to-this-caller loads (another team's record answers 404, audited), the scheduler's claim,
the lists. Rows become domain states in ``rows``."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from continuum.casework.errors import NotFound
from continuum.casework.principal import Principal
from continuum.persistence.uow import Transaction
from continuum.web.pagination import decode_cursor, encode_cursor
from stepdown.domain import ChildFacts, Episode, EscalatedHandover, Stepdown, StepdownStatus, StepUp
from stepdown.rows import (
    episode_state,
    episode_values,
    escalated_handover,
    step_up_state,
    step_up_values,
    stepdown_state,
    stepdown_values,
)
from stepdown.tables import CHILDREN, EPISODES, ESCALATIONS, STEP_UPS, STEPDOWNS

T = TypeVar("T")


@dataclass(frozen=True)
class Listed(Generic[T]):
    """A page of a list: its items and the cursor of the next page (``None`` on the last)."""

    items: list[T]
    next_cursor: str | None


def _listed(rows: Sequence[Any], limit: int, *, item: Callable[[Any], T], position: Callable[[Any], Any]) -> Listed[T]:
    """A page from ``rows`` fetched with ``LIMIT limit + 1``: the extra row only says there is more."""
    shown, more = rows[:limit], len(rows) > limit
    return Listed([item(r) for r in shown], encode_cursor(*position(shown[-1])) if more and shown else None)


# --- episodes ---------------------------------------------------------------------------------------


async def episode(tx: Transaction, case_id: uuid.UUID) -> Episode | None:
    """The episode, locked: the events of one case are applied one at a time, and the history
    import's closure of it waits for them (or they for it). The case's advisory lock comes first,
    so two writers of an episode neither has yet queue, and the second reads the first's row
    rather than overwriting it."""
    await tx.session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"stepdown.episode|{case_id}", 0))))
    found = (await tx.session.execute(select(EPISODES).where(EPISODES.c.case_id == case_id).with_for_update())).first()
    return episode_state(found) if found else None


async def episodes_of_child(tx: Transaction, child_id: uuid.UUID) -> list[Episode]:
    stmt = select(EPISODES).where(EPISODES.c.child_id == child_id).order_by(EPISODES.c.referral_date, EPISODES.c.case_id)
    return [episode_state(r) for r in (await tx.session.execute(stmt)).all()]


async def save_episode(tx: Transaction, e: Episode) -> None:
    values = episode_values(e)
    stmt = pg_insert(EPISODES).values(case_id=e.case_id, **values)
    await tx.session.execute(stmt.on_conflict_do_update(index_elements=[EPISODES.c.case_id], set_=values))


# --- step-downs -------------------------------------------------------------------------------------


async def add_stepdown(tx: Transaction, s: Stepdown) -> None:
    await tx.session.execute(pg_insert(STEPDOWNS).values(id=s.id, **stepdown_values(s)))


async def save_stepdown(tx: Transaction, s: Stepdown) -> None:
    await tx.session.execute(update(STEPDOWNS).where(STEPDOWNS.c.id == s.id).values(**stepdown_values(s)))


def may_see(principal: Principal, team: str, receiving_team: str | None) -> bool:
    """The social-care team's and the receiving early help team's people see a step-down."""
    return principal.can_see_team(team) or (receiving_team is not None and principal.can_see_team(receiving_team))


async def visible_stepdown(
    tx: Transaction, stepdown_id: uuid.UUID, *, purpose: str, lock: bool = False, receiving_only: bool = False
) -> Stepdown:
    """The step-down if the caller may see it (``receiving_only``: as the receiving early help
    team); else 404, audited, whether it is missing or another team's."""
    stmt = select(STEPDOWNS).where(STEPDOWNS.c.id == stepdown_id)
    row = (await tx.session.execute(stmt.with_for_update() if lock else stmt)).first()
    principal = tx.principal_or_fail()
    allowed = row is not None and (
        principal.can_see_team(row.receiving_team)
        if receiving_only and row.receiving_team
        else may_see(principal, row.team, row.receiving_team)
    )
    if row is None or not allowed:
        tx.audit_refusal("stepdown.read", subject_type="stepdown", subject_id=stepdown_id, purpose=purpose)
        raise NotFound("Step-down")
    return stepdown_state(row)


async def stepdowns_of_child(tx: Transaction, child_id: uuid.UUID) -> list[Stepdown]:
    stmt = select(STEPDOWNS).where(STEPDOWNS.c.child_id == child_id).order_by(STEPDOWNS.c.requested_at).with_for_update()
    return [stepdown_state(r) for r in (await tx.session.execute(stmt)).all()]


async def child_facts(tx: Transaction, child_id: uuid.UUID) -> ChildFacts | None:
    """What the local copy of the child holds that the rules read (``None``: no copy yet)."""
    stmt = select(CHILDREN.c.nhs_number, CHILDREN.c.date_of_birth, CHILDREN.c.date_of_death).where(CHILDREN.c.id == child_id)
    found = (await tx.session.execute(stmt)).first()
    return ChildFacts(found.nhs_number, found.date_of_birth, found.date_of_death) if found else None


async def child_known(tx: Transaction, child_id: uuid.UUID) -> bool:
    """Children's social care knows the child: its copy is here, or an episode of theirs is."""
    known = (
        select(CHILDREN.c.id)
        .where(CHILDREN.c.id == child_id)
        .union_all(select(EPISODES.c.case_id).where(EPISODES.c.child_id == child_id))
    )
    return (await tx.session.execute(known.limit(1))).first() is not None


def _of_teams(teams: list[str]) -> Any:
    return or_(STEPDOWNS.c.team.in_(teams), STEPDOWNS.c.receiving_team.in_(teams))


def _of_record(stmt: Any, *, child_id: uuid.UUID | None, case_id: uuid.UUID | None) -> Any:
    if child_id is not None:
        stmt = stmt.where(STEPDOWNS.c.child_id == child_id)
    if case_id is not None:
        stmt = stmt.where(STEPDOWNS.c.case_id == case_id)
    return stmt


async def list_stepdowns(
    tx: Transaction,
    *,
    teams: list[str] | None,
    status: StepdownStatus | None,
    child_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    cursor: str | None,
    limit: int,
) -> Listed[Stepdown]:
    """Step-downs of ``teams`` (as the social-care or the receiving team; ``None``: all), of one
    child or case if asked, newest first."""
    stmt = _of_record(select(STEPDOWNS), child_id=child_id, case_id=case_id)
    if teams is not None:
        stmt = stmt.where(_of_teams(teams))
    if status is not None:
        stmt = stmt.where(STEPDOWNS.c.status == status)
    if cursor:
        at, last = decode_cursor(cursor, datetime.fromisoformat)
        stmt = stmt.where(or_(STEPDOWNS.c.requested_at < at, and_(STEPDOWNS.c.requested_at == at, STEPDOWNS.c.id < last)))
    stmt = stmt.order_by(STEPDOWNS.c.requested_at.desc(), STEPDOWNS.c.id.desc()).limit(limit + 1)
    rows = (await tx.session.execute(stmt)).all()
    return _listed(rows, limit, item=stepdown_state, position=lambda r: (r.requested_at, r.id))


async def hidden_children(
    tx: Transaction, *, teams: list[str], child_id: uuid.UUID | None, case_id: uuid.UUID | None
) -> list[uuid.UUID]:
    """The children of the step-downs of that child or case the caller may not see (their refusal
    is audited; the answer leaves them out and never says they exist)."""
    stmt = _of_record(select(STEPDOWNS.c.child_id).distinct(), child_id=child_id, case_id=case_id)
    return list((await tx.session.execute(stmt.where(~_of_teams(teams)))).scalars())


async def stepdowns_by_ids(tx: Transaction, ids: list[uuid.UUID]) -> list[Stepdown]:
    if not ids:
        return []
    return [stepdown_state(r) for r in (await tx.session.execute(select(STEPDOWNS).where(STEPDOWNS.c.id.in_(ids)))).all()]


# --- escalation -------------------------------------------------------------------------------------


async def claim_overdue(tx: Transaction, *, today: date, batch_size: int) -> list[Stepdown]:
    """Pending handovers past their deadline and not escalated, locked; rows another replica holds
    are skipped, and one it escalated and committed no longer matches."""
    stmt = (
        select(STEPDOWNS)
        .where(
            STEPDOWNS.c.status == StepdownStatus.PENDING,
            STEPDOWNS.c.escalated_at.is_(None),
            STEPDOWNS.c.response_due < today,
        )
        .order_by(STEPDOWNS.c.response_due, STEPDOWNS.c.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    return [stepdown_state(r) for r in (await tx.session.execute(stmt)).all()]


async def add_escalation(tx: Transaction, s: Stepdown) -> bool:
    """The manager's worklist item; ``False`` when the handover had one already (the unique key:
    a racing replica's insert does nothing, and its transaction then publishes nothing)."""
    assert s.escalated_at is not None and s.escalation_reason is not None and s.response_due is not None
    stmt = (
        pg_insert(ESCALATIONS)
        .values(
            id=uuid.uuid4(),
            stepdown_id=s.id,
            case_id=s.case_id,
            child_id=s.child_id,
            team=s.team,
            reason=s.escalation_reason,
            response_due=s.response_due,
            escalated_at=s.escalated_at,
        )
        .on_conflict_do_nothing(index_elements=[ESCALATIONS.c.stepdown_id])
        .returning(ESCALATIONS.c.id)
    )
    return (await tx.session.execute(stmt)).first() is not None


async def escalations(tx: Transaction, *, teams: list[str] | None, cursor: str | None, limit: int) -> Listed[EscalatedHandover]:
    """Escalated handovers not closed yet, oldest first: the team manager's worklist. A withdrawn one
    (the front door corrected its decision) is not early help's any more, and leaves it."""
    stmt = (
        select(ESCALATIONS, STEPDOWNS.c.status, STEPDOWNS.c.version)
        .join(STEPDOWNS, STEPDOWNS.c.id == ESCALATIONS.c.stepdown_id)
        .where(
            STEPDOWNS.c.closure_date.is_(None),
            STEPDOWNS.c.status.not_in([StepdownStatus.ACCEPTED, StepdownStatus.WITHDRAWN]),
        )
    )
    if teams is not None:
        stmt = stmt.where(ESCALATIONS.c.team.in_(teams))
    if cursor:
        at, last = decode_cursor(cursor, datetime.fromisoformat)
        stmt = stmt.where(or_(ESCALATIONS.c.escalated_at > at, and_(ESCALATIONS.c.escalated_at == at, ESCALATIONS.c.id > last)))
    rows = (await tx.session.execute(stmt.order_by(ESCALATIONS.c.escalated_at, ESCALATIONS.c.id).limit(limit + 1))).all()
    return _listed(rows, limit, item=escalated_handover, position=lambda r: (r.escalated_at, r.id))


# --- step-ups ---------------------------------------------------------------------------------------


async def add_step_up(tx: Transaction, s: StepUp) -> None:
    await tx.session.execute(pg_insert(STEP_UPS).values(**step_up_values(s)))


async def step_up(tx: Transaction, step_up_id: uuid.UUID) -> Any:
    return (await tx.session.execute(select(STEP_UPS).where(STEP_UPS.c.id == step_up_id))).first()


async def visible_step_up(tx: Transaction, step_up_id: uuid.UUID, *, purpose: str) -> StepUp:
    """The step-up if the caller asked for it, or sees its team or the step-down it followed; else
    404, audited."""
    row = await step_up(tx, step_up_id)
    principal = tx.principal_or_fail()
    visible = row is not None and (row.requested_by == principal.sub or principal.can_see_team(row.team))
    if row is not None and not visible and row.stepdown_id is not None:
        linked = await stepdown_row(tx, row.stepdown_id)
        visible = linked is not None and may_see(principal, linked.team, linked.receiving_team)
    if row is None or not visible:
        tx.audit_refusal("step_up.read", subject_type="step_up", subject_id=step_up_id, purpose=purpose)
        raise NotFound("Step-up")
    return step_up_state(row)


async def stepdown_locked(tx: Transaction, stepdown_id: uuid.UUID) -> Stepdown | None:
    """A step-down for a consumer to change (no caller to check: the event decides), locked."""
    row = (await tx.session.execute(select(STEPDOWNS).where(STEPDOWNS.c.id == stepdown_id).with_for_update())).first()
    return None if row is None else stepdown_state(row)


async def standing_stepdown_of_case(tx: Transaction, case_id: uuid.UUID) -> Stepdown | None:
    """The case's transition that stands (not withdrawn: at most one), locked, for the history import."""
    stmt = select(STEPDOWNS).where(STEPDOWNS.c.case_id == case_id, STEPDOWNS.c.status != StepdownStatus.WITHDRAWN)
    row = (await tx.session.execute(stmt.with_for_update())).first()
    return None if row is None else stepdown_state(row)


async def stepdown_row(tx: Transaction, stepdown_id: uuid.UUID) -> Any:
    return (await tx.session.execute(select(STEPDOWNS).where(STEPDOWNS.c.id == stepdown_id))).first()
