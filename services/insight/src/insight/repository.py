"""Every query of the read model, as SQLAlchemy Core through ``tx.session``: record an event once,
keep each case's child and each child's teams, empty it all for a rebuild, the child the caller may see (else 404, the refusal
audited), a child's chronology as a keyset page, and the local copy of the child."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, delete, literal_column, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from continuum.casework import clock
from continuum.casework.errors import NotFound
from continuum.persistence.db import inbox
from continuum.persistence.uow import Transaction
from continuum.web.pagination import decode_cursor, encode_cursor
from insight import domain
from insight.domain import CaseEvent
from insight.tables import CASE_EVENTS, CHILD_TEAMS, EPISODES, Child

T = TypeVar("T")


@dataclass
class Listed(Generic[T]):
    """A page of a list: its items and the cursor of the next page (``None`` on the last)."""

    items: list[T]
    next_cursor: str | None


# --- the consumer's writes --------------------------------------------------------------------------


async def add_event(tx: Transaction, event: CaseEvent) -> bool:
    """Record ``event`` unless its id is recorded already; whether it was new."""
    values = {
        "id": event.id,
        "topic": event.topic,
        "event_type": event.event_type,
        "schema_version": event.schema_version,
        "case_id": event.case_id,
        "child_id": event.child_id,
        "team": event.team,
        "occurred_at": event.occurred_at,
        "data": event.data,
        "recorded_at": clock.now(),
    }
    stmt = pg_insert(CASE_EVENTS).values(**values).on_conflict_do_nothing(index_elements=[CASE_EVENTS.c.id])
    inserted = (await tx.session.execute(stmt.returning(CASE_EVENTS.c.id))).first()
    return inserted is not None


async def add_episode(tx: Transaction, *, case_id: uuid.UUID, child_id: uuid.UUID) -> None:
    """Remember the case's child (a case is of one child for ever)."""
    stmt = pg_insert(EPISODES).values(case_id=case_id, child_id=child_id)
    await tx.session.execute(stmt.on_conflict_do_nothing(index_elements=[EPISODES.c.case_id]))


#: The teams held before and the teams named now, each once, in order.
_UNION: Any = literal_column("ARRAY(SELECT DISTINCT t FROM unnest(child_teams.teams || excluded.teams) AS t ORDER BY t)")


async def add_child_teams(tx: Transaction, *, child_id: uuid.UUID, teams: Iterable[str]) -> None:
    """Add ``teams`` to those that have held the child (a team is never taken away: it held the child)."""
    named = sorted(set(teams))
    if not named:
        return
    stmt = pg_insert(CHILD_TEAMS).values(id=child_id, teams=named)
    stmt = stmt.on_conflict_do_update(
        index_elements=[CHILD_TEAMS.c.id],
        set_={"teams": _UNION},
        where=~CHILD_TEAMS.c.teams.contains(stmt.excluded.teams),
    )
    await tx.session.execute(stmt)


async def empty_read_model(tx: Transaction) -> dict[str, int]:
    """Delete every event, episode, child's teams and child's copy of the read model, and the read
    model consumer's inbox rows (so a replay records every event again), in ``tx``: the start of a
    rebuild from nothing (decision 53). The staff directory and the audit log stay. DELETE, not
    TRUNCATE: the service's database role may not truncate. How many rows went, by table."""
    emptied: dict[str, int] = {}
    for name, table in (("case_events", CASE_EVENTS), ("episodes", EPISODES), ("child_teams", CHILD_TEAMS)):
        emptied[name] = (await tx.session.execute(delete(table))).rowcount  # type: ignore[attr-defined]
    emptied["children"] = (await tx.session.execute(delete(Child))).rowcount  # type: ignore[attr-defined]
    gone = await tx.session.execute(delete(inbox).where(inbox.c.consumer == domain.READ_MODEL_CONSUMER))
    emptied["inbox"] = gone.rowcount  # type: ignore[attr-defined]
    return emptied


# --- the reads --------------------------------------------------------------------------------------


async def visible_child(tx: Transaction, child_id: uuid.UUID, *, action: str, purpose: str) -> list[str]:
    """The teams that have held the child, if the caller may see it (one of them is the caller's,
    or the caller sees every team); else 404, whether the read model has never heard of the child
    or no team of the caller's ever held it, the refusal audited."""
    teams = (await tx.session.execute(select(CHILD_TEAMS.c.teams).where(CHILD_TEAMS.c.id == child_id))).scalar_one_or_none()
    principal = tx.principal_or_fail()
    if teams is None or not (principal.sees_all_teams or principal.teams.intersection(teams)):
        tx.audit_refusal(action, subject_type="child", subject_id=child_id, purpose=purpose)
        raise NotFound("Child")
    return list(teams)


def _of_child(child_id: uuid.UUID) -> Any:
    """The events of the child: those that name it, and those of its cases that name only the case."""
    cases = select(EPISODES.c.case_id).where(EPISODES.c.child_id == child_id)
    return or_(CASE_EVENTS.c.child_id == child_id, CASE_EVENTS.c.case_id.in_(cases))


def case_event_of(row: Any) -> CaseEvent:
    return CaseEvent(
        id=row.id,
        topic=row.topic,
        event_type=row.event_type,
        schema_version=row.schema_version,
        case_id=row.case_id,
        child_id=row.child_id,
        team=row.team,
        occurred_at=row.occurred_at,
        data=row.data,
    )


async def chronology(tx: Transaction, child_id: uuid.UUID, *, cursor: str | None, limit: int) -> Listed[CaseEvent]:
    """The child's events in time order (the envelope's time, then the event id: a stable order
    whatever order they arrived in), one page from ``cursor``."""
    stmt = select(CASE_EVENTS).where(_of_child(child_id))
    if cursor:
        at, last = decode_cursor(cursor, datetime.fromisoformat)
        stmt = stmt.where(or_(CASE_EVENTS.c.occurred_at > at, and_(CASE_EVENTS.c.occurred_at == at, CASE_EVENTS.c.id > last)))
    stmt = stmt.order_by(CASE_EVENTS.c.occurred_at, CASE_EVENTS.c.id).limit(limit + 1)
    rows = (await tx.session.execute(stmt)).all()
    shown, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor(shown[-1].occurred_at, shown[-1].id) if more and shown else None
    return Listed([case_event_of(r) for r in shown], next_cursor)


async def child(tx: Transaction, child_id: uuid.UUID) -> Child | None:
    """The local copy of the child (``None`` until its ``child.*`` event arrives)."""
    found: Child | None = (await tx.session.execute(select(Child).where(Child.id == child_id))).scalar_one_or_none()
    return found


# --- the census -------------------------------------------------------------------------------------


async def census_events(tx: Transaction, *, before: datetime) -> tuple[list[CaseEvent], dict[uuid.UUID, uuid.UUID]]:
    """Every event the census reads recorded before ``before`` (time order, then id), and each
    case's child (for the events that name only their case)."""
    stmt = (
        select(CASE_EVENTS)
        .where(CASE_EVENTS.c.event_type.in_(domain.CENSUS_EVENT_TYPES), CASE_EVENTS.c.occurred_at < before)
        .order_by(CASE_EVENTS.c.occurred_at, CASE_EVENTS.c.id)
    )
    events = [case_event_of(r) for r in (await tx.session.execute(stmt)).all()]
    cases = {r.case_id: r.child_id for r in (await tx.session.execute(select(EPISODES))).all()}
    return events, cases
