"""Intake: a referral received over the API (with Idempotency-Key), or opened inside another
transaction (the step-up consumer).

The service's hot path, and the one place it is not shaped like every other use case (decision
44): a child sent as new is taken as new, with no lookup, and the intake's one write inserts the
child only when the register holds none like it (``repository.insert_referral``); when it holds
one, nothing was written and the intake runs again, looking the child up first."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from continuum.casework import clock
from continuum.casework.errors import Invalid
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import EventData
from continuum.persistence.idempotency import Replayed, idempotent
from continuum.persistence.uow import EventKey, Transaction, UnitOfWork
from referral import domain, repository, views
from referral.domain import ChildState, Episode, OpenEpisodeConflict, ReferralRecord, ReferralState
from referral.use_cases.children import register_or_match
from referral.use_cases.commands import ReceiveReferral


async def receive_referral(
    uow: UnitOfWork, command: ReceiveReferral, *, policy: CouncilPolicy, idempotency_key: str | None = None
) -> ReferralRecord | Replayed:
    """Receive a referral over the API: the new referral, or, for a replayed ``Idempotency-Key``,
    exactly the body the first request answered.

    A child sent as new is taken as new first (one round trip); if the register holds a child
    that may be this one, nothing was written and the intake runs again, looking the child up."""
    try:
        return await _receive_referral(uow, command, policy, idempotency_key, look_up_first=False)
    except repository.RegisteredAlike:
        return await _receive_referral(uow, command, policy, idempotency_key, look_up_first=True)


async def _receive_referral(
    uow: UnitOfWork, command: ReceiveReferral, policy: CouncilPolicy, idempotency_key: str | None, *, look_up_first: bool
) -> ReferralRecord | Replayed:
    principal = uow.principal_or_fail()
    async with uow as tx:

        async def receive() -> ReferralRecord:
            try:
                referral, child = await open_referral(tx, command, policy, look_up_first=look_up_first)
            except OpenEpisodeConflict as conflict:
                raise refuse_open_episode(tx, conflict) from None
            # A new referral has no decisions or information requests yet: nothing to read back.
            return ReferralRecord(referral, child, clock.now())

        async def replayed(stored: Replayed) -> None:
            # A replay answers with the child's record again: it is a read like any other.
            purpose = "Idempotency-Key replay"
            await tx.audit("referral.read", subject_type="referral", subject_id=stored.body["id"], purpose=purpose)
            await tx.audit("child.read", subject_type="child", subject_id=stored.body["child"]["id"], purpose=purpose)

        # The request's fingerprint, only when there is a key to store it with.
        request = asdict(command) if idempotency_key else None
        return await idempotent(
            tx,
            key=idempotency_key,
            scope=f"referrals:{principal.sub}",
            request=request,
            run=receive,
            present=lambda record: views.referral_out(record).model_dump(mode="json"),
            on_replay=replayed,
        )


def refuse_open_episode(tx: Transaction, conflict: OpenEpisodeConflict) -> Exception:
    """The answer to a referral (or correction) while the child's episode is open, its refusal
    audited: the open episode named to whoever may see it, nothing to anyone else."""
    discloses = domain.may_see_case(tx.principal, conflict.episode.teams)
    outcome = "disclosed" if discloses else "refused"
    tx.audit_refusal(
        "child.read", subject_type="child", subject_id=conflict.child_id, purpose="the child's episode is open", outcome=outcome
    )
    return views.open_episode_problem(conflict, discloses=discloses)


async def open_referral(
    tx: Transaction, command: ReceiveReferral, policy: CouncilPolicy, *, look_up_first: bool = True
) -> tuple[ReferralState, ChildState]:
    """In-transaction step: open a case (episode) for a referral, registering its child if new
    (``look_up_first``: see ``register_or_match``). A registered child is locked first, so that
    two referrals of it at once cannot both find no open episode; :class:`OpenEpisodeConflict`
    when it has one."""
    now = clock.now()
    # Chosen first so that a new child's child.registered is keyed by this case too, and so reaches
    # consumers before the case's referral.received (Kafka keeps order per key only).
    case_id = uuid.uuid4()
    child_events: list[EventData] = []
    unchecked = None
    episodes: tuple[Episode, ...] = ()
    received = command.intake.received_at
    referred_on = (clock.london_date(received),) if received.tzinfo is not None else ()
    if command.child_id is not None:
        # Referring a registered child needs sight of the child (the front door has it): otherwise
        # it answers as if there were no such child, and the refusal is audited.
        refusal = Invalid("child_id", "no child is registered with this id")
        purpose = "refer a registered child"
        known = await repository.visible_child(tx, command.child_id, purpose=purpose, refusal=refusal, lock=True)
        await tx.audit("child.read", subject_type="child", subject_id=known.child.id, purpose=purpose)
        child, earlier, episodes, child_field = known.child, known.earlier_referrals, known.episodes, "child_id"
    else:
        assert command.child is not None
        registration = await register_or_match(
            tx,
            command.child,
            today=clock.london_date(now),
            field_prefix="child.",
            look_up_first=look_up_first,
            referred_on=referred_on,
        )
        child, child_events, earlier = registration.child, registration.events, registration.earlier_referrals
        unchecked = registration.unchecked
        child_field = "child"
        if not child_events:  # a registered child: locked, its episodes as they stand now
            locked = await repository.known_child(tx, child.id, lock=True)
            assert locked is not None
            earlier, episodes = locked.earlier_referrals, locked.episodes
    principal = tx.principal
    referral, events = domain.receive(
        command.intake,
        case_id=case_id,
        child=child,
        earlier_referrals=earlier,
        by=principal.sub if principal else f"service:{tx.source}",
        now=now,
        policy=policy,
        episodes=episodes,
        child_field=child_field,
    )
    if child_events:
        await tx.publish_all(child_events, aggregate=EventKey(referral.subject, child.version))
        await tx.audit("child.register", subject_type="child", subject_id=child.id, purpose="register a child")
    await tx.publish_all(events, aggregate=referral)
    await tx.audit("referral.receive", subject_type="referral", subject_id=referral.id, purpose="receive a referral")
    # Last: one statement writes the child, the referral and the events and audit rows above. With
    # no transaction open (every statement before only read), it is the whole commit.
    try:
        await repository.insert_referral(tx, referral, new_child=child if child_events else None, unless_found=unchecked)
    except Invalid as exc:  # the new child's identifier is another child's (a concurrent registration)
        raise exc.prefixed("child.") from None
    return referral, child
