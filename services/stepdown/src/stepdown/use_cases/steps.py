"""Steps every step-down use case takes: who is acting, the answer that carries the step-down (a
read of the child's record, audited), the partner status, and the change of one step-down from
load to answer."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from continuum import clock
from continuum.casework import partner_status
from continuum.clock import london_date
from continuum.contracts import PartnerStatus
from continuum.errors import check_version
from continuum.policy import CouncilPolicy
from continuum.uow import Transaction, UnitOfWork
from stepdown import domain, repository
from stepdown.domain import Actor, Events, Stepdown
from stepdown.schemas import StepdownOut
from stepdown.views import stepdown_view

#: A transition of one step-down as a use case runs it: given the step-down and the instant, the
#: new state and its events.
Change = Callable[[Stepdown, datetime], tuple[Stepdown, Events]]


def actor_of(tx: Transaction) -> Actor:
    return Actor(tx.principal_or_fail().sub)


async def stepdown_answer(tx: Transaction, stepdown: Stepdown, *, purpose: str) -> StepdownOut:
    """The step-down as the API shows it: a read of the child's record, audited."""
    await tx.audit("child.read", subject_type="child", subject_id=stepdown.child_id, purpose=purpose)
    return stepdown_view(stepdown)


async def tell_partners(
    tx: Transaction, stepdown: Stepdown, status: PartnerStatus | None, *, since: datetime, policy: CouncilPolicy
) -> None:
    """The partner feed's status.changed, or (without the child's identity yet) a note that it waits."""
    if status is None:
        return
    child = await repository.child_identity(tx, stepdown.child_id)
    if child is None:
        await repository.set_partner_status_pending(tx, stepdown.id, status.value)
        return
    event = partner_status(
        nhs_number=child.nhs_number,
        date_of_birth=child.date_of_birth,
        status=status,
        since=london_date(since),
        team=stepdown.team,
        policy=policy,
    )
    if event is not None:
        await tx.publish(event, aggregate=stepdown)


async def publish_change(tx: Transaction, changed: Stepdown, events: Events, *, now: datetime, policy: CouncilPolicy) -> None:
    """Publish a transition's events and, when it closed the episode or early help took the family,
    the partner status, in the same transaction."""
    await tx.publish_all(events, aggregate=changed)
    await tell_partners(tx, changed, domain.partner_status_for(events), since=now, policy=policy)


async def change_stepdown(
    uow: UnitOfWork,
    *,
    stepdown_id: uuid.UUID,
    version: int,
    purpose: str,
    action: str,
    change: Change,
    policy: CouncilPolicy,
    receiving_only: bool = False,
) -> StepdownOut:
    """Load the visible step-down (locked), check the version the caller read, run the domain
    transition, save, publish its events and audit the change, in one transaction."""
    now = clock.now()
    async with uow as tx:
        state = await repository.visible_stepdown(tx, stepdown_id, purpose=purpose, lock=True, receiving_only=receiving_only)
        check_version(state.version, version)
        changed, events = change(state, now)
        await repository.save_stepdown(tx, changed)
        if changed.escalated_at is not None and state.escalated_at is None:
            await repository.add_escalation(tx, changed)
        await publish_change(tx, changed, events, now=now, policy=policy)
        await tx.audit(action, subject_type="stepdown", subject_id=changed.id, purpose=purpose)
        return await stepdown_answer(tx, changed, purpose=purpose)
