"""The lists: the team worklist, the assessments of a case, referral or child, and the
authorised ones the measures count."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    Row,
    Select,
    and_,
    not_,
    or_,
    select,
)

from assessment.domain import (
    OPEN_STATUSES,
    AssessmentState,
    Completed,
    Status,
)
from assessment.repository.rows import ASSESSMENTS, CHILDREN, assessment_state
from continuum.casework.principal import Principal
from continuum.persistence.uow import Transaction
from continuum.web.pagination import decode_cursor


def _visible_clause(principal: Principal) -> Any:
    """``may_see`` in SQL; never NULL, so that its negation finds the others."""
    return or_(
        ASSESSMENTS.c.team.in_(sorted(principal.teams)),
        ASSESSMENTS.c.lead_practitioner.is_not_distinct_from(principal.sub),
    )


def _in_teams(stmt: Select[Any], teams: list[str] | None) -> Select[Any]:
    return stmt if teams is None else stmt.where(ASSESSMENTS.c.team.in_(teams))


async def worklist(tx: Transaction, *, teams: list[str] | None, cursor: str | None, limit: int) -> Sequence[Row[Any]]:
    """Open assessments of ``teams`` (``None``: all), fewest working days left first, with the
    child's name; ``limit + 1`` rows, the last only saying there is another page."""
    stmt = (
        select(ASSESSMENTS, CHILDREN.c.given_name, CHILDREN.c.family_name)
        .outerjoin(CHILDREN, CHILDREN.c.id == ASSESSMENTS.c.child_id)
        .where(ASSESSMENTS.c.status.in_(OPEN_STATUSES))
        .order_by(ASSESSMENTS.c.due_date, ASSESSMENTS.c.id)
        .limit(limit + 1)
    )
    if cursor:
        due, last = decode_cursor(cursor, date.fromisoformat)
        stmt = stmt.where(or_(ASSESSMENTS.c.due_date > due, and_(ASSESSMENTS.c.due_date == due, ASSESSMENTS.c.id > last)))
    rows: Sequence[Row[Any]] = (await tx.session.execute(_in_teams(stmt, teams))).all()
    return rows


def _filter(case_id: uuid.UUID | None, referral_id: uuid.UUID | None, child_id: uuid.UUID | None) -> Any:
    if case_id is not None:
        return ASSESSMENTS.c.case_id == case_id
    if referral_id is not None:
        return ASSESSMENTS.c.referral_id == referral_id
    return ASSESSMENTS.c.child_id == child_id


async def find(
    tx: Transaction,
    *,
    principal: Principal,
    case_id: uuid.UUID | None = None,
    referral_id: uuid.UUID | None = None,
    child_id: uuid.UUID | None = None,
    cursor: str | None,
    limit: int,
) -> tuple[list[AssessmentState], list[uuid.UUID]]:
    """The assessments of a case, a referral or a child (exactly one is given) that ``principal``
    may see, oldest referral first, ``limit + 1`` of them; and the children of those it may not."""
    matches = _filter(case_id, referral_id, child_id)
    stmt = select(ASSESSMENTS).where(matches).order_by(ASSESSMENTS.c.referral_date, ASSESSMENTS.c.id).limit(limit + 1)
    if cursor:
        on, last = decode_cursor(cursor, date.fromisoformat)
        stmt = stmt.where(or_(ASSESSMENTS.c.referral_date > on, and_(ASSESSMENTS.c.referral_date == on, ASSESSMENTS.c.id > last)))
    hidden: list[uuid.UUID] = []
    if not principal.sees_all_teams:
        stmt = stmt.where(_visible_clause(principal))
        others = select(ASSESSMENTS.c.child_id).where(matches, not_(_visible_clause(principal))).distinct()
        hidden = list((await tx.session.execute(others)).scalars())
    rows = (await tx.session.execute(stmt)).all()
    return [assessment_state(r) for r in rows], hidden


async def completed(tx: Transaction, *, date_from: date, date_to: date, teams: list[str] | None) -> list[Completed]:
    """Assessments authorised in the range (inclusive), as the measures count them."""
    a = ASSESSMENTS.c
    stmt = select(a.team, a.referral_date, a.start_date, a.authorisation_date, a.outcome).where(
        a.status == Status.AUTHORISED, a.authorisation_date >= date_from, a.authorisation_date <= date_to
    )
    rows = (await tx.session.execute(_in_teams(stmt, teams))).all()
    return [Completed(r.team, r.referral_date, r.start_date, r.authorisation_date, r.outcome) for r in rows]
