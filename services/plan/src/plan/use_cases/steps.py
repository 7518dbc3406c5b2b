"""Steps every plan use case takes: who is acting, saving what the domain decided, the plan as a
result (with what its read carries, audited as a read of the child's record), and the change of
one plan through the kernel's pipeline, done once per Idempotency-Key; and what every find by case
or child checks and audits."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from continuum.casework import clock
from continuum.casework.errors import Invalid
from continuum.casework.policy import CouncilPolicy
from continuum.casework.principal import Principal, Role
from continuum.persistence.change import change_one
from continuum.persistence.idempotency import Replayed, idempotent
from continuum.persistence.uow import Transaction, UnitOfWork
from plan import repository
from plan.domain import Actor, Events, PlanState
from plan.domain.drift import could_close, findings
from plan.history import HISTORY_KINDS, history_page
from plan.results import FIRST_PAGE, PlanRecord


def actor_of(principal: Principal) -> Actor:
    """The domain's view of the caller: their id, whether they are social-work qualified, and
    whether they are a social-work-qualified manager."""
    return Actor(
        principal.sub,
        sw_qualified_manager=principal.has(Role.MANAGER) and principal.sw_qualified,
        sw_qualified=principal.sw_qualified,
    )


def find_purpose(what: str, *, case_id: uuid.UUID | None, child_id: uuid.UUID | None) -> str:
    """The audited purpose of a find of ``what`` by exactly one of case and child (refused otherwise)."""
    if (case_id is None) == (child_id is None):
        raise Invalid("case_id" if case_id else "child_id", "give exactly one of case_id, child_id")
    return f"find {what} by {'case' if case_id else 'child'}"


async def audit_found(tx: Transaction, shown: Iterable[uuid.UUID], hidden: Iterable[uuid.UUID], *, purpose: str) -> None:
    """A find reads the record of each child it shows, and is refused each of another team's it leaves out."""
    for child_id in shown:
        await tx.audit("child.read", subject_type="child", subject_id=child_id, purpose=purpose)
    for other in hidden:
        await tx.audit("child.read", subject_type="child", subject_id=other, purpose=purpose, outcome="refused")


def by_whom(tx: Transaction) -> str:
    return tx.principal.sub if tx.principal else f"service:{tx.source}"


async def save(tx: Transaction, plan: PlanState, *, change: str, at: datetime, new: bool = False) -> None:
    """Save the plan as the domain returned it (its row, with its next drift check) and its
    version's row (with its quality then)."""
    if new:
        await repository.insert_plan(tx, plan)
    else:
        await repository.save_plan(tx, plan)
    await repository.add_version(tx, plan, change=change, by=by_whom(tx), at=at)


async def publish_change(
    tx: Transaction, plan: PlanState, events: Events, *, change: str, at: datetime, purpose: str, new: bool = False
) -> None:
    """A plan the use case changes beside the one asked for (drafted, or ended by another), or
    that an event changes: saved, its events published and the change audited."""
    await save(tx, plan, change=change, at=at, new=new)
    await tx.publish_all(events, aggregate=plan)
    await tx.audit(change, subject_type="plan", subject_id=plan.id, purpose=purpose)


async def plan_record(tx: Transaction, plan: PlanState, *, purpose: str, today: date, policy: CouncilPolicy) -> PlanRecord:
    """The plan with what its answer carries: a read of the child's record, audited."""
    await tx.audit("child.read", subject_type="child", subject_id=plan.child_id, purpose=purpose)
    history = {kind: await history_page(tx, plan.id, kind, after=None, limit=FIRST_PAGE) for kind in HISTORY_KINDS}
    return PlanRecord(
        plan=plan,
        child=await repository.child(tx, plan.child_id),
        history=history,
        findings=tuple(findings(plan, today=today, policy=policy)),
        closable=could_close(plan),
    )


@dataclass(frozen=True)
class At:
    """What a decision may know besides the plan: the transaction (to load or save what else it
    needs), who asks, the instant and London's date, and the council's policy."""

    tx: Transaction
    by: Actor
    now: datetime
    today: date
    policy: CouncilPolicy


#: A plan's change as a use case decides it: the plan loaded, the new state and its events.
Decide = Callable[[At, PlanState], Awaitable[tuple[PlanState, Events]]]


@dataclass
class PlanStore:
    """The plans as the kernel's change pipeline (``change_one``) loads and saves them."""

    now: datetime
    subject_type: str = "plan"

    async def load(self, tx: Transaction, id: uuid.UUID, *, purpose: str) -> PlanState:
        return await repository.visible_plan(tx, id, purpose=purpose, lock=True)

    async def save(self, tx: Transaction, before: PlanState, after: PlanState, *, action: str) -> None:
        await save(tx, after, change=action, at=self.now)


async def change_plan(
    uow: UnitOfWork,
    *,
    plan_id: uuid.UUID,
    version: int,
    purpose: str,
    action: str,
    decide: Decide,
    policy: CouncilPolicy,
    present: Callable[[PlanRecord], Mapping[str, Any]],
    idempotency: tuple[str | None, object] | None = None,
) -> PlanRecord | Replayed:
    """Load the visible plan (locked), check the version the caller read, let the domain decide,
    save the new state and its version, publish its events and audit the change, in one
    transaction (the kernel's ``change_one``); the plan as a result. With ``idempotency`` (the
    Idempotency-Key and the command), the same key and command are done once: again, the first
    answer's body (``present``'s) as ``Replayed``, whatever status the route answers."""
    now = clock.now()
    today = clock.london_date(now)
    async with uow as tx:
        at = At(tx, actor_of(tx.principal_or_fail()), now, today, policy)

        async def run() -> PlanRecord:
            changed = await change_one(
                tx,
                PlanStore(now),
                id=plan_id,
                version=version,
                purpose=purpose,
                action=action,
                decide=lambda plan: decide(at, plan),
            )
            return await plan_record(tx, changed, purpose=purpose, today=today, policy=policy)

        if idempotency is None:
            return await run()

        async def replayed(stored: Replayed) -> None:
            why = "Idempotency-Key replay"
            await tx.audit("plan.read", subject_type="plan", subject_id=stored.body["id"], purpose=why)
            await tx.audit("child.read", subject_type="child", subject_id=stored.body["child_id"], purpose=why)

        key, command = idempotency
        done = await idempotent(
            tx,
            key=key,
            scope=f"plans:{tx.principal_or_fail().sub}:{action}",
            request=asdict(command) | {"plan_id": str(plan_id)},  # type: ignore[call-overload]
            run=run,
            present=present,
            on_replay=replayed,
        )
        return done
