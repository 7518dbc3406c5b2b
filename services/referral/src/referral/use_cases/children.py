"""Children: register, read, update; and the in-transaction step that registers (or finds) the
child sent with a referral."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from continuum.casework import clock
from continuum.casework.errors import DomainError
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import EventData
from continuum.persistence.change import change_one
from continuum.persistence.uow import Transaction, UnitOfWork
from referral import domain, repository, views
from referral.domain import ChildRecord, ChildState, MatchConflict, MatchKind
from referral.repository import KnownChild
from referral.use_cases.commands import NewChild, UpdateChild

#: Why a conflicting match is audited (decision 20).
_MATCH_PURPOSE = {
    MatchKind.FRONT_DOOR_REVIEW: "registration matched a child",
    MatchKind.IDENTITY_CONFLICT: "identifier matched, identity differs",
    MatchKind.POSSIBLE_MATCH: "possible match",
}


@dataclass(frozen=True)
class Registration:
    """The child a body sent as new turned out to be, with its events (a new child's
    ``child.registered``, for the caller to publish and write) and its earlier referrals.
    ``unchecked``: the register was not searched first; the new child's write must be guarded by
    this lookup (``repository.insert_referral(unless_found=...)``)."""

    child: ChildState
    events: list[EventData]
    earlier_referrals: tuple[datetime, ...]
    unchecked: repository.ChildLookup | None = None


async def register_or_match(
    tx: Transaction,
    new: NewChild,
    *,
    today: date,
    field_prefix: str = "",
    look_up_first: bool = True,
    referred_on: Iterable[date] = (),
) -> Registration:
    """In-transaction step: the registered child that ``new`` is (its read audited), or a new
    child with its ``child.registered`` event (written by the caller). Also answers when the
    child was referred before. A conflict with the register is audited and answered as a 409.
    ``referred_on``: the date of the referral the child comes with, if any (the census rules
    check the date of birth against it).

    Without ``look_up_first`` the register is not searched: the child is taken as new, and the
    caller's write, guarded by the lookup, fails with ``RegisteredAlike`` (writing nothing) if the
    register holds a child the lookup finds; the caller then does it again, looking up first.
    Most children sent as new are new, and this saves their intake a round trip."""
    identity = new.identity
    sees_candidates = domain.sees_every_case(tx.principal)
    by_name = domain.looks_for_possible_matches(identity, confirmed_new=new.confirmed_new, sees_candidates=sees_candidates)
    lookup = repository.ChildLookup(identity, by_name)
    same, candidates = await repository.same_children(tx, lookup) if look_up_first else (None, [])
    try:
        child, events = domain.register_or_match(
            identity,
            same=same.child if same else None,
            may_see_same=same is not None and domain.may_see_case(tx.principal, same.teams),
            candidates=candidates,
            sees_candidates=sees_candidates,
            child_id=uuid.uuid4(),
            today=today,
            referred_on=referred_on,
        )
    except MatchConflict as conflict:
        outcome = "disclosed" if conflict.discloses else "refused"
        for candidate in conflict.candidates:
            purpose = _MATCH_PURPOSE[conflict.kind]
            tx.audit_refusal("child.match", subject_type="child", subject_id=candidate.child_id, purpose=purpose, outcome=outcome)
        raise views.match_problem(conflict, field_prefix) from None
    except DomainError as exc:
        raise exc.prefixed(field_prefix) from None
    if same is not None:
        await tx.audit("child.read", subject_type="child", subject_id=child.id, purpose="registration matched a registered child")
        return Registration(child, events, same.earlier_referrals)
    return Registration(child, events, (), unchecked=None if look_up_first else lookup)


async def register_child(uow: UnitOfWork, new: NewChild) -> ChildRecord:
    """Register a child (``created``), or answer the registered child it is."""
    async with uow as tx:
        today = clock.today()
        registration = await register_or_match(tx, new, today=today)
        child, events = registration.child, registration.events
        if events:
            await repository.insert_child(tx, child)
            await tx.publish_all(events, aggregate=child)
            await tx.audit("child.register", subject_type="child", subject_id=child.id, purpose="register a child")
        return ChildRecord(child, today, created=bool(events))


async def get_child(uow: UnitOfWork, *, child_id: uuid.UUID) -> ChildRecord:
    async with uow as tx:
        known = await repository.visible_child(tx, child_id, purpose="view a child's record")
        await tx.audit("child.read", subject_type="child", subject_id=child_id, purpose="view a child's record")
        return ChildRecord(known.child, clock.today())


async def update_child(uow: UnitOfWork, command: UpdateChild, *, policy: CouncilPolicy) -> ChildRecord:
    """Change a child's identity or characteristics (the version the caller read, or 412), checked
    against the dates of the child's referrals. When the change brings the child's first NHS
    number, partners are told the statuses they could not be told without it."""
    now = clock.now()
    today = clock.london_date(now)

    async def change(known: KnownChild) -> tuple[KnownChild, list[EventData]]:
        child, events = domain.update_child(known.child, changes=command.changes, today=today, referred_on=known.referral_dates)
        statuses = domain.statuses_once_identified(known.child, child, episodes=known.episodes, policy=policy)
        return KnownChild(child, known.episodes), [*events, *statuses]

    async with uow as tx:
        changed = await change_one(
            tx,
            repository.Children(at=now),
            id=command.child_id,
            version=command.expected_version,
            purpose="update a child's record",
            action="child.update",
            decide=change,
        )
        return ChildRecord(changed.child, today)
