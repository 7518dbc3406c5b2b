"""Steps every step-down use case takes: who is acting, the answer that carries the step-down (a
read of the child's record, audited), publishing a change with the partner status it made true,
and the change of one step-down from load to answer."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import Transaction, UnitOfWork
from continuum.web.errors import check_version
from stepdown import domain, repository
from stepdown.domain import Actor, ChildFacts, Events, Stepdown
from stepdown.schemas import StepdownOut
from stepdown.views import stepdown_view

#: A transition of one step-down as a use case runs it: given the step-down, the instant and what
#: the local copy holds of the child (``None``: no copy yet), the new state and its events.
Change = Callable[[Stepdown, datetime, ChildFacts | None], tuple[Stepdown, Events]]


def actor_of(tx: Transaction) -> Actor:
    return Actor(tx.principal_or_fail().sub)


async def stepdown_answer(tx: Transaction, stepdown: Stepdown, *, purpose: str) -> StepdownOut:
    """The step-down as the API shows it: a read of the child's record, audited."""
    await tx.audit("child.read", subject_type="child", subject_id=stepdown.child_id, purpose=purpose)
    return stepdown_view(stepdown)


async def publish_change(
    tx: Transaction, changed: Stepdown, events: Events, *, policy: CouncilPolicy, child: ChildFacts | None = None
) -> None:
    """Publish a transition's events and the partner status they made true (the domain builds it),
    in the same transaction. ``child``: the local copy, if the caller read it already."""
    if not events:
        return
    child = child if child is not None else await repository.child_facts(tx, changed.child_id)
    await tx.publish_all([*events, *domain.partner_events(changed, events, child=child, policy=policy)], aggregate=changed)


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
        child = await repository.child_facts(tx, state.child_id)
        changed, events = change(state, now, child)
        await repository.save_stepdown(tx, changed)
        if changed.escalated_at is not None and state.escalated_at is None:
            await repository.add_escalation(tx, changed)
        await publish_change(tx, changed, events, policy=policy, child=child)
        await tx.audit(action, subject_type="stepdown", subject_id=changed.id, purpose=purpose)
        return await stepdown_answer(tx, changed, purpose=purpose)
