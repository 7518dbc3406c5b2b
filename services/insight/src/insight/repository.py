"""Every query of the read model, as SQLAlchemy Core through ``tx.session``: record an event once,
keep each case's child and each child's teams, empty it all for a rebuild, the child the caller may see (else 404, the refusal
audited), a child's chronology as a keyset page, and the local copy of the child."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import String, and_, any_, bindparam, delete, literal_column, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from continuum.casework import clock
from continuum.casework.errors import NotFound
from continuum.persistence.collected import WRITE_COLLECTED
from continuum.persistence.db import Prebuilt, inbox
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


_ADD_EVENTS = text(
    """INSERT INTO case_events (id, topic, event_type, schema_version, case_id, child_id, team, occurred_at, data,
                             recorded_at)
    SELECT e.*, CAST(:recorded_at AS timestamptz)
      FROM unnest(CAST(:ids AS uuid[]), CAST(:topics AS text[]), CAST(:types AS text[]), CAST(:versions AS int[]),
                  CAST(:cases AS uuid[]), CAST(:children AS uuid[]), CAST(:teams AS text[]), CAST(:times AS timestamptz[]),
                  CAST(CAST(:data AS text[]) AS jsonb[])) AS e
    ON CONFLICT (id) DO NOTHING RETURNING id"""
)
_ADD_EPISODES = text(
    """INSERT INTO episodes (case_id, child_id) SELECT * FROM unnest(CAST(:cases AS uuid[]), CAST(:children AS uuid[]))
    ON CONFLICT (case_id) DO NOTHING"""
)
_ADD_CHILDREN_TEAMS = text(
    """INSERT INTO child_teams (id, teams)
    SELECT c, array_agg(DISTINCT t ORDER BY t)
      FROM unnest(CAST(:children AS uuid[]), CAST(:teams AS text[])) AS u (c, t) GROUP BY c
    ON CONFLICT (id) DO UPDATE
       SET teams = ARRAY(SELECT DISTINCT t FROM unnest(child_teams.teams || excluded.teams) AS t ORDER BY t)
    WHERE NOT child_teams.teams @> excluded.teams"""
)


async def add_events(tx: Transaction, events: list[CaseEvent]) -> set[uuid.UUID]:
    """Record ``events`` with one statement, each unless its id is recorded already; the new ones' ids."""
    if not events:
        return set()
    params = {
        "recorded_at": clock.now(),
        "ids": [e.id for e in events],
        "topics": [e.topic for e in events],
        "types": [e.event_type for e in events],
        "versions": [e.schema_version for e in events],
        "cases": [e.case_id for e in events],
        "children": [e.child_id for e in events],
        "teams": [e.team for e in events],
        "times": [e.occurred_at for e in events],
        "data": [orjson.dumps(e.data).decode() for e in events],
    }
    return set((await tx.session.execute(_ADD_EVENTS, params)).scalars())


async def add_episodes(tx: Transaction, pairs: list[tuple[uuid.UUID, uuid.UUID]]) -> None:
    """Remember each case's child (the first named wins, as a case is of one child for ever)."""
    if pairs:
        found = dict(reversed(pairs))  # the first pair of each case
        await tx.session.execute(_ADD_EPISODES, {"cases": list(found), "children": list(found.values())})


async def add_children_teams(tx: Transaction, pairs: list[tuple[uuid.UUID, str]]) -> None:
    """Add each (child, team) to the teams that have held the child, with one statement."""
    if pairs:
        await tx.session.execute(_ADD_CHILDREN_TEAMS, {"children": [c for c, _ in pairs], "teams": [t for _, t in pairs]})


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


@dataclass
class ChildEvents:
    """One child's census events, in time order then id, and the child of each case among them
    whose events name only the case (for :func:`insight.domain.fold`)."""

    child_id: uuid.UUID
    events: list[CaseEvent]
    cases: dict[uuid.UUID, uuid.UUID]


