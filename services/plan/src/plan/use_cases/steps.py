"""Steps every plan use case takes: who is acting, the answer that carries the plan (a read of
the child's record, audited), and the change of one plan from load to answer."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.casework.principal import Principal, Role
from continuum.persistence.idempotency import once
from continuum.persistence.uow import StoredResponse, Transaction, UnitOfWork
from continuum.web.errors import check_version
from plan import repository
from plan.answers import PlanOut
from plan.domain import Actor, Events, PlanState
from plan.domain.content import quality
from plan.domain.drift import check_due
from plan.views import plan_view

#: A transition of one plan as a use case runs it: given the transaction (to load or save what
#: else it needs), the plan, the instant and London's date, the new state and its events.
Change = Callable[[Transaction, PlanState, datetime, date], Awaitable[tuple[PlanState, Events]]]


def actor_of(principal: Principal) -> Actor:
    """The domain's view of the caller: their id, whether they are social-work qualified, and
    whether they are a social-work-qualified manager."""
    return Actor(
        principal.sub,
        sw_qualified_manager=principal.has(Role.MANAGER) and principal.sw_qualified,
        sw_qualified=principal.sw_qualified,
    )


def by_whom(tx: Transaction) -> str:
    return tx.principal.sub if tx.principal else f"service:{tx.source}"


async def save(tx: Transaction, plan: PlanState, *, change: str, now: datetime, policy: CouncilPolicy, new: bool = False) -> None:
    """Save the plan's row (with when the drift check should next look at it) and its version's
    row with the quality of that version."""
    next_check = check_due(plan, today=clock.london_date(now), policy=policy)
    if new:
        await repository.insert_plan(tx, plan, drift_next_check=next_check)
    else:
        await repository.save_plan(tx, plan, drift_next_check=next_check)
    await repository.add_version(tx, plan, change=change, by=by_whom(tx), at=now, quality=quality(plan))


#: How many of each history list (versions, reviews, visits, meetings) a plan's answer carries:
#: the rest are paged from the list's own route, so the answer stays small however long the plan.
FIRST_PAGE = 20


async def plan_answer(tx: Transaction, plan: PlanState, *, purpose: str, today: date, policy: CouncilPolicy) -> PlanOut:
    """The plan as the API shows it, with its child and the first page of each history list: a
    read of the child's record, audited."""
    await tx.audit("child.read", subject_type="child", subject_id=plan.child_id, purpose=purpose)
    history: dict[str, repository.HistoryPage] = {
        kind: await repository.history_page(tx, plan.id, kind, after=None, limit=FIRST_PAGE) for kind in repository.HISTORY_KINDS
    }
    return plan_view(
        plan,
        child=await repository.child(tx, plan.child_id),
        history=history,
        first_page=FIRST_PAGE,
        today=today,
        policy=policy,
    )


async def change_plan(
    uow: UnitOfWork,
    *,
    plan_id: uuid.UUID,
    version: int,
    purpose: str,
    action: str,
    change: Change,
    policy: CouncilPolicy,
    idempotency: tuple[str | None, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Load the visible plan (locked), check the version the caller read, run the domain
    transition, save the new state and its version, publish its events and audit the change, in
    one transaction; answers the plan as JSON. With ``idempotency`` (the Idempotency-Key and the
    request), the same key and body answer the first answer again, done once."""
    now = clock.now()
    today = clock.london_date(now)
    async with uow as tx:

        async def run() -> tuple[int, Any]:
            state = await repository.visible_plan(tx, plan_id, purpose=purpose, lock=True)
            check_version(state.version, version)
            changed, events = await change(tx, state, now, today)
            await save(tx, changed, change=action, now=now, policy=policy)
            await tx.publish_all(events, aggregate=changed)
            await tx.audit(action, subject_type="plan", subject_id=changed.id, purpose=purpose)
            answer = await plan_answer(tx, changed, purpose=purpose, today=today, policy=policy)
            return 200, answer.model_dump(mode="json")

        async def replayed(stored: StoredResponse) -> None:
            purpose = "Idempotency-Key replay"
            await tx.audit("plan.read", subject_type="plan", subject_id=stored.body["id"], purpose=purpose)
            await tx.audit("child.read", subject_type="child", subject_id=stored.body["child_id"], purpose=purpose)

        if idempotency is None:
            _, body = await run()
        else:
            key, request = idempotency
            scope = f"plans:{tx.principal_or_fail().sub}:{action}"
            _, body = await once(
                tx, key=key, scope=scope, request=request | {"plan_id": str(plan_id)}, run=run, on_replay=replayed
            )
        return dict(body)
