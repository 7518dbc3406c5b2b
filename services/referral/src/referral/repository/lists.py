"""The lists: the front door's queue and a child's referrals, keyset pages."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, or_, select

from continuum.persistence.uow import Transaction
from referral.domain import ReferralStatus, sees_every_case
from referral.repository.rows import seen_by
from referral.tables import CHILDREN, INFORMATION_REQUESTS, REFERRALS

_OPEN_REQUESTS = func.count(INFORMATION_REQUESTS.c.id).filter(INFORMATION_REQUESTS.c.answered_at.is_(None))


async def queue(
    tx: Transaction, *, teams: Sequence[str] | None, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> Sequence[Row[Any]]:
    """Undecided referrals of ``teams`` (``None``: all), soonest due first, with the child's name
    and the count of unanswered information requests: ``limit + 1`` rows from the keyset ``after``."""
    statement = (
        select(REFERRALS, CHILDREN.c.given_name, CHILDREN.c.family_name, _OPEN_REQUESTS.label("open_requests"))
        .join(CHILDREN, CHILDREN.c.id == REFERRALS.c.child_id)
        .outerjoin(INFORMATION_REQUESTS, INFORMATION_REQUESTS.c.referral_id == REFERRALS.c.id)
        .where(REFERRALS.c.status == ReferralStatus.RECEIVED)
        .group_by(REFERRALS.c.id, CHILDREN.c.given_name, CHILDREN.c.family_name)
        .order_by(REFERRALS.c.decision_due_at, REFERRALS.c.id)
        .limit(limit + 1)
    )
    if teams is not None:
        statement = statement.where(REFERRALS.c.team.in_(teams))
    if after is not None:
        due, rid = after
        due_col, id_col = REFERRALS.c.decision_due_at, REFERRALS.c.id
        statement = statement.where(or_(due_col > due, and_(due_col == due, id_col > rid)))
    return (await tx.session.execute(statement)).all()


async def referrals_of_child(
    tx: Transaction, child_id: uuid.UUID, *, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> Sequence[Row[Any]]:
    """The child's referrals the caller may see, oldest first: ``limit + 1`` rows from the keyset
    ``after`` (each with the decision in force, as the referral row keeps it)."""
    principal = tx.principal
    teams = None if sees_every_case(principal) else sorted(principal.teams if principal else ())
    statement = (
        select(REFERRALS)
        .where(REFERRALS.c.child_id == child_id, seen_by(teams))
        .order_by(REFERRALS.c.received_at, REFERRALS.c.id)
        .limit(limit + 1)
    )
    if after is not None:
        at, rid = after
        at_col, id_col = REFERRALS.c.received_at, REFERRALS.c.id
        statement = statement.where(or_(at_col > at, and_(at_col == at, id_col > rid)))
    return (await tx.session.execute(statement)).all()
