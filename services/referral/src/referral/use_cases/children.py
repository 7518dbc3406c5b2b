"""Children: register, read, update; and the in-transaction step that registers (or finds) the
child sent with a referral."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from continuum import clock
from continuum.contracts import EventData
from continuum.errors import check_version
from continuum.uow import Transaction, UnitOfWork
from referral import domain, repository, views
from referral.domain import ChildState, MatchConflict, RuleBroken
from referral.schemas import ChildIn, ChildOut, ChildPatch

#: Why a conflicting match is audited (decisions.md 20).
_MATCH_PURPOSE = {
    "front-door-review": "registration matched a child",
    "identity-conflict": "identifier matched, identity differs",
    "possible-match": "possible match",
}


async def register_or_match(
    tx: Transaction, data: ChildIn, *, today: date, field_prefix: str = ""
) -> tuple[ChildState, list[EventData], tuple[datetime, ...]]:
    """In-transaction step: the registered child that ``data`` is (its read audited), or a new
    child with its ``child.registered`` event (written by the caller). Also answers when the
    child was referred before. A conflict with the register is audited and answered as a 409."""
    identity = data.identity()
    sees_candidates = domain.sees_every_case(tx.principal)
    by_name = domain.looks_for_possible_matches(identity, confirmed_new=data.confirmed_new, sees_candidates=sees_candidates)
    same, candidates = await repository.same_children(tx, identity, by_name=by_name)
    try:
        child, events = domain.register_or_match(
            identity,
            same=same.child if same else None,
            may_see_same=same is not None and domain.may_see_case(tx.principal, same.teams),
            candidates=candidates,
            sees_candidates=sees_candidates,
            child_id=uuid.uuid4(),
            today=today,
        )
    except MatchConflict as conflict:
        outcome = "disclosed" if conflict.discloses else "refused"
        for candidate in conflict.candidates:
            purpose = _MATCH_PURPOSE[conflict.kind]
            tx.audit_refusal("child.match", subject_type="child", subject_id=candidate.child_id, purpose=purpose, outcome=outcome)
        raise views.match_problem(conflict, field_prefix) from None
    except RuleBroken as exc:
        raise exc.problem(field_prefix) from None
    if same is not None:
        await tx.audit("child.read", subject_type="child", subject_id=child.id, purpose="registration matched a registered child")
        return child, events, same.earlier_referrals
    return child, events, ()


async def register_child(uow: UnitOfWork, *, data: ChildIn) -> tuple[ChildOut, bool]:
    """Register a child, or answer the registered child it is. Returns (child, created)."""
    async with uow as tx:
        child, events, _ = await register_or_match(tx, data, today=clock.today())
        if events:
            await tx.publish_all(events, aggregate=child)
            await tx.audit("child.register", subject_type="child", subject_id=child.id, purpose="register a child")
            # One statement writes the child and the rows above: with no transaction open, the commit.
            await repository.insert_child(tx, child, final=True)
        return views.child_out(child), bool(events)


async def get_child(uow: UnitOfWork, *, child_id: uuid.UUID) -> ChildOut:
    async with uow as tx:
        known = await repository.visible_child(tx, child_id, purpose="view a child's record")
        await tx.audit("child.read", subject_type="child", subject_id=child_id, purpose="view a child's record")
        return views.child_out(known.child)


async def update_child(uow: UnitOfWork, *, child_id: uuid.UUID, patch: ChildPatch, expected_version: int | None) -> ChildOut:
    """Change a child's identity or characteristics (the version the caller read, or 412)."""
    async with uow as tx:
        known = await repository.visible_child(tx, child_id, purpose="update a child's record", lock=True)
        check_version(known.child.version, expected_version)
        now = clock.now()
        child, events = domain.update_child(
            known.child, changes=patch.model_dump(exclude_unset=True), today=clock.london_date(now)
        )
        await repository.update_child(tx, child, at=now)
        await tx.publish_all(events, aggregate=child)
        await tx.audit("child.update", subject_type="child", subject_id=child.id, purpose="update a child's record")
        return views.child_out(child)
