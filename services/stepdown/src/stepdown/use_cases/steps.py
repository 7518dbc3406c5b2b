"""Steps every step-down use case takes: who is acting, the read of the child's record a step-down
or step-up answer is (audited), and the change of one step-down through the kernel's pipeline."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.change import change_one
from continuum.persistence.uow import Transaction, UnitOfWork
from stepdown import domain, repository
from stepdown.domain import Actor, ChildFacts, Events, Stepdown

#: A transition of one step-down as a use case runs it: given the step-down, the instant and what
#: the local copy holds of the child (``None``: no copy yet), the new state and its events.
Change = Callable[[Stepdown, datetime, ChildFacts | None], tuple[Stepdown, Events]]


def actor_of(tx: Transaction) -> Actor:
    return Actor(tx.principal_or_fail().sub)


class OfAChild(Protocol):
    """A record of one child (a step-down or a step-up)."""

    @property
    def child_id(self) -> uuid.UUID: ...


R = TypeVar("R", bound=OfAChild)


async def child_read(tx: Transaction, record: R, *, purpose: str) -> R:
    """The record as an answer: a read of the child's record, audited."""
    await tx.audit("child.read", subject_type="child", subject_id=record.child_id, purpose=purpose)
    return record


class Record(OfAChild, Protocol):
    """A record of one child with an id of its own (a step-down or a step-up)."""

    @property
    def id(self) -> uuid.UUID: ...


V = TypeVar("V", bound=Record)


async def read_one(
    uow: UnitOfWork, record_id: uuid.UUID, *, load: Callable[..., Awaitable[V]], subject_type: str, purpose: str
) -> V:
    """One record the caller may see (``load``: else 404, audited), its read and the child's audited."""
    async with uow as tx:
        record = await load(tx, record_id, purpose=purpose)
        await tx.audit(f"{subject_type}.read", subject_type=subject_type, subject_id=record.id, purpose=purpose)
        return await child_read(tx, record, purpose=purpose)


@dataclass
class Stepdowns:
    """Step-downs as the kernel's change pipeline loads and saves them: visible to the caller (as the
    receiving early help team only, for early help's answers) and locked; a change that escalated
    the handover puts it on the manager's worklist."""

    receiving_only: bool = False
    subject_type: str = "stepdown"

    async def load(self, tx: Transaction, id: uuid.UUID, *, purpose: str) -> Stepdown:
        return await repository.visible_stepdown(tx, id, purpose=purpose, lock=True, receiving_only=self.receiving_only)

    async def save(self, tx: Transaction, before: Stepdown, after: Stepdown, *, action: str) -> None:
        await repository.save_stepdown(tx, after)
        if after.escalated_at is not None and before.escalated_at is None:
            await repository.add_escalation(tx, after)


class Addressed(Protocol):
    """A command that names one step-down and the version the caller read (If-Match)."""

    @property
    def stepdown_id(self) -> uuid.UUID: ...

    @property
    def version(self) -> int: ...


@dataclass(frozen=True)
class Step:
    """A kind of change of one step-down: why the record is opened (audited), the action audited,
    and whether only the receiving early help team may make it (its answers and follow-up)."""

    purpose: str
    action: str
    receiving_only: bool = False


async def change_stepdown(uow: UnitOfWork, command: Addressed, step: Step, *, change: Change, policy: CouncilPolicy) -> Stepdown:
    """Load the visible step-down (locked), check the version the caller read, run the domain
    transition (with the partner status it made true), save, publish and audit, in one
    transaction; the answer is a read of the child's record."""
    now = clock.now()
    async with uow as tx:

        async def decide(state: Stepdown) -> tuple[Stepdown, Events]:
            child = await repository.child_facts(tx, state.child_id)
            return domain.told_partners(change(state, now, child), child=child, policy=policy)

        store = Stepdowns(step.receiving_only)
        changed = await change_one(
            tx, store, id=command.stepdown_id, version=command.version, purpose=step.purpose, action=step.action, decide=decide
        )
        return await child_read(tx, changed, purpose=step.purpose)
