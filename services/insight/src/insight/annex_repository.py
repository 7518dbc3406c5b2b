"""The queries of Ofsted's Annex A and of the staff directory that names its workers, as
SQLAlchemy Core through ``tx.session``: the events a list reads, the names of the workers it shows,
remembering each authenticated caller (written only when new or changed, or first seen that day)
and loading a directory export."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from continuum.casework import clock
from continuum.persistence.uow import Transaction
from insight.domain import CaseEvent
from insight.domain.annex_a_rows import ANNEX_EVENT_TYPES
from insight.tables import CASE_EVENTS, EPISODES, STAFF

#: What this process last wrote for each caller (sub -> name, teams, day): a caller seen again the
#: same day with the same claims costs no statement at all.
_REMEMBERED: dict[str, tuple[str | None, tuple[str, ...], str]] = {}


async def annex_events(tx: Transaction, *, before: datetime) -> tuple[list[CaseEvent], dict[uuid.UUID, uuid.UUID]]:
    """Every event Annex A reads recorded before ``before`` (time order, then id), and each case's child."""
    stmt = (
        select(CASE_EVENTS)
        .where(CASE_EVENTS.c.event_type.in_(ANNEX_EVENT_TYPES), CASE_EVENTS.c.occurred_at < before)
        .order_by(CASE_EVENTS.c.occurred_at, CASE_EVENTS.c.id)
    )
    events = [_case_event(r) for r in (await tx.session.execute(stmt)).all()]
    cases = {r.case_id: r.child_id for r in (await tx.session.execute(select(EPISODES))).all()}
    return events, cases


def _case_event(row: Any) -> CaseEvent:
    return CaseEvent(**{f.name: getattr(row, f.name) for f in dataclasses.fields(CaseEvent)})


async def staff_names(tx: Transaction, subs: Iterable[str]) -> dict[str, str]:
    """The names the directory knows of ``subs`` (a sub without a known name is left out)."""
    wanted = sorted(set(subs))
    if not wanted:
        return {}
    stmt = select(STAFF.c.sub, STAFF.c.name).where(STAFF.c.sub.in_(wanted), STAFF.c.name.is_not(None))
    return {r.sub: r.name for r in (await tx.session.execute(stmt)).all()}


async def remember_caller(tx: Transaction) -> None:
    """Record the caller in the staff directory: its ``sub``, the ``name`` claim (none when the
    token carries none: the kernel then names the principal by its sub), its teams and the day it
    was last seen. Written only when new, changed, or not yet seen today."""
    principal = tx.principal_or_fail()
    name = principal.name if principal.name != principal.sub else None
    teams, today = tuple(sorted(principal.teams)), clock.today()
    memo = (name, teams, today.isoformat())
    if _REMEMBERED.get(principal.sub) == memo:
        return
    values = {"sub": principal.sub, "name": name, "teams": list(teams), "last_seen_on": today, "updated_at": clock.now()}
    stmt = pg_insert(STAFF).values(**values)
    changed = (
        STAFF.c.name.is_distinct_from(func.coalesce(stmt.excluded.name, STAFF.c.name))
        | (STAFF.c.teams != stmt.excluded.teams)
        | STAFF.c.last_seen_on.is_distinct_from(stmt.excluded.last_seen_on)
    )
    # A token without a name claim never erases a name the directory or an earlier token gave.
    await tx.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[STAFF.c.sub],
            set_={
                "name": func.coalesce(stmt.excluded.name, STAFF.c.name),
                "teams": stmt.excluded.teams,
                "last_seen_on": stmt.excluded.last_seen_on,
                "updated_at": stmt.excluded.updated_at,
            },
            where=changed,
        )
    )
    _REMEMBERED[principal.sub] = memo


async def load_staff(tx: Transaction, staff: Iterable[tuple[str, str, tuple[str, ...]]]) -> int:
    """Record each (sub, name, teams) of a directory export; loading the same export again changes
    nothing. When the directory was seen calling insight, the day it was last seen is kept."""
    now = clock.now()
    values = [{"sub": s, "name": n, "teams": sorted(set(t)), "last_seen_on": None, "updated_at": now} for s, n, t in staff]
    if not values:
        return 0
    stmt = pg_insert(STAFF).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[STAFF.c.sub],
        set_={"name": stmt.excluded.name, "teams": stmt.excluded.teams, "updated_at": stmt.excluded.updated_at},
        where=STAFF.c.name.is_distinct_from(stmt.excluded.name) | (STAFF.c.teams != stmt.excluded.teams),
    )
    await tx.session.execute(stmt)
    _REMEMBERED.clear()  # the directory may have renamed someone a memo still holds
    return len(values)
