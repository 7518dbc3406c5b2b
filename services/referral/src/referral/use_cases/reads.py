"""Reading referrals: one with its child and history, and a child's referrals for integrators."""

from __future__ import annotations

import uuid
from datetime import datetime

from continuum.casework import clock
from continuum.persistence.uow import Transaction, UnitOfWork
from continuum.web.pagination import Page, decode_cursor, page_of
from referral import repository, views
from referral.domain import ChildState, ReferralRecord, ReferralState
from referral.schemas import ReferralSummary

_VIEW = "view a referral"


async def referral_record(
    tx: Transaction, referral: ReferralState, *, purpose: str, now: datetime, child: ChildState | None = None, read: bool = False
) -> ReferralRecord:
    """In-transaction step: the referral with its child (a read of the child's record, audited;
    and of the referral when ``read``), its information requests and its contacts."""
    if read:
        await tx.audit("referral.read", subject_type="referral", subject_id=referral.id, purpose=purpose)
    child = child or await repository.child(tx, referral.child_id)
    await tx.audit("child.read", subject_type="child", subject_id=child.id, purpose=purpose)
    requests = await repository.information_requests(tx, referral.id)
    contacts = await repository.contacts_of_referral(tx, referral.id)
    return ReferralRecord(referral, child, now, requests, contacts)


async def get_referral(uow: UnitOfWork, *, referral_id: uuid.UUID) -> ReferralRecord:
    """A referral with its child, every decision in order and its information requests."""
    async with uow as tx:
        referral = await repository.visible_referral(tx, referral_id, purpose=_VIEW)
        return await referral_record(tx, referral, purpose=_VIEW, now=clock.now(), read=True)


async def list_referrals(uow: UnitOfWork, *, child_id: uuid.UUID, cursor: str | None, limit: int) -> Page[ReferralSummary]:
    """A child's referrals that the caller may see, oldest first (another team's child: 404)."""
    after = decode_cursor(cursor, datetime.fromisoformat) if cursor else None
    purpose = "list a child's referrals"
    async with uow as tx:
        await repository.visible_child(tx, child_id, purpose=purpose)
        rows = await repository.referrals_of_child(tx, child_id, after=after, limit=limit)
        page = page_of(rows, limit, item=views.referral_summary, position=lambda r: (r.received_at, r.id))
        await tx.audit("child.read", subject_type="child", subject_id=child_id, purpose=purpose)
        for item in page.items:
            await tx.audit("referral.read", subject_type="referral", subject_id=item.id, purpose=purpose)
        return page
