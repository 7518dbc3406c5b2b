"""A plan's history lists (versions, reviews, visits, meetings), paged oldest first: the plan's
read carries the first page of each, and each list's own route pages the rest. The repository's
half that the views share (a row's place in its list is the cursor they give out)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import Table, func, literal, select, tuple_

from continuum.persistence.uow import Transaction
from plan.tables import Meeting, PlanVersion, Review, Visit

VERSIONS = cast(Table, PlanVersion.__table__)
REVIEWS = cast(Table, Review.__table__)
VISITS = cast(Table, Visit.__table__)
MEETINGS = cast(Table, Meeting.__table__)

#: The lists of a plan's history, paged (a plan's read carries the first page of each).
HistoryKind = Literal["versions", "reviews", "visits", "meetings"]
HISTORY_KINDS: tuple[HistoryKind, ...] = ("versions", "reviews", "visits", "meetings")


@dataclass(frozen=True)
class _History:
    """A history list: its table, when each row was recorded, and the key that orders it (a
    per-plan sequence, the version or review number, or the row id after the instant)."""

    table: Table
    at: str
    key: str
    sequence: bool


_HISTORY: dict[str, _History] = {
    "versions": _History(VERSIONS, "changed_at", "version", sequence=True),
    "reviews": _History(REVIEWS, "recorded_at", "number", sequence=True),
    "visits": _History(VISITS, "recorded_at", "id", sequence=False),
    "meetings": _History(MEETINGS, "scheduled_at", "id", sequence=False),
}


@dataclass(frozen=True)
class HistoryPage:
    """Up to ``limit + 1`` rows of a history list after the cursor (the extra one only says there
    is more), and how many rows the list holds after the cursor."""

    rows: Sequence[Any]
    total: int


def history_position(kind: str, row: Any) -> tuple[datetime, uuid.UUID]:
    """A row's place in its list, as a cursor holds it (a sequence number travels as a UUID)."""
    h = _HISTORY[kind]
    key = getattr(row, h.key)
    return getattr(row, h.at), uuid.UUID(int=key) if h.sequence else key


async def history_page(
    tx: Transaction, plan_id: uuid.UUID, kind: str, *, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> HistoryPage:
    """One page of the plan's ``kind`` list, oldest first, after the cursor's position."""
    h = _HISTORY[kind]
    table = h.table
    stmt = select(table, func.count().over().label("total_rows")).where(table.c.plan_id == plan_id)
    if h.sequence:
        if after is not None:
            stmt = stmt.where(table.c[h.key] > after[1].int)
        stmt = stmt.order_by(table.c[h.key])
    else:
        if after is not None:
            stmt = stmt.where(tuple_(table.c[h.at], table.c[h.key]) > tuple_(literal(after[0]), literal(after[1])))
        stmt = stmt.order_by(table.c[h.at], table.c[h.key])
    rows = (await tx.session.execute(stmt.limit(limit + 1))).all()
    return HistoryPage(rows=rows, total=rows[0].total_rows if rows else 0)
