"""Contacts: step-ups from early help recorded on a child's open episode instead of a second one
(decision 34), and the front door's list of them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, bindparam, insert, or_, select, update

from continuum.persistence.uow import Transaction
from referral.domain import ContactState
from referral.repository.rows import seen_by
from referral.tables import CHILDREN, CONTACTS, REFERRALS

_CONTACT_FIELDS = [f.name for f in fields(ContactState)]
_INSERT_CONTACT = insert(CONTACTS)
_CONTACTS_OF_REFERRAL = (
    select(CONTACTS).where(CONTACTS.c.referral_id == bindparam("referral_id")).order_by(CONTACTS.c.received_at, CONTACTS.c.id)
)
_HELD_CONTACTS_OF_CASE = (
    select(CONTACTS)
    .where(
        CONTACTS.c.case_id == bindparam("case_id"),
        CONTACTS.c.stepped_up_from.is_not(None),
        CONTACTS.c.became_referral_id.is_(None),
    )
    .order_by(CONTACTS.c.received_at, CONTACTS.c.id)
    .with_for_update()
)
_CONTACT_BECAME = update(CONTACTS).where(CONTACTS.c.id == bindparam("contact_id")).values(became_referral_id=bindparam("became"))


def _contact_state(row: Any) -> ContactState:
    return ContactState(**{name: getattr(row, name) for name in _CONTACT_FIELDS})


async def insert_contact(tx: Transaction, contact: ContactState) -> None:
    await tx.session.execute(_INSERT_CONTACT, {name: getattr(contact, name) for name in _CONTACT_FIELDS})


async def contacts_of_referral(tx: Transaction, referral_id: uuid.UUID) -> list[ContactState]:
    rows = (await tx.session.execute(_CONTACTS_OF_REFERRAL, {"referral_id": referral_id})).all()
    return [_contact_state(r) for r in rows]


async def held_contacts(tx: Transaction, case_id: uuid.UUID) -> list[ContactState]:
    """The step-ups held on ``case_id``'s episode that have not become referrals, locked."""
    rows = (await tx.session.execute(_HELD_CONTACTS_OF_CASE, {"case_id": case_id})).all()
    return [_contact_state(r) for r in rows]


async def contact_became(tx: Transaction, contact: ContactState, referral_id: uuid.UUID) -> None:
    await tx.session.execute(_CONTACT_BECAME, {"contact_id": contact.id, "became": referral_id})


async def contacts(
    tx: Transaction, *, teams: Sequence[str] | None, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> Sequence[Row[Any]]:
    """Contacts recorded on episodes of ``teams`` (the episode's referral team or allocated team;
    ``None``: all) that did not become referrals, oldest first, with the child's name:
    ``limit + 1`` rows from the keyset ``after``."""
    statement = (
        select(CONTACTS, CHILDREN.c.given_name, CHILDREN.c.family_name, REFERRALS.c.allocated_team)
        .join(REFERRALS, REFERRALS.c.id == CONTACTS.c.referral_id)
        .join(CHILDREN, CHILDREN.c.id == CONTACTS.c.child_id)
        .where(CONTACTS.c.became_referral_id.is_(None), seen_by(teams))
        .order_by(CONTACTS.c.received_at, CONTACTS.c.id)
        .limit(limit + 1)
    )
    if after is not None:
        at, cid = after
        statement = statement.where(or_(CONTACTS.c.received_at > at, and_(CONTACTS.c.received_at == at, CONTACTS.c.id > cid)))
    return (await tx.session.execute(statement)).all()
