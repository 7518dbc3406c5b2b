"""Every query of the partners service: each agency's latest status per child (locked while a new
one is decided), the sharing log's rows written, and its keyset pages and export read."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from continuum.contracts import PartnerStatus
from continuum.persistence.uow import Transaction
from continuum.web.pagination import decode_cursor, encode_cursor
from partners.domain import Decision, Held
from partners.tables import LOG, STATUSES


@dataclass(frozen=True)
class LogEntry:
    """One row of the sharing log, as written and read."""

    id: uuid.UUID
    decided_at: datetime
    agency_id: str
    decision: Decision
    status: PartnerStatus
    since: date
    nhs_number: str | None
    child_id: uuid.UUID | None
    lawful_basis: str
    source_service: str
    source_event_id: uuid.UUID


@dataclass(frozen=True)
class LogFilter:
    """Which rows of the log: each condition only when given; ``start`` and ``end`` are instants."""

    agency_id: str | None = None
    decision: Decision | None = None
    nhs_number: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Listed:
    items: list[LogEntry]
    next_cursor: str | None


# --- the latest status each agency was sent ------------------------------------------------------


async def held(tx: Transaction, nhs_number: str) -> dict[str, Held]:
    """The latest status each agency was sent for the NHS number, locked: one child's statuses are
    decided one at a time."""
    rows = (await tx.session.execute(select(STATUSES).where(STATUSES.c.nhs_number == nhs_number).with_for_update())).all()
    return {r.agency_id: Held(r.status, r.since, r.source_time) for r in rows}


async def hold(tx: Transaction, *, agency_id: str, nhs_number: str, held: Held, source_event_id: uuid.UUID) -> None:
    """The agency was sent ``held`` for the child: what an older status now loses to."""
    values = {
        "status": held.status,
        "since": held.since,
        "source_time": held.source_time,
        "source_event_id": source_event_id,
    }
    stmt = pg_insert(STATUSES).values(agency_id=agency_id, nhs_number=nhs_number, **values)
    await tx.session.execute(
        stmt.on_conflict_do_update(index_elements=[STATUSES.c.agency_id, STATUSES.c.nhs_number], set_=values)
    )


# --- the sharing log ------------------------------------------------------------------------------


async def log(tx: Transaction, entries: Sequence[LogEntry]) -> None:
    """Append the decisions (the log is append-only: its migration forbids changing a row)."""
    if entries:
        await tx.session.execute(insert(LOG), [entry.__dict__ for entry in entries])


def _filtered(stmt: Select[Any], where: LogFilter) -> Select[Any]:
    if where.agency_id is not None:
        stmt = stmt.where(LOG.c.agency_id == where.agency_id)
    if where.decision is not None:
        stmt = stmt.where(LOG.c.decision == where.decision)
    if where.nhs_number is not None:
        stmt = stmt.where(LOG.c.nhs_number == where.nhs_number)
    if where.start is not None:
        stmt = stmt.where(LOG.c.decided_at >= where.start)
    if where.end is not None:
        stmt = stmt.where(LOG.c.decided_at < where.end)
    return stmt.order_by(LOG.c.decided_at, LOG.c.id)


def _entry(row: object) -> LogEntry:
    return LogEntry(**{name: getattr(row, name) for name in LogEntry.__dataclass_fields__})


async def page(tx: Transaction, where: LogFilter, *, cursor: str | None, limit: int) -> Listed:
    """A page of the log, oldest first (by when decided, then id), after ``cursor``."""
    stmt = _filtered(select(LOG), where)
    if cursor:
        at, last = decode_cursor(cursor, datetime.fromisoformat)
        stmt = stmt.where(or_(LOG.c.decided_at > at, and_(LOG.c.decided_at == at, LOG.c.id > last)))
    rows = (await tx.session.execute(stmt.limit(limit + 1))).all()
    shown = [_entry(r) for r in rows[:limit]]
    more = len(rows) > limit and shown
    return Listed(shown, encode_cursor(shown[-1].decided_at, shown[-1].id) if more else None)


async def every(tx: Transaction, where: LogFilter, *, at_most: int) -> list[LogEntry]:
    """Every row of the log that ``where`` selects, oldest first: at most ``at_most`` + 1 (one more
    says the selection is too big to export whole)."""
    rows = (await tx.session.execute(_filtered(select(LOG), where).limit(at_most + 1))).all()
    return [_entry(r) for r in rows]
