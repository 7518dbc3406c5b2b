"""The register of children: loads (visible to this caller, or refused as if missing, audited),
a new child, a changed one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from continuum.casework.errors import DomainError, Invalid, NotFound
from continuum.persistence.uow import Transaction
from referral.domain import ChildState, may_see_case
from referral.repository.rows import KnownChild, child_state, child_values, known, known_children
from referral.tables import CHILDREN

_CHILD_BY_ID = known_children(CHILDREN.c.id == bindparam("child_id"), "id")
_LOCK_CHILD = select(CHILDREN.c.id).where(CHILDREN.c.id == bindparam("child_id")).with_for_update()
_INSERT_CHILD = insert(CHILDREN)
_UPDATE_CHILD = update(CHILDREN).where(CHILDREN.c.id == bindparam("child_id"))


async def child(tx: Transaction, child_id: uuid.UUID) -> ChildState:
    """A child the caller already reached through a visible record (its referral)."""
    row = (await tx.session.execute(_CHILD_BY_ID, {"child_id": child_id})).one()
    return child_state(row)


async def known_child(tx: Transaction, child_id: uuid.UUID, *, lock: bool = False) -> KnownChild | None:
    """The child with its referral history; ``lock``: locked first (until the unit of work ends),
    and read after the lock is held. A row lock waited for does not refresh the rest of the
    statement's snapshot, so the history is read by a statement of its own: a referral that
    another intake committed while this one waited is in it (the one-open-episode rule needs it)."""
    if lock and (await tx.session.execute(_LOCK_CHILD, {"child_id": child_id})).first() is None:
        return None
    row = (await tx.session.execute(_CHILD_BY_ID, {"child_id": child_id})).first()
    return known(row) if row is not None else None


async def visible_child(
    tx: Transaction, child_id: uuid.UUID, *, purpose: str, lock: bool = False, refusal: DomainError | None = None
) -> KnownChild:
    """The child, if the caller may see it (the front door sees every child; others once it has a
    referral of one of their teams). Otherwise ``refusal`` (404 by default), whether it is missing
    or hidden: the answer never tells which, and the refusal is audited."""
    found = await known_child(tx, child_id, lock=lock)
    if found is None or not may_see_case(tx.principal, found.teams):
        tx.audit_refusal("child.read", subject_type="child", subject_id=child_id, purpose=purpose)
        raise refusal or NotFound("Child")
    return found


def already_registered(exc: IntegrityError) -> Invalid:
    """The unique index that refused the write says which identifier is another child's."""
    message = str(exc.orig)
    field = "la_child_id" if "la_child_id" in message else "upn" if "uq_children_upn" in message else "nhs_number"
    return Invalid(field, "is already registered to another child")


async def insert_child(tx: Transaction, child: ChildState) -> None:
    try:
        await tx.session.execute(_INSERT_CHILD, child_values(child))
    except IntegrityError as exc:
        raise already_registered(exc) from exc


@dataclass
class Children:
    """The register as the store of a child's change (``continuum.persistence.change.change_one``):
    the child with its referral history, visible to the caller and locked; saved at ``at``."""

    at: datetime
    subject_type: str = "child"

    async def load(self, tx: Transaction, id: uuid.UUID, *, purpose: str) -> KnownChild:
        return await visible_child(tx, id, purpose=purpose, lock=True)

    async def save(self, tx: Transaction, before: KnownChild, after: KnownChild, *, action: str) -> None:
        await update_child(tx, after.child, at=self.at)


async def update_child(tx: Transaction, child: ChildState, *, at: datetime) -> None:
    values = child_values(child, updated_at=at)
    values["child_id"] = values.pop("id")  # the row to update; its id does not change
    try:
        await tx.session.execute(_UPDATE_CHILD, values)
    except IntegrityError as exc:
        raise already_registered(exc) from exc