#: Rows fetched from the server-side cursor at a time: about thirty children's. Few, because every
#: row held is an object the garbage collector scans again each time it runs (it runs every few
#: hundred objects made): 5,000 at a time made the census of 400,000 children 66 s, 200 make it 47 s;
#: a fetch is a round trip, so fewer would cost more on a network (bench/README.md).
CENSUS_BATCH = 200
#: The census's columns: a ``CaseEvent``'s fields, in their order (not ``recorded_at``, which it never reads).
_CENSUS_COLUMNS = [CASE_EVENTS.c[f.name] for f in fields(CaseEvent)]
#: The census's events recorded before ``before``.
_CENSUS = and_(
    CASE_EVENTS.c.event_type == any_(bindparam("types", list(domain.CENSUS_EVENT_TYPES), type_=ARRAY(String))),
    CASE_EVENTS.c.occurred_at < bindparam("before"),
)
#: Those naming only their case, with the case's child as ``episodes`` knows it now.
_CENSUS_CASE_ONLY = Prebuilt(
    select(*_CENSUS_COLUMNS, EPISODES.c.child_id.label("owner"))
    .join(EPISODES, EPISODES.c.case_id == CASE_EVENTS.c.case_id)
    .where(_CENSUS, CASE_EVENTS.c.child_id.is_(None))
)
#: Those naming their child, by child, each child's in time order, then id.
_CENSUS_NAMED = Prebuilt(
    select(*_CENSUS_COLUMNS)
    .where(_CENSUS, CASE_EVENTS.c.child_id.is_not(None))
    .order_by(CASE_EVENTS.c.child_id, CASE_EVENTS.c.occurred_at, CASE_EVENTS.c.id),
    row=CaseEvent,
)
#: Read in the index's order (by child, then time): the rows come as soon as the read begins, and
#: a council's millions are not sorted first (on disk: they do not fit in ``work_mem``).
_IN_INDEX_ORDER = Prebuilt(text("SET LOCAL enable_sort = off"))


async def _census_case_only(tx: Transaction, before: datetime) -> dict[uuid.UUID, list[CaseEvent]]:
    """The census events recorded before ``before`` that name only their case, by the case's child
    as ``episodes`` knows it now (an event that arrived before any event naming its case and child
    is found once one has; until then it is no child's, as the fold over every event had it). The
    contracts give every census event its child, so there are none unless an older event lacked it."""
    found: dict[uuid.UUID, list[CaseEvent]] = {}
    for row in await tx.fetch(_CENSUS_CASE_ONLY, {"before": before}):
        found.setdefault(row.owner, []).append(case_event_of(row))
    return found


def _child_events(child_id: uuid.UUID, named: list[CaseEvent], case_only: list[CaseEvent]) -> ChildEvents:
    events = sorted(named + case_only, key=lambda e: (e.occurred_at, e.id)) if case_only else named
    return ChildEvents(child_id, events, {e.case_id: child_id for e in case_only if e.case_id is not None})


async def census_children(tx: Transaction, *, before: datetime) -> AsyncIterator[ChildEvents]:
    """Every child's census events recorded before ``before``, one child at a time (by child id;
    each child's in time order, then id), read through a server-side cursor in one statement (one
    snapshot), on the driver connection (a council's millions of rows: SQLAlchemy's per-row work
    would be most of the census's time), so that no more than a batch of rows is held at once."""
    case_only = await _census_case_only(tx, before)
    await tx.execute(_IN_INDEX_ORDER)
    child_id: uuid.UUID | None = None
    named: list[CaseEvent] = []
    async for batch in tx.stream(_CENSUS_NAMED, {"before": before}, batch=CENSUS_BATCH):
        for event in batch:
            if event.child_id != child_id:
                if child_id is not None:
                    yield _child_events(child_id, named, case_only.pop(child_id, []))
                child_id, named = event.child_id, []
            named.append(event)
    if child_id is not None:
        yield _child_events(child_id, named, case_only.pop(child_id, []))
    for owner, events in sorted(case_only.items()):
        yield _child_events(owner, [], events)


async def write_audits(tx: Transaction) -> None:
    """Write the audit rows collected so far (in this transaction): a long answer's rows in batches."""
    await tx.execute(WRITE_COLLECTED)
