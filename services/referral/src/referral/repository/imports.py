"""The import path's statements (decision 59): a council's history written with the file it came
from (``imported_from``), and what of it the register holds already."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import fields
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from continuum.persistence.uow import Transaction
from referral.domain import ChildState, DecisionRecord, ReferralState
from referral.domain.imports import HeldReferral
from referral.repository.children import already_registered
from referral.repository.rows import child_values, referral_values
from referral.tables import CHILDREN, DECISIONS, REFERRALS

_CHILD_OF_LA_CHILD_ID = select(CHILDREN.c.id).where(CHILDREN.c.la_child_id == bindparam("la_child_id"))
_HELD_REFERRALS = select(REFERRALS.c.id, REFERRALS.c.source, REFERRALS.c.decision, REFERRALS.c.team).where(
    REFERRALS.c.id.in_(bindparam("ids", expanding=True))
)
_UPDATE_CHILD = update(CHILDREN).where(CHILDREN.c.id == bindparam("child_id"))
_SET_CURRENT_STAGE = (
    update(REFERRALS).where(REFERRALS.c.id == bindparam("referral_id")).values(import_current_stage=bindparam("current_stage"))
)


async def child_with_la_child_id(tx: Transaction, la_child_id: str) -> uuid.UUID | None:
    """The id of the registered child with this LA child id, if any."""
    found: uuid.UUID | None = (await tx.session.execute(_CHILD_OF_LA_CHILD_ID, {"la_child_id": la_child_id})).scalar()
    return found


async def held_referrals(tx: Transaction, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, HeldReferral]:
    """The referrals of ``ids`` the register holds, each with its decision in force."""
    rows = (await tx.session.execute(_HELD_REFERRALS, {"ids": list(ids)})).all()
    return {r.id: HeldReferral(id=r.id, source=r.source, outcome=r.decision, team=r.team) for r in rows}


async def insert_imported_child(tx: Transaction, child: ChildState, *, source: str) -> None:
    """A child imported from ``source``; an identifier another child holds refuses it (naming it)."""
    try:
        await tx.session.execute(insert(CHILDREN), child_values(child, imported_from=source))
    except IntegrityError as exc:
        raise already_registered(exc) from exc


async def update_imported_child(tx: Transaction, child: ChildState, *, source: str, at: datetime) -> None:
    """A child's record changed by an import from ``source``."""
    values = child_values(child, updated_at=at, imported_from=source)
    values["child_id"] = values.pop("id")
    try:
        await tx.session.execute(_UPDATE_CHILD, values)
    except IntegrityError as exc:
        raise already_registered(exc) from exc


async def insert_imported_referral(tx: Transaction, referral: ReferralState, *, source: str) -> None:
    """An imported referral, decided, with its decisions (each naming the event that announced it)."""
    await tx.session.execute(insert(REFERRALS), referral_values(referral) | {"imported_from": source})
    for decision in referral.decisions:
        record = {f.name: getattr(decision, f.name) for f in fields(DecisionRecord)}
        await tx.session.execute(insert(DECISIONS), record | {"referral_id": referral.id})


async def set_import_current_stage(tx: Transaction, referral_id: uuid.UUID, current_stage: bool) -> None:
    """Whether an imported referral is its open episode's current stage, as a later return says."""
    await tx.session.execute(_SET_CURRENT_STAGE, {"referral_id": referral_id, "current_stage": current_stage})
